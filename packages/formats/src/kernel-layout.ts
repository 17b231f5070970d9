/**
 * The bit-packed layout that `@quantprune/kernels` consumes for binary (±1) GEMM and convolution.
 *
 * A `rows × cols` matrix of ±1 values (rows = output channels, cols = reduction length K, e.g. C_in·k·k for a
 * convolution in OHWI order) is stored row by row in 32-bit words:
 * - bit `j` (LSB = 0) of word `w` of row `r` holds element `(r, 32·w + j)`;
 * - a bit is **1 for −1** and **0 for +1** (the sign bit, as in Larq Compute Engine). A value of exactly 0
 *   counts as +1 (sign(0) = +1, the Larq/LCE convention);
 * - every row starts on a fresh word and has `wordsPerRow = alignUp(⌈cols/32⌉, rowAlignWords)` words;
 * - **padding bits are 0** (they encode +1) in weights and activations alike, so they agree and add no
 *   disagreements: for rows `a` and `b` of two such matrices, `dot(a, b) = K − 2·popcount(a XOR b)` summed over
 *   the row's words with K = `cols`, the real reduction length (not the padded one).
 *
 * Bit-serial k-bit kernels use one such matrix per bit plane (see {@link packBitPlanes}).
 */

/** A ±1 matrix packed in the kernel layout. */
export interface PackedBinaryMatrix {
  /** Row-major words, `rows × wordsPerRow`; bit = 1 means −1. */
  readonly words: Uint32Array;
  readonly rows: number;
  /** Real reduction length K (bits per row that carry data). */
  readonly cols: number;
  readonly wordsPerRow: number;
}

/** Options of {@link packBinaryRows}. */
export interface PackBinaryRowsOptions {
  /**
   * Pad every row to a multiple of this many 32-bit words (4 = one 128-bit SIMD vector).
   * @default 1
   */
  readonly rowAlignWords?: number;
}

/**
 * Packs the signs of a row-major `rows × cols` float matrix into the kernel layout.
 *
 * @param values - `rows·cols` values; negative → bit 1 (−1), zero or positive → bit 0 (+1)
 * @param rows - number of rows (output channels)
 * @param cols - reduction length K
 * @param options - row alignment
 * @returns the packed matrix
 * @throws RangeError on a size mismatch or a non-positive `rowAlignWords`
 * @example
 * ```ts
 * const m = packBinaryRows(Float32Array.of(1, -1, -1, 1), 2, 2);
 * m.words; // Uint32Array [0b10, 0b01]
 * ```
 */
export function packBinaryRows(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  options: PackBinaryRowsOptions = {},
): PackedBinaryMatrix {
  const wordsPerRow = checkedWordsPerRow('packBinaryRows', values.length, rows, cols, options.rowAlignWords ?? 1);
  const words = new Uint32Array(rows * wordsPerRow);
  for (let r = 0; r < rows; r++) {
    const src = r * cols;
    const dst = r * wordsPerRow;
    for (let c0 = 0; c0 < cols; c0 += 32) {
      const end = Math.min(32, cols - c0);
      let word = 0;
      for (let j = 0; j < end; j++) if (values[src + c0 + j]! < 0) word |= 1 << j;
      words[dst + (c0 >>> 5)] = word >>> 0;
    }
  }
  return { words, rows, cols, wordsPerRow };
}

/**
 * Expands a packed binary matrix back to ±1 floats, row-major `rows × cols` (padding dropped).
 *
 * @param m - matrix in the kernel layout
 * @returns `rows·cols` values, each −1 or +1
 */
export function unpackBinaryRows(m: PackedBinaryMatrix): Float32Array {
  const out = new Float32Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      const word = m.words[r * m.wordsPerRow + (c >>> 5)]!;
      out[r * m.cols + c] = (word >>> (c & 31)) & 1 ? -1 : 1;
    }
  }
  return out;
}

/**
 * Splits k-bit codes (row-major `rows × cols`, each in `[0, 2^bits)`) into `bits` bit planes, each a
 * {@link PackedBinaryMatrix} in the kernel layout where plane `p` holds bit `p` of every code (bit 1 = set).
 * Bit-serial kernels combine planes as `Σ_p Σ_q 2^(p+q) · popcount(a_p AND b_q)`. Padding bits are 0.
 *
 * @param codes - unsigned codes
 * @param bits - bits per code, 1..8
 * @param rows - rows
 * @param cols - reduction length K
 * @param options - row alignment
 * @returns `bits` planes, least significant first
 */
export function packBitPlanes(
  codes: ArrayLike<number>,
  bits: number,
  rows: number,
  cols: number,
  options: PackBinaryRowsOptions = {},
): PackedBinaryMatrix[] {
  if (!Number.isInteger(bits) || bits < 1 || bits > 8) {
    throw new RangeError(`packBitPlanes: bits must be an integer in [1, 8], got ${bits}`);
  }
  const wordsPerRow = checkedWordsPerRow('packBitPlanes', codes.length, rows, cols, options.rowAlignWords ?? 1);
  const planes: PackedBinaryMatrix[] = [];
  for (let p = 0; p < bits; p++) {
    const words = new Uint32Array(rows * wordsPerRow);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        if ((codes[r * cols + c]! >>> p) & 1) {
          const w = r * wordsPerRow + (c >>> 5);
          words[w] = words[w]! | (1 << (c & 31));
        }
      }
    }
    planes.push({ words, rows, cols, wordsPerRow });
  }
  return planes;
}

function checkedWordsPerRow(fn: string, length: number, rows: number, cols: number, align: number): number {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new RangeError(`${fn}: rows and cols must be non-negative integers, got ${rows}×${cols}`);
  }
  if (length !== rows * cols) {
    throw new RangeError(`${fn}: expected rows·cols = ${rows}·${cols} = ${rows * cols} values, got ${length}`);
  }
  if (!Number.isInteger(align) || align < 1) {
    throw new RangeError(`${fn}: rowAlignWords must be a positive integer, got ${align}`);
  }
  return Math.ceil(Math.ceil(cols / 32) / align) * align;
}
