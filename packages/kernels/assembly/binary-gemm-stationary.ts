// Weight-stationary binary GEMM for 3×3 convolutions: rows of 9, 18 or 36 u64 words (9 taps of 33–64, 65–128 or
// 129–256 channels, e.g. ResNet-18's 3×3 layers but its last stage) and N a multiple of 4. A pass holds 36 B words
// (4 columns × 9 words, 2 × 18 or 1 × 36), loaded once; they stay in registers or stack slots (x86 xors a stack
// slot directly) while a block of rows streams past them: per 64-bit pair an A load, xor, popcnt and add (4.6–5
// instructions with the row's stores and spills). gemmRows loads every B word per row and pays its loop and
// per-panel work (5.2–5.7). Both reach the one popcnt port of Intel cores when the core is idle; when a busy
// neighbour on the shared core takes issue slots, fewer instructions mean more speed. Paired against gemmRows
// (identical outputs): the 56²×64 convolution 1.08–1.13× faster (its K = 9 loop was issue-bound even on an idle
// core, 1.14–1.20× on its GEMM on a busy one), the GEMMs of 28²×128 and 14²×256 1.02–1.05×.
// Same layouts as binary-gemm.ts.

/** Whether stationaryRows handles a GEMM with these u64 words per row and columns. */
// @ts-ignore: decorator
@inline export function stationaryApplies(w64: i32, n: i32): bool {
  return (w64 == 9 || w64 == 18 || w64 == 36) && (n & 3) == 0;
}

/** Rows [m0, m1) of C = K − 2·popcount(A XOR B) when stationaryApplies(w64, n). */
export function stationaryRows(a: usize, b: usize, c: usize, m0: i32, m1: i32, n: i32, w64: i32, k: i32): void {
  const rowBytes = <usize>w64 << 3;
  const outRow = <usize>n << 2;
  const cols = 36 / w64;
  // rows per block: the block's A rows (16 KiB) stay in L1 across the panel's passes and the panels
  const block = max(16384 / <i32>rowBytes, 1);
  for (let r0 = m0; r0 < m1; r0 += block) {
    const rows = min(r0 + block, m1) - r0;
    const x = a + <usize>r0 * rowBytes;
    for (let p = 0; p < n >> 2; p++) {
      for (let j = 0; j < 4; j += cols) {
        const y = b + <usize>p * (rowBytes << 2) + (<usize>j << 3);
        const out = c + <usize>r0 * outRow + (<usize>(p * 4 + j) << 2);
        if (cols == 4) pass4x9(x, y, out, rows, rowBytes, outRow, k);
        else if (cols == 2) pass2x18(x, y, out, rows, rowBytes, outRow, k);
        else pass1x36(x, y, out, rows, rowBytes, outRow, k);
      }
    }
  }
}

// One pass per shape, each with its own inlined copy of `pass` (the literal `cols` selects its code).
function pass4x9(x: usize, y: usize, out: usize, rows: i32, rowBytes: usize, outRow: usize, k: i32): void {
  pass(4, x, y, out, rows, rowBytes, outRow, k);
}

function pass2x18(x: usize, y: usize, out: usize, rows: i32, rowBytes: usize, outRow: usize, k: i32): void {
  pass(2, x, y, out, rows, rowBytes, outRow, k);
}

function pass1x36(x: usize, y: usize, out: usize, rows: i32, rowBytes: usize, outRow: usize, k: i32): void {
  pass(1, x, y, out, rows, rowBytes, outRow, k);
}

// `cols` columns of the panel at y (words 36 / cols each) for `rows` rows from A row x, results from out on.
// w_i is word i % (36 / cols) of column i / (36 / cols).
// @ts-ignore: decorator
@inline function pass(cols: i32, x: usize, y: usize, out: usize, rows: i32, rowBytes: usize, outRow: usize, k: i32): void {
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
      store<i32>(out, k - (dot9(x, w0, w1, w2, w3, w4, w5, w6, w7, w8) << 1));
      store<i32>(out, k - (dot9(x, w9, w10, w11, w12, w13, w14, w15, w16, w17) << 1), 4);
      store<i32>(out, k - (dot9(x, w18, w19, w20, w21, w22, w23, w24, w25, w26) << 1), 8);
      store<i32>(out, k - (dot9(x, w27, w28, w29, w30, w31, w32, w33, w34, w35) << 1), 12);
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
    x += rowBytes;
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
