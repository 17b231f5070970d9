// Weight-stationary binary GEMM for 3×3 convolutions: rows of 9, 18 or 36 u64 words (9 taps of 33–64, 65–128 or
// 129–256 channels, e.g. ResNet-18's 3×3 layers but its last stage) and N a multiple of 4. A pass holds 36 B words
// (4 columns × 9 words, 2 × 18 or 1 × 36), loaded once; they stay in registers or stack slots (x86 xors a stack
// slot directly) while a block of rows streams past them: per 64-bit pair an A load, xor, popcnt and add (4.6–5
// instructions with the row's stores and spills). gemmRows loads every B word per row and pays its loop and
// per-panel work (5.2–5.7). Both reach the one popcnt port of Intel cores when the core is idle; when a busy
// neighbour on the shared core takes issue slots, fewer instructions mean more speed. Paired against gemmRows
// (identical outputs): the 56²×64 convolution 1.08–1.13× faster (its K = 9 loop was issue-bound even on an idle
// core, 1.14–1.20× on its GEMM on a busy one), the GEMMs of 28²×128 and 14²×256 1.02–1.05×.
//
// A 4 × 9 pass reads each row's 9 words as 3 runs of 3 (x0, x1, x2), so it also computes the inside pixels of a
// 3×3, stride-1, pad-1 convolution straight from the packed input (stationaryConvRows), without im2col. (Storing
// f32 C·scale + bias there instead of C, the scale-bias transform fused, measured 0.93–0.96×: not kept.)
// Same layouts as binary-gemm.ts.

/** Whether stationaryRows handles a GEMM with these u64 words per row and columns. */
// @ts-ignore: decorator
@inline export function stationaryApplies(w64: i32, n: i32): bool {
  return (w64 == 9 || w64 == 18 || w64 == 36) && (n & 3) == 0;
}

/** Rows [m0, m1) of C = K − 2·popcount(A XOR B) when stationaryApplies(w64, n). */
export function stationaryRows(a: usize, b: usize, c: usize, m0: i32, m1: i32, n: i32, w64: i32, k: i32): void {
  const rowBytes = <usize>w64 << 3;
  stationary(a + <usize>m0 * rowBytes, 24, 48, rowBytes, b, c, m0, m1, n, w64, k);
}

/**
 * Output pixels [m0, m1) of a 3×3, stride-1, pad-1 convolution over 33–64 channels (n % 4 == 0) whose taps are all
 * inside the input, read from the packed input pixels (one u64 each, an image `width` pixels wide): the taps of
 * output pixel m are the pixels m − width − 1 + {0, 1, 2} + {0, width, 2·width} (the output has the input's size).
 */
export function stationaryConvRows(pixels: usize, width: i32, b: usize, c: usize, m0: i32, m1: i32, n: i32, k: i32): void {
  const rowBytes = <usize>width << 3;
  stationary(pixels + (<usize>(m0 - width - 1) << 3), rowBytes, rowBytes << 1, 8, b, c, m0, m1, n, 9, k);
}

// Row m's A words start at a0 + (m − m0)·step; in a 4 × 9 pass its 3 runs of 3 at +0, +d1 and +d2.
function stationary(a0: usize, d1: usize, d2: usize, step: usize, b: usize, c: usize, m0: i32, m1: i32, n: i32, w64: i32, k: i32): void {
  const panelBytes = <usize>w64 << 5;
  const outRow = <usize>n << 2;
  const cols = 36 / w64;
  // rows per block: the block's A rows (16 KiB) stay in L1 across the panel's passes and the panels
  const block = max(16384 / (w64 << 3), 1);
  for (let r0 = m0; r0 < m1; r0 += block) {
    const rows = min(r0 + block, m1) - r0;
    const x = a0 + <usize>(r0 - m0) * step;
    for (let p = 0; p < n >> 2; p++) {
      for (let j = 0; j < 4; j += cols) {
        const y = b + <usize>p * panelBytes + (<usize>j << 3);
        const out = c + <usize>r0 * outRow + (<usize>(p * 4 + j) << 2);
        if (cols == 4) pass4x9(x, x + d1, x + d2, step, y, out, rows, outRow, k);
        else if (cols == 2) pass2x18(x, step, y, out, rows, outRow, k);
        else pass1x36(x, step, y, out, rows, outRow, k);
      }
    }
  }
}

