import { runCount, runGap, runLength, runStart, tapRuns } from './conv-spans';

// Bit-serial GEMM for 2-bit activations (A2) against 1-bit (W1) or 2-bit (W2) weights.
//
// Codes are unsigned: activation a = a0 + 2·a1, 2-bit weight w = w0 + 2·w1, 1-bit weight b ∈ {0, 1}.
// The raw code product D = Σ_k a·w is a sum of AND-popcounts over bit planes:
//   A2W1: D = Σ pop(a0 & b) + 2·pop(a1 & b)                       (2 popcounts per word pair)
//   A2W2: D = Σ pop(a0 & w0) + 2·(pop(a0 & w1) + pop(a1 & w0)) + 4·pop(a1 & w1)   (4 popcounts)
// and the epilogue maps it to integer level units: out = alpha·D + beta·Σ_k a + colTerm[n], which covers
// any affine integer level map (e.g. DoReFa levels ×3: weights 2w − 3, activations a or 2a − 3).
//
// Layouts (bytes; words are u64):
// - A: row m at a + m·w64·16, word k holds plane 0 at +k·16 and plane 1 at +k·16 + 8.
// - W1: panels of 4 columns exactly as binaryGemm's B (panel stride w64·32, column j at +k·32 + j·8).
// - W2: panels of 4 columns, panel stride w64·64; column j plane q of word k at +k·64 + j·16 + q·8.
// - colTerm: int32 per column; C: row-major int32.
//
// The convolution kernels run rows with every tap inside the input like the GEMMs and border rows over the runs
// of taps of their window (conv-spans.ts), as the binary convolution does: a border pixel skips its padded taps
// instead of multiplying their zero codes. (Running the GEMM rows as one run of that loop cost ~7 %.)

// @ts-ignore: decorator
@inline function rowCodeSum(pa: usize, end: usize): i32 {
  let s0: i64 = 0;
  let s1: i64 = 0;
  for (let x = pa; x < end; x += 16) {
    s0 += popcnt(load<u64>(x));
    s1 += popcnt(load<u64>(x, 8));
  }
  return <i32>s0 + (<i32>s1 << 1);
}

/** A2W1 over rows [m0, m1): out = alpha·Σ a·b + beta·Σ a + colTerm[n]. */
export function a2w1Gemm(a: usize, b: usize, c: usize, m0: i32, m1: i32, n: i32, w64: i32, alpha: i32, beta: i32, colTerm: usize): void {
  const rowBytes = <usize>w64 << 4;
  // panels are contiguous: the panel pointer runs on from one into the next (see binary-gemm.ts)
  const bEnd = b + ((<usize>((n + 3) >> 2) * <usize>w64) << 5);
  let pa = a + <usize>m0 * rowBytes;
  let pc = c + ((<usize>m0 * <usize>n) << 2);
  for (let m = m0; m < m1; m++) {
    const end = pa + rowBytes;
    const rowTerm = beta * rowCodeSum(pa, end);
    let y = b;
    let col = 0;
    while (y < bEnd) {
      let s0: i64 = 0;
      let s1: i64 = 0;
      let s2: i64 = 0;
      let s3: i64 = 0;
      let x = pa;
      do {
        const lo = load<u64>(x);
        const hi = load<u64>(x, 8);
        let w = load<u64>(y);
        s0 += popcnt(w & lo) + (popcnt(w & hi) << 1);
        w = load<u64>(y, 8);
        s1 += popcnt(w & lo) + (popcnt(w & hi) << 1);
        w = load<u64>(y, 16);
        s2 += popcnt(w & lo) + (popcnt(w & hi) << 1);
        w = load<u64>(y, 24);
        s3 += popcnt(w & lo) + (popcnt(w & hi) << 1);
        x += 16;
        y += 32;
      } while (x < end);
      storeBlock(pc, colTerm, col, n, alpha, rowTerm, s0, s1, s2, s3);
      col += 4;
    }
    pa = end;
    pc += <usize>n << 2;
  }
}

