/**
 * A small seeded pseudo-random generator for weight initialisation: xoshiro128** (Blackman & Vigna 2018) with
 * its state filled by splitmix32 from a 32-bit seed. Deterministic across platforms (32-bit integer arithmetic
 * only); not for cryptography.
 */
export interface Prng {
  /** A float in [0, 1) with 32 random bits. */
  uniform(): number;
  /** A standard normal variate (Box–Muller, float64). */
  normal(): number;
}

/**
 * Creates a generator from a seed.
 *
 * @param seed - any integer; only its low 32 bits are used
 * @returns the generator
 * @throws RangeError when `seed` is not a safe integer
 */
export function createPrng(seed: number): Prng {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`createPrng: seed must be a safe integer, got ${String(seed)}`);
  let sm = seed >>> 0;
  const splitmix32 = (): number => {
    sm = (sm + 0x9e3779b9) >>> 0;
    let z = sm;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  const next = xoshiro128StarStar([splitmix32(), splitmix32(), splitmix32(), splitmix32()]);
  let spare: number | null = null;
  return {
    uniform: () => next() / 2 ** 32,
    normal: () => {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      const u1 = 1 - next() / 2 ** 32; // (0, 1]: log is finite
      const u2 = next() / 2 ** 32;
      const r = Math.sqrt(-2 * Math.log(u1));
      spare = r * Math.sin(2 * Math.PI * u2);
      return r * Math.cos(2 * Math.PI * u2);
    },
  };
}

/**
 * The xoshiro128** step function over a 4 × 32-bit state (not all zero).
 *
 * @param state - initial state words
 * @returns a function giving the next unsigned 32-bit output
 */
export function xoshiro128StarStar(state: readonly [number, number, number, number]): () => number {
  let [a, b, c, d] = state.map((x) => x >>> 0) as [number, number, number, number];
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
