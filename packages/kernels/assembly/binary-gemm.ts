import { stationaryApplies, stationaryConvRows, stationaryRows } from './binary-gemm-stationary';
import { runCount, runGap, runLength, runStart, tapRuns } from './conv-spans';

// Binary (±1) GEMM by XOR-popcount: C[m][n] = K − 2·popcount(A_m XOR B_n).
//
// Layouts (all offsets in bytes, words are u64):
// - A is row-major: row m starts at a + m·w64·8 and holds w64 words (bit 1 = −1, padding bits 0).
// - B is stored in panels of 4 output columns: panel p starts at b + p·w64·32 and word k of column 4p + j
//   sits at +k·32 + j·8. Columns past N inside the last panel are zero and never stored.
// - C is row-major int32, N values per row.
//
// The micro-kernel is 1 row × 4 columns with one u64 step per iteration. Measured on x86-64 V8 (Node 20):
// larger register blocks (2×4, 3×3, 4×4) run at the same speed because V8 spills their accumulators, while
// 1×4 keeps its 4 accumulators, the A word and the 4 B words in registers (≈5.25 instructions per popcount);
// the loop is then bound by the single popcnt port of Intel cores and by instruction issue. The panel pointer
// runs on from one panel into the next (they are contiguous) and the output pointer from one block into the
// next, so starting a panel costs no address arithmetic: with K = 9 words (a 3×3 convolution over 64
// channels) that per-panel overhead was ~20 % of the time.

/**
 * Binary GEMM over rows [m0, m1) (threads split rows). w64 ≥ 1.
 * k is the real reduction length: padding bits agree (both 0) and add no disagreements.
 */
export function binaryGemm(a: usize, b: usize, c: usize, m0: i32, m1: i32, n: i32, w64: i32, k: i32): void {
  gemmRows(a, b, c, m0, m1, n, w64, k);
}

/**
 * The GEMM of a binary convolution over rows [m0, m1), described by the span descriptor at desc (see
 * conv-spans.ts): rows of a span with window −1 run over the whole row, the others over the taps of their
 * window with K = the span's valid bits. (Applying a scale-bias transform in the store step, 4 lanes at a time,
 * measured no faster than the separate scaleBias pass.)
 */
export function binaryConvGemm(a: usize, b: usize, c: usize, m0: i32, m1: i32, n: i32, w64: i32, desc: usize): void {
  const spans = <usize>load<i32>(desc);
  const count = load<i32>(desc, 4);
  const kw = load<i32>(desc, 8);
  const cw64 = load<i32>(desc, 12);
  const pixels = <usize>load<i32>(desc, 16);
  const width = load<i32>(desc, 20);
  for (let s = 0; s < count; s++) {
    const e = spans + (<usize>s << 4);
    const r0 = max(load<i32>(e), m0);
    const r1 = min(load<i32>(e, 4), m1);
    if (r0 >= r1) continue;
    const window = load<i32>(e, 8);
    const k = load<i32>(e, 12);
    if (window == -1 && pixels) stationaryConvRows(pixels, width, b, c, r0, r1, n, k);
    else if (window == -1) gemmRows(a, b, c, r0, r1, n, w64, k);
    else windowRows(a, b, c, r0, r1, n, w64, k, window, kw, cw64);
  }
}

function gemmRows(a: usize, b: usize, c: usize, m0: i32, m1: i32, n: i32, w64: i32, k: i32): void {
  if (stationaryApplies(w64, n)) {
    stationaryRows(a, b, c, m0, m1, n, k);
    return;
  }
  const rowBytes = <usize>w64 << 3;
  const fullEnd = b + ((<usize>(n >> 2) * <usize>w64) << 5);
  const rest = n & 3;
  let pa = a + <usize>m0 * rowBytes;
  let out = c + ((<usize>m0 * <usize>n) << 2);
  for (let m = m0; m < m1; m++) {
    const end = pa + rowBytes;
    let y = b;
    while (y < fullEnd) {
      let s0: i64 = 0;
      let s1: i64 = 0;
      let s2: i64 = 0;
      let s3: i64 = 0;
      let x = pa;
      do {
        // B operand first: V8 then xors into the freshly loaded register instead of copying the A word.
        const v = load<u64>(x);
        s0 += popcnt(load<u64>(y) ^ v);
        s1 += popcnt(load<u64>(y, 8) ^ v);
        s2 += popcnt(load<u64>(y, 16) ^ v);
        s3 += popcnt(load<u64>(y, 24) ^ v);
        x += 8;
        y += 32;
      } while (x < end);
      store4(out, k, s0, s1, s2, s3);
      out += 16;
    }
    if (rest) {
      // the last panel holds 1..3 columns
      let s0: i64 = 0;
      let s1: i64 = 0;
      let s2: i64 = 0;
      let x = pa;
      do {
        const v = load<u64>(x);
        s0 += popcnt(load<u64>(y) ^ v);
        s1 += popcnt(load<u64>(y, 8) ^ v);
        s2 += popcnt(load<u64>(y, 16) ^ v);
        x += 8;
        y += 32;
      } while (x < end);
      storeRest(out, k, rest, s0, s1, s2);
      out += <usize>rest << 2;
    }
    pa = end;
  }
}

