// Test helper (excluded from the build): a seeded PRNG so every test sees the same data.
import { rng } from '@quantprune/test-utils';
export { rng };

/** `n` approximately normal float32 values (sum of uniforms), times `scale`, plus `shift`. */
export function randomNormal(n: number, seed: number, scale = 1, shift = 0): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = ((r() + r() + r() + r() - 2) * Math.sqrt(3)) * scale + shift;
  return out;
}