/** A2W2 over rows [m0, m1): out = alpha·Σ a·w + beta·Σ a + colTerm[n]. */
export function a2w2Gemm(a: usize, w: usize, c: usize, m0: i32, m1: i32, n: i32, w64: i32, alpha: i32, beta: i32, colTerm: usize): void {
  const rowBytes = <usize>w64 << 4;
  const wEnd = w + ((<usize>((n + 3) >> 2) * <usize>w64) << 6);
  let pa = a + <usize>m0 * rowBytes;
  let pc = c + ((<usize>m0 * <usize>n) << 2);
  for (let m = m0; m < m1; m++) {
    const end = pa + rowBytes;
    const rowTerm = beta * rowCodeSum(pa, end);
    let y = w;
    let col = 0;
    while (y < wEnd) {
      let s0: i64 = 0;
      let s1: i64 = 0;
      let s2: i64 = 0;
      let s3: i64 = 0;
      let x = pa;
      do {
        const a0 = load<u64>(x);
        const a1 = load<u64>(x, 8);
        s0 += dot2(a0, a1, load<u64>(y), load<u64>(y, 8));
        s1 += dot2(a0, a1, load<u64>(y, 16), load<u64>(y, 24));
        s2 += dot2(a0, a1, load<u64>(y, 32), load<u64>(y, 40));
        s3 += dot2(a0, a1, load<u64>(y, 48), load<u64>(y, 56));
        x += 16;
        y += 64;
      } while (x < end);
      storeBlock(pc, colTerm, col, n, alpha, rowTerm, s0, s1, s2, s3);
      col += 4;
    }
    pa = end;
    pc += <usize>n << 2;
  }
}

/**
 * The GEMM of an A2W1 convolution over rows [m0, m1), described by the span descriptor at desc (see
 * conv-spans.ts): rows of a span with window −1 run as a2w1Gemm, the others over the taps of their window, so
 * Σ a·b and Σ a cover the taps inside the input.
 */
export function a2w1ConvGemm(a: usize, b: usize, c: usize, m0: i32, m1: i32, n: i32, w64: i32, alpha: i32, beta: i32, colTerm: usize, desc: usize): void {
  convSpans(false, a, b, c, m0, m1, n, w64, alpha, beta, colTerm, desc);
}

/** The GEMM of an A2W2 convolution over rows [m0, m1), as a2w1ConvGemm. */
export function a2w2ConvGemm(a: usize, w: usize, c: usize, m0: i32, m1: i32, n: i32, w64: i32, alpha: i32, beta: i32, colTerm: usize, desc: usize): void {
  convSpans(true, a, w, c, m0, m1, n, w64, alpha, beta, colTerm, desc);
}

function convSpans(w2: bool, a: usize, w: usize, c: usize, m0: i32, m1: i32, n: i32, w64: i32, alpha: i32, beta: i32, colTerm: usize, desc: usize): void {
  const spans = <usize>load<i32>(desc);
  const count = load<i32>(desc, 4);
  const kw = load<i32>(desc, 8);
  const cw64 = load<i32>(desc, 12);
  for (let s = 0; s < count; s++) {
    const e = spans + (<usize>s << 4);
    const r0 = max(load<i32>(e), m0);
    const r1 = min(load<i32>(e, 4), m1);
    if (r0 >= r1) continue;
    const window = load<i32>(e, 8);
    if (window == -1) {
      if (w2) a2w2Gemm(a, w, c, r0, r1, n, w64, alpha, beta, colTerm);
      else a2w1Gemm(a, w, c, r0, r1, n, w64, alpha, beta, colTerm);
    } else {
      const runs = tapRuns(window, kw);
      if (w2) a2w2Window(a, w, c, r0, r1, n, w64, alpha, beta, colTerm, runs, cw64);
      else a2w1Window(a, w, c, r0, r1, n, w64, alpha, beta, colTerm, runs, cw64);
    }
  }
}

// Σ a over the runs of a row
// @ts-ignore: decorator
@inline function runsCodeSum(pa: usize, runBytes: usize, runs: i32, gap: usize): i32 {
  let sum = 0;
  let x = pa;
  for (let r = runs; r > 0; r--) {
    sum += rowCodeSum(x, x + runBytes);
    x += runBytes + gap;
  }
  return sum;
}