// One pass per shape, each with its own inlined copy of `pass` (the literal `cols` selects its code).
function pass4x9(x: usize, x1: usize, x2: usize, step: usize, y: usize, out: usize, rows: i32, outRow: usize, k: i32): void {
  pass(4, x, x1, x2, step, y, out, rows, outRow, k);
}

function pass2x18(x: usize, step: usize, y: usize, out: usize, rows: i32, outRow: usize, k: i32): void {
  pass(2, x, 0, 0, step, y, out, rows, outRow, k);
}

function pass1x36(x: usize, step: usize, y: usize, out: usize, rows: i32, outRow: usize, k: i32): void {
  pass(1, x, 0, 0, step, y, out, rows, outRow, k);
}

// `cols` columns of the panel at y (words 36 / cols each) for `rows` rows from A row x (runs x, x1, x2 when cols
// is 4), results from out on. w_i is word i % (36 / cols) of column i / (36 / cols).
// @ts-ignore: decorator
@inline function pass(cols: i32, x: usize, x1: usize, x2: usize, step: usize, y: usize, out: usize, rows: i32, outRow: usize, k: i32): void {
  const w0 = load<u64>(y + offset(0, cols));
  const w1 = load<u64>(y + offset(1, cols));
  const w2 = load<u64>(y + offset(2, cols));
  const w3 = load<u64>(y + offset(3, cols));
  const w4 = load<u64>(y + offset(4, cols));
  const w5 = load<u64>(y + offset(5, cols));
  const w6 = load<u64>(y + offset(6, cols));
  const w7 = load<u64>(y + offset(7, cols));
  const w8 = load<u64>(y + offset(8, cols));
  const w9 = load<u64>(y + offset(9, cols));
  const w10 = load<u64>(y + offset(10, cols));
  const w11 = load<u64>(y + offset(11, cols));
  const w12 = load<u64>(y + offset(12, cols));
  const w13 = load<u64>(y + offset(13, cols));
  const w14 = load<u64>(y + offset(14, cols));
  const w15 = load<u64>(y + offset(15, cols));
  const w16 = load<u64>(y + offset(16, cols));
  const w17 = load<u64>(y + offset(17, cols));
  const w18 = load<u64>(y + offset(18, cols));
  const w19 = load<u64>(y + offset(19, cols));
  const w20 = load<u64>(y + offset(20, cols));
  const w21 = load<u64>(y + offset(21, cols));
  const w22 = load<u64>(y + offset(22, cols));
  const w23 = load<u64>(y + offset(23, cols));
  const w24 = load<u64>(y + offset(24, cols));
  const w25 = load<u64>(y + offset(25, cols));
  const w26 = load<u64>(y + offset(26, cols));
  const w27 = load<u64>(y + offset(27, cols));
  const w28 = load<u64>(y + offset(28, cols));
  const w29 = load<u64>(y + offset(29, cols));
  const w30 = load<u64>(y + offset(30, cols));
  const w31 = load<u64>(y + offset(31, cols));
  const w32 = load<u64>(y + offset(32, cols));
  const w33 = load<u64>(y + offset(33, cols));
  const w34 = load<u64>(y + offset(34, cols));
  const w35 = load<u64>(y + offset(35, cols));
  for (let m = 0; m < rows; m++) {
    if (cols == 4) {
      store<i32>(out, k - (dot3x3(x, x1, x2, w0, w1, w2, w3, w4, w5, w6, w7, w8) << 1));
      store<i32>(out, k - (dot3x3(x, x1, x2, w9, w10, w11, w12, w13, w14, w15, w16, w17) << 1), 4);
      store<i32>(out, k - (dot3x3(x, x1, x2, w18, w19, w20, w21, w22, w23, w24, w25, w26) << 1), 8);
      store<i32>(out, k - (dot3x3(x, x1, x2, w27, w28, w29, w30, w31, w32, w33, w34, w35) << 1), 12);
      x1 += step;
      x2 += step;
    } else if (cols == 2) {
      // partial sums stored on the way: V8 issues a body's loads at its top, and a store keeps the next group's
      // A loads below it (36 A words at once would spill)
      let s = dot9(x, w0, w1, w2, w3, w4, w5, w6, w7, w8);
      store<i32>(out, s);
      s += dot9(x + 72, w9, w10, w11, w12, w13, w14, w15, w16, w17);
      store<i32>(out, k - (s << 1));
      let t = dot9(x, w18, w19, w20, w21, w22, w23, w24, w25, w26);
      store<i32>(out, t, 4);
      t += dot9(x + 72, w27, w28, w29, w30, w31, w32, w33, w34, w35);
      store<i32>(out, k - (t << 1), 4);
    } else {
      let s = dot9(x, w0, w1, w2, w3, w4, w5, w6, w7, w8);
      store<i32>(out, s);
      s += dot9(x + 72, w9, w10, w11, w12, w13, w14, w15, w16, w17);
      store<i32>(out, s);
      s += dot9(x + 144, w18, w19, w20, w21, w22, w23, w24, w25, w26);
      store<i32>(out, s);
      s += dot9(x + 216, w27, w28, w29, w30, w31, w32, w33, w34, w35);
      store<i32>(out, k - (s << 1));
    }
    x += step;
    out += outRow;
  }
}

