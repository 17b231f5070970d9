// Test helper (excluded from the build): seeded random data.
import { rng } from '@quantprune/test-utils';
export { rng };

/** `n` floats in [−1, 1) with some exact zeros and negative zeros mixed in (sign(±0) = +1). */
export function randomFloats(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => {
    const u = r();
    if (u < 0.03) return 0;
    if (u < 0.06) return -0;
    return r() * 2 - 1;
  });
}

/** `n` integer codes in [0, 2^bits). */
export function randomCodes(n: number, bits: number, seed: number): Uint8Array {
  const r = rng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 2 ** bits));
}
