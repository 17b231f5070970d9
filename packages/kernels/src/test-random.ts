// Test helper (excluded from the build): seeded random data.

/** mulberry32: a small seeded 32-bit generator returning numbers in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
