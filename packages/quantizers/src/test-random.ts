// Test helper (excluded from the build): a seeded PRNG so every test sees the same data.

/** mulberry32: a small, fast, seeded 32-bit generator returning numbers in [0, 1). */
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

/** `n` approximately normal float32 values (sum of uniforms), times `scale`, plus `shift`. */
export function randomNormal(n: number, seed: number, scale = 1, shift = 0): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = ((r() + r() + r() + r() - 2) * Math.sqrt(3)) * scale + shift;
  return out;
}