// Rows whose window misses some taps (the border pixels): per panel, the runs of the window (tapRuns).
// Structured like gemmRows.
function windowRows(a: usize, b: usize, c: usize, r0: i32, r1: i32, n: i32, w64: i32, k: i32, window: i32, kw: i32, cw64: i32): void {
  const runs = tapRuns(window, kw);
  const tapBytes = <usize>cw64 << 3;
  const count = runCount(runs);
  const runBytes = runLength(runs, tapBytes);
  // from the end of one run to the start of the next (the taps of the next kernel row)
  const gap = runGap(runs, tapBytes);
  const first = runStart(runs, tapBytes);
  const rowBytes = <usize>w64 << 3;
  const panelBytes = <usize>w64 << 5;
  const fullEnd = b + first * 4 + <usize>(n >> 2) * panelBytes;
  const rest = n & 3;
  let pa = a + <usize>r0 * rowBytes + first;
  let out = c + ((<usize>r0 * <usize>n) << 2);
  for (let m = r0; m < r1; m++) {
    let panel = b + first * 4;
    while (panel < fullEnd) {
      let s0: i64 = 0;
      let s1: i64 = 0;
      let s2: i64 = 0;
      let s3: i64 = 0;
      let x = pa;
      let y = panel;
      for (let r = count; r > 0; r--) {
        const end = x + runBytes;
        do {
          const v = load<u64>(x);
          s0 += popcnt(load<u64>(y) ^ v);
          s1 += popcnt(load<u64>(y, 8) ^ v);
          s2 += popcnt(load<u64>(y, 16) ^ v);
          s3 += popcnt(load<u64>(y, 24) ^ v);
          x += 8;
          y += 32;
        } while (x < end);
        x += gap;
        y += gap << 2;
      }
      store4(out, k, s0, s1, s2, s3);
      out += 16;
      panel += panelBytes;
    }
    if (rest) {
      let s0: i64 = 0;
      let s1: i64 = 0;
      let s2: i64 = 0;
      let x = pa;
      let y = panel;
      for (let r = count; r > 0; r--) {
        const end = x + runBytes;
        do {
          const v = load<u64>(x);
          s0 += popcnt(load<u64>(y) ^ v);
          s1 += popcnt(load<u64>(y, 8) ^ v);
          s2 += popcnt(load<u64>(y, 16) ^ v);
          x += 8;
          y += 32;
        } while (x < end);
        x += gap;
        y += gap << 2;
      }
      storeRest(out, k, rest, s0, s1, s2);
      out += <usize>rest << 2;
    }
    pa += rowBytes;
  }
}

// @ts-ignore: decorator
@inline function store4(out: usize, k: i32, s0: i64, s1: i64, s2: i64, s3: i64): void {
  store<i32>(out, k - (<i32>s0 << 1));
  store<i32>(out, k - (<i32>s1 << 1), 4);
  store<i32>(out, k - (<i32>s2 << 1), 8);
  store<i32>(out, k - (<i32>s3 << 1), 12);
}

// the last panel's 1..3 columns
// @ts-ignore: decorator
@inline function storeRest(out: usize, k: i32, rest: i32, s0: i64, s1: i64, s2: i64): void {
  store<i32>(out, k - (<i32>s0 << 1));
  if (rest > 1) store<i32>(out, k - (<i32>s1 << 1), 4);
  if (rest > 2) store<i32>(out, k - (<i32>s2 << 1), 8);
}
