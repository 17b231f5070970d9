/**
 * Compressed sparse rows over the 2-D view `[shape[0], n / shape[0]]` of a tensor: `rowPtr` (uint32, rows + 1
 * entries) then the column index of every stored value (uint16 when the row length is ≤ 65,536, else uint32),
 * little-endian. Values follow in row-major order.
 */
import { FormatError } from './errors.ts';

/** Bytes per column index for rows of `cols` elements. */
export function csrIndexBytes(cols: number): 2 | 4 {
  return cols <= 0x10000 ? 2 : 4;
}

/** Bytes of the CSR structure (`rowPtr` + column indices). */
export function csrBytes(rows: number, cols: number, nnz: number): number {
  return 4 * (rows + 1) + csrIndexBytes(cols) * nnz;
}

/**
 * Encodes the stored elements of a `rows × cols` matrix.
 * @param keep - one entry per element, non-zero = stored
 * @returns the structure bytes and the stored positions, ascending
 */
export function encodeCsr(keep: Uint8Array, rows: number, cols: number): { bytes: Uint8Array; positions: Uint32Array } {
  if (rows * cols !== keep.length) throw new RangeError(`encodeCsr: ${rows}×${cols} does not match ${keep.length} elements`);
  let nnz = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i]) nnz++;
  const bytes = new Uint8Array(csrBytes(rows, cols, nnz));
  const view = new DataView(bytes.buffer);
  const wide = csrIndexBytes(cols) === 4;
  const positions = new Uint32Array(nnz);
  let k = 0;
  const colBase = 4 * (rows + 1);
  for (let r = 0; r < rows; r++) {
    view.setUint32(4 * r, k, true);
    for (let c = 0; c < cols; c++) {
      if (!keep[r * cols + c]) continue;
      if (wide) view.setUint32(colBase + 4 * k, c, true);
      else view.setUint16(colBase + 2 * k, c, true);
      positions[k++] = r * cols + c;
    }
  }
  view.setUint32(4 * rows, k, true);
  return { bytes, positions };
}

/**
 * Reads the stored positions from a CSR structure.
 * @throws FormatError if row pointers are not monotone, do not end at `nnz`, or a column is out of range or repeated
 */
export function decodeCsr(bytes: Uint8Array, rows: number, cols: number, nnz: number, offset: number): Uint32Array {
  const need = csrBytes(rows, cols, nnz);
  if (bytes.length < need) throw new FormatError(`CSR structure needs ${need} bytes, got ${bytes.length}`, offset);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const wide = csrIndexBytes(cols) === 4;
  const colBase = 4 * (rows + 1);
  const positions = new Uint32Array(nnz);
  if (view.getUint32(0, true) !== 0) throw new FormatError('CSR rowPtr[0] must be 0', offset);
  if (view.getUint32(4 * rows, true) !== nnz) throw new FormatError(`CSR rowPtr[${rows}] must equal ${nnz} stored values`, offset + 4 * rows);
  for (let r = 0; r < rows; r++) {
    const start = view.getUint32(4 * r, true);
    const end = view.getUint32(4 * r + 4, true);
    if (end < start || end > nnz) throw new FormatError(`CSR rowPtr is not monotone at row ${r}`, offset + 4 * r + 4);
    let last = -1;
    for (let k = start; k < end; k++) {
      const c = wide ? view.getUint32(colBase + 4 * k, true) : view.getUint16(colBase + 2 * k, true);
      if (c >= cols || c <= last) throw new FormatError(`CSR column index ${c} in row ${r} is out of range or not increasing`, offset + colBase + k * (wide ? 4 : 2));
      last = c;
      positions[k] = r * cols + c;
    }
  }
  return positions;
}