// Border rows [m0, m1) over the runs of their window (tapRuns; taps of tapWords word pairs): per row the code sum,
// then per panel of 4 columns the AND-popcounts over the same runs. A W1 panel takes 32 bytes per word where an
// A row takes 16, so A offsets map to panel offsets × 2. Structured like a2w1Gemm.
function a2w1Window(a: usize, b: usize, c: usize, m0: i32, m1: i32, n: i32, w64: i32, alpha: i32, beta: i32, colTerm: usize, runs: i32, tapWords: i32): void {
  const tapBytes = <usize>tapWords << 4;
  const first = runStart(runs, tapBytes);
  const runBytes = runLength(runs, tapBytes);
  const count = runCount(runs);
  const gap = runGap(runs, tapBytes);
  const rowBytes = <usize>w64 << 4;
  const panelBytes = <usize>w64 << 5;
  const bEnd = b + (first << 1) + <usize>((n + 3) >> 2) * panelBytes;
  let pa = a + <usize>m0 * rowBytes + first;
  let pc = c + ((<usize>m0 * <usize>n) << 2);
  for (let m = m0; m < m1; m++) {
    const rowTerm = beta * runsCodeSum(pa, runBytes, count, gap);
    let panel = b + (first << 1);
    let col = 0;
    while (panel < bEnd) {
      let s0: i64 = 0;
      let s1: i64 = 0;
      let s2: i64 = 0;
      let s3: i64 = 0;
      let x = pa;
      let y = panel;
      for (let r = count; r > 0; r--) {
        const end = x + runBytes;
        do {
          const lo = load<u64>(x);
          const hi = load<u64>(x, 8);
          let v = load<u64>(y);
          s0 += popcnt(v & lo) + (popcnt(v & hi) << 1);
          v = load<u64>(y, 8);
          s1 += popcnt(v & lo) + (popcnt(v & hi) << 1);
          v = load<u64>(y, 16);
          s2 += popcnt(v & lo) + (popcnt(v & hi) << 1);
          v = load<u64>(y, 24);
          s3 += popcnt(v & lo) + (popcnt(v & hi) << 1);
          x += 16;
          y += 32;
        } while (x < end);
        x += gap;
        y += gap << 1;
      }
      storeBlock(pc, colTerm, col, n, alpha, rowTerm, s0, s1, s2, s3);
      col += 4;
      panel += panelBytes;
    }
    pa += rowBytes;
    pc += <usize>n << 2;
  }
}

// As a2w1Window with W2 panels (64 bytes per word: A offsets × 4).
function a2w2Window(a: usize, w: usize, c: usize, m0: i32, m1: i32, n: i32, w64: i32, alpha: i32, beta: i32, colTerm: usize, runs: i32, tapWords: i32): void {
  const tapBytes = <usize>tapWords << 4;
  const first = runStart(runs, tapBytes);
  const runBytes = runLength(runs, tapBytes);
  const count = runCount(runs);
  const gap = runGap(runs, tapBytes);
  const rowBytes = <usize>w64 << 4;
  const panelBytes = <usize>w64 << 6;
  const wEnd = w + (first << 2) + <usize>((n + 3) >> 2) * panelBytes;
  let pa = a + <usize>m0 * rowBytes + first;
  let pc = c + ((<usize>m0 * <usize>n) << 2);
  for (let m = m0; m < m1; m++) {
    const rowTerm = beta * runsCodeSum(pa, runBytes, count, gap);
    let panel = w + (first << 2);
    let col = 0;
    while (panel < wEnd) {
      let s0: i64 = 0;
      let s1: i64 = 0;
      let s2: i64 = 0;
      let s3: i64 = 0;
      let x = pa;
      let y = panel;
      for (let r = count; r > 0; r--) {
        const end = x + runBytes;
        do {
          const a0 = load<u64>(x);
          const a1 = load<u64>(x, 8);
          s0 += dot2(a0, a1, load<u64>(y), load<u64>(y, 8));
          s1 += dot2(a0, a1, load<u64>(y, 16), load<u64>(y, 24));
          s2 += dot2(a0, a1, load<u64>(y, 32), load<u64>(y, 40));
          s3 += dot2(a0, a1, load<u64>(y, 48), load<u64>(y, 56));
          x += 16;
          y += 64;
        } while (x < end);
        x += gap;
        y += gap << 2;
      }
      storeBlock(pc, colTerm, col, n, alpha, rowTerm, s0, s1, s2, s3);
      col += 4;
      panel += panelBytes;
    }
    pa += rowBytes;
    pc += <usize>n << 2;
  }
}

// @ts-ignore: decorator
@inline function dot2(a0: u64, a1: u64, w0: u64, w1: u64): i64 {
  return popcnt(w0 & a0) + ((popcnt(w1 & a0) + popcnt(w0 & a1)) << 1) + (popcnt(w1 & a1) << 2);
}

// @ts-ignore: decorator
@inline function storeBlock(pc: usize, colTerm: usize, col: i32, n: i32, alpha: i32, rowTerm: i32, s0: i64, s1: i64, s2: i64, s3: i64): void {
  const out = pc + (<usize>col << 2);
  const t = colTerm + (<usize>col << 2);
  store<i32>(out, alpha * <i32>s0 + rowTerm + load<i32>(t));
  if (col + 1 < n) store<i32>(out, alpha * <i32>s1 + rowTerm + load<i32>(t, 4), 4);
  if (col + 2 < n) store<i32>(out, alpha * <i32>s2 + rowTerm + load<i32>(t, 8), 8);
  if (col + 3 < n) store<i32>(out, alpha * <i32>s3 + rowTerm + load<i32>(t, 12), 12);
}
