import { describe, expect, it } from 'vitest';
import { createPrng, xoshiro128StarStar } from './prng.ts';

describe('xoshiro128**', () => {
  it('matches the reference output for state [1, 2, 3, 4]', () => {
    // Reference sequence of xoshiro128** seeded with s = {1, 2, 3, 4} (rand_xoshiro's test vector, which
    // reproduces Blackman & Vigna's C code).
    const next = xoshiro128StarStar([1, 2, 3, 4]);
    const got = Array.from({ length: 10 }, next);
    expect(got).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804]);
  });
});

describe('createPrng', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = createPrng(7);
    const b = createPrng(7);
    const c = createPrng(8);
    const xa = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(xa);
  });

  it('gives uniform [0, 1) and standard normal moments', () => {
    const r = createPrng(1);
    const n = 200_000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      if (!(u >= 0 && u < 1)) outside++;
      su += u;
      const z = r.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(outside).toBe(0);
    // Standard errors: uniform mean 0.29/sqrt(n) ≈ 6.5e-4; normal mean 1/sqrt(n) ≈ 2.2e-3, variance ≈ 3.2e-3.
    expect(Math.abs(su / n - 0.5)).toBeLessThan(0.004);
    expect(Math.abs(sn / n)).toBeLessThan(0.012);
    expect(Math.abs(sn2 / n - 1)).toBeLessThan(0.02);
  });

  it('rejects a non-integer seed', () => {
    expect(() => createPrng(1.5)).toThrow(/createPrng: seed must be a safe integer, got 1.5/);
  });
});