// Byte offset of w_i in a panel (word t of column j at t·32 + j·8).
// @ts-ignore: decorator
@inline function offset(i: i32, cols: i32): usize {
  const words = 36 / cols;
  return <usize>((i % words) * 32 + (i / words) * 8);
}

// popcount(the 9 A words at x XOR 9 B words)
// @ts-ignore: decorator
@inline function dot9(x: usize, b0: u64, b1: u64, b2: u64, b3: u64, b4: u64, b5: u64, b6: u64, b7: u64, b8: u64): i32 {
  return <i32>(
    popcnt(load<u64>(x, 0) ^ b0) +
      popcnt(load<u64>(x, 8) ^ b1) +
      popcnt(load<u64>(x, 16) ^ b2) +
      popcnt(load<u64>(x, 24) ^ b3) +
      popcnt(load<u64>(x, 32) ^ b4) +
      popcnt(load<u64>(x, 40) ^ b5) +
      popcnt(load<u64>(x, 48) ^ b6) +
      popcnt(load<u64>(x, 56) ^ b7) +
      popcnt(load<u64>(x, 64) ^ b8)
  );
}

// dot9 over 3 runs of 3 A words
// @ts-ignore: decorator
@inline function dot3x3(x0: usize, x1: usize, x2: usize, b0: u64, b1: u64, b2: u64, b3: u64, b4: u64, b5: u64, b6: u64, b7: u64, b8: u64): i32 {
  return <i32>(
    popcnt(load<u64>(x0, 0) ^ b0) +
      popcnt(load<u64>(x0, 8) ^ b1) +
      popcnt(load<u64>(x0, 16) ^ b2) +
      popcnt(load<u64>(x1, 0) ^ b3) +
      popcnt(load<u64>(x1, 8) ^ b4) +
      popcnt(load<u64>(x1, 16) ^ b5) +
      popcnt(load<u64>(x2, 0) ^ b6) +
      popcnt(load<u64>(x2, 8) ^ b7) +
      popcnt(load<u64>(x2, 16) ^ b8)
  );
}
