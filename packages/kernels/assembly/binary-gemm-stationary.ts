// Weight-stationary binary GEMM for rows of 9 u64 words (3×3 convolutions over 33–64 channels, e.g. ResNet-18's
// first stage) and N a multiple of 4. A pass over a panel of 4 columns loads its 36 B words once; they stay in
// registers or stack slots (x86 xors a stack slot directly) while a block of rows streams past them: per 64-bit pair
// an A load, xor, popcnt and add, plus the row's stores and V8's spills: 192 x86 instructions per row of 36 pairs
// (5.3 per pair; V8 11.3 output). gemmRows loads every B word per row and pays its loop and per-panel work: ~6.3
// per pair with K = 9 words, which made it issue-bound. Paired against gemmRows (identical outputs):
// the 56²×64 convolution 1.08–1.13× faster, its GEMM 1.14–1.20× on a busy core.
//
// Each row's 9 words are read as 3 runs of 3 (x0, x1, x2), so the same pass computes the inside pixels of a 3×3,
// stride-1, pad-1 convolution straight from the packed input (stationaryConvRows), without im2col.
//
// Tried and not kept: passes of 2 columns × 18 words and 1 × 36 (128 and 256 channels): 1.02–1.05× on plain GEMMs,
// 0.98–1.05× on the 28²×128 and 14²×256 convolutions, whose inside rows come in spans of 26 and 12; 4 columns × 18
// words (72 slots): 1.04× on the GEMM, 1.01–1.05× on 28²×128; 8 columns per pass (1.04–1.05× on the GEMM, 1.00× on
// the convolution); 2 rows per iteration (1.01×, 0.96–0.99×); partial sums stored after each run of 3 to keep V8
// from hoisting a column's 9 loads (1.02–1.03× on the GEMM); longer rows in chunks of 9 words with partial sums
// added in C (0.87–1.02× on 28²×128 … 7²×512); the scale-bias transform fused into the stores (0.93–0.96×).
// Same layouts as binary-gemm.ts.

/** Whether stationaryRows handles a GEMM with these u64 words per row and columns. */
// @ts-ignore: decorator
@inline export function stationaryApplies(w64: i32, n: i32): bool {
  return w64 == 9 && (n & 3) == 0;
}

/** Rows [m0, m1) of C = K − 2·popcount(A XOR B) when stationaryApplies(w64, n). */
export function stationaryRows(a: usize, b: usize, c: usize, m0: i32, m1: i32, n: i32, k: i32): void {
  stationary(a + <usize>m0 * 72, 24, 48, 72, b, c, m0, m1, n, k);
}

/**
 * Output pixels [m0, m1) of a 3×3, stride-1, pad-1 convolution over 33–64 channels (n % 4 == 0) whose taps are all
 * inside the input, read from the packed input pixels (one u64 each, an image `width` pixels wide): the taps of
 * output pixel m are the pixels m − width − 1 + {0, 1, 2} + {0, width, 2·width} (the output has the input's size).
 */
export function stationaryConvRows(pixels: usize, width: i32, b: usize, c: usize, m0: i32, m1: i32, n: i32, k: i32): void {
  const rowBytes = <usize>width << 3;
  stationary(pixels + (<usize>(m0 - width - 1) << 3), rowBytes, rowBytes << 1, 8, b, c, m0, m1, n, k);
}

// Rows per block: the block's A rows (18 KiB of im2col rows) stay in L1 across the panels, whatever the batch size.
const ROWS = 256;

// Row m's 9 A words are 3 runs of 3 at a0 + (m − m0)·step + {0, d1, d2}.
function stationary(a0: usize, d1: usize, d2: usize, step: usize, b: usize, c: usize, m0: i32, m1: i32, n: i32, k: i32): void {
  const outRow = <usize>n << 2;
  for (let r0 = m0; r0 < m1; r0 += ROWS) {
    const rows = min(r0 + ROWS, m1) - r0;
    const x = a0 + <usize>(r0 - m0) * step;
    for (let p = 0; p < n >> 2; p++) {
      pass(x, x + d1, x + d2, step, b + <usize>p * 288, c + <usize>r0 * outRow + (<usize>p << 4), rows, outRow, k);
    }
  }
}

// The 4 columns of the panel at y (word t of column j at t·32 + j·8) for `rows` rows, results from out on.
function pass(x: usize, x1: usize, x2: usize, step: usize, y: usize, out: usize, rows: i32, outRow: usize, k: i32): void {
  const w0 = load<u64>(y, 0);
  const w1 = load<u64>(y, 32);
  const w2 = load<u64>(y, 64);
  const w3 = load<u64>(y, 96);
  const w4 = load<u64>(y, 128);
  const w5 = load<u64>(y, 160);
  const w6 = load<u64>(y, 192);
  const w7 = load<u64>(y, 224);
  const w8 = load<u64>(y, 256);
  const w9 = load<u64>(y, 8);
  const w10 = load<u64>(y, 40);
  const w11 = load<u64>(y, 72);
  const w12 = load<u64>(y, 104);
  const w13 = load<u64>(y, 136);
  const w14 = load<u64>(y, 168);
  const w15 = load<u64>(y, 200);
  const w16 = load<u64>(y, 232);
  const w17 = load<u64>(y, 264);
  const w18 = load<u64>(y, 16);
  const w19 = load<u64>(y, 48);
  const w20 = load<u64>(y, 80);
  const w21 = load<u64>(y, 112);
  const w22 = load<u64>(y, 144);
  const w23 = load<u64>(y, 176);
  const w24 = load<u64>(y, 208);
  const w25 = load<u64>(y, 240);
  const w26 = load<u64>(y, 272);
  const w27 = load<u64>(y, 24);
  const w28 = load<u64>(y, 56);
  const w29 = load<u64>(y, 88);
  const w30 = load<u64>(y, 120);
  const w31 = load<u64>(y, 152);
  const w32 = load<u64>(y, 184);
  const w33 = load<u64>(y, 216);
  const w34 = load<u64>(y, 248);
  const w35 = load<u64>(y, 280);
  const end = out + <usize>rows * outRow;
  while (out < end) {
    store<i32>(out, k - (dot3x3(x, x1, x2, w0, w1, w2, w3, w4, w5, w6, w7, w8) << 1));
    store<i32>(out, k - (dot3x3(x, x1, x2, w9, w10, w11, w12, w13, w14, w15, w16, w17) << 1), 4);
    store<i32>(out, k - (dot3x3(x, x1, x2, w18, w19, w20, w21, w22, w23, w24, w25, w26) << 1), 8);
    store<i32>(out, k - (dot3x3(x, x1, x2, w27, w28, w29, w30, w31, w32, w33, w34, w35) << 1), 12);
    x += step;
    x1 += step;
    x2 += step;
    out += outRow;
  }
}

// popcount(9 A words, 3 runs of 3 at x0, x1, x2, XOR 9 B words)
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
