// Counter-based randomness: every draw is a pure function of its coordinates (seed, epoch, index, stream), so a
// run resumed at any batch reproduces the draws of the uninterrupted run without replaying a generator.

/** murmur3's 32-bit finaliser: a bijective avalanche mix of one 32-bit word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A well-mixed 32-bit hash of four 32-bit words (each word goes through a full avalanche round). */
export function hash4(a: number, b: number, c: number, d: number): number {
  let h = fmix32(a ^ 0x9e3779b9);
  h = fmix32(h ^ Math.imul(b | 0, 0x85ebca6b) ^ 0x632be5ab);
  h = fmix32(h ^ Math.imul(c | 0, 0xc2b2ae35) ^ 0x1b873593);
  return fmix32(h ^ Math.imul(d | 0, 0x27d4eb2f) ^ 0xe6546b64);
}

/** Uniform integer in `[0, n)` from a 32-bit hash (multiply-shift; bias < n / 2^32). */
export function below(hash: number, n: number): number {
  return Math.floor((hash / 4294967296) * n);
}

/** Stream identifiers keep the permutation and each augmentation draw independent. */
export const STREAM_PERMUTE: number = 1;
export const STREAM_CROP_Y: number = 2;
export const STREAM_CROP_X: number = 3;
export const STREAM_FLIP: number = 4;

/**
 * The order in which an epoch visits examples `0 … n-1`: a Fisher–Yates shuffle whose swap `i` uses the draw
 * `hash4(seed, epoch, i, STREAM_PERMUTE)`, so the permutation depends only on (seed, epoch, n).
 */
export function permutation(n: number, seed: number, epoch: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = below(hash4(seed, epoch, i, STREAM_PERMUTE), i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}
