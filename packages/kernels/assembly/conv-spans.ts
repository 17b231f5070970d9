// Row spans of a convolution GEMM and the runs of taps they cover, shared by the binary and the bit-serial
// convolution kernels.
//
// A span descriptor is 6 i32: spans, span count, kw, cw64, pixels, width. pixels (0 if unused) is the packed input of
// a binary 3×3, stride-1, pad-1 convolution over 33–64 channels, `width` pixels wide, whose rows with every tap inside
// are computed from it (stationaryConvRows) and not from im2col rows. spans holds 4 i32 per span (the TypeScript
// `windowSpans`): first row, end row, window, valid bits. Rows of a span share the window of taps inside the
// input: −1 for every tap, else ky0 | ky1 << 8 | kx0 << 16 | kx1 << 24 (taps ky0 ≤ ky < ky1, kx0 ≤ kx < kx1 of a
// kernel kw taps wide, each tap cw64 u64 words of an im2col row); valid bits = window taps × channels. Computing
// a zero-padded convolution over the window skips the padding instead of computing (or correcting for) it, so a
// border pixel costs in proportion to its taps inside the input.

/**
 * The taps of a window (not −1) as runs of contiguous taps of an im2col row: one run per kernel row of the
 * window, or a single run when the window spans whole kernel rows, none when it is empty. Packed 8 bits each
 * (kh·kw ≤ 32): first tap | taps per run << 8 | runs << 16 | taps from the end of one run to the start of the
 * next << 24; read with runStart, runLength, runCount and runGap.
 */
// @ts-ignore: decorator
@inline export function tapRuns(window: i32, kw: i32): i32 {
  const ky0 = window & 0xff;
  const kx0 = (window >> 16) & 0xff;
  let length = ((window >>> 24) & 0xff) - kx0;
  let runs = ((window >> 8) & 0xff) - ky0;
  if (length <= 0 || runs <= 0) return 0;
  const gap = kw - length;
  if (gap == 0) {
    length *= runs;
    runs = 1;
  }
  return (ky0 * kw + kx0) | (length << 8) | (runs << 16) | (gap << 24);
}

/** Byte offset of the first run in a row whose taps take tapBytes each. */
// @ts-ignore: decorator
@inline export function runStart(runs: i32, tapBytes: usize): usize {
  return <usize>(runs & 0xff) * tapBytes;
}

/** Bytes of one run. */
// @ts-ignore: decorator
@inline export function runLength(runs: i32, tapBytes: usize): usize {
  return <usize>((runs >> 8) & 0xff) * tapBytes;
}

/** Number of runs (0 for an empty window). */
// @ts-ignore: decorator
@inline export function runCount(runs: i32): i32 {
  return (runs >> 16) & 0xff;
}

/** Bytes from the end of one run to the start of the next. */
// @ts-ignore: decorator
@inline export function runGap(runs: i32, tapBytes: usize): usize {
  return <usize>(runs >>> 24) * tapBytes;
}
