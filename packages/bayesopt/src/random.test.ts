import { describe, expect, it } from 'vitest';
import { Random } from './random.ts';

describe('Random (xoshiro128**)', () => {
  it('matches the reference algorithm from a known state', () => {
    // State {1, 2, 3, 4} → 11520, 0, 5927040: hand-computed from xoshiro128starstar.c (prng.di.unimi.it)
    const r = Random.fromState([1, 2, 3, 4]);
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([11520, 0, 5927040]);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const a = new Random(7);
    const b = new Random(7);
    const c = new Random(8);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });

  it('resumes exactly from a JSON round trip of its state', () => {
    const a = new Random(123);
    a.next();
    const b = Random.fromState(JSON.parse(JSON.stringify(a.state())));
    expect(Array.from({ length: 10 }, () => b.nextUint32())).toEqual(Array.from({ length: 10 }, () => a.nextUint32()));
  });

  it('draws uniforms in [0, 1) and normals with the right moments', () => {
    const r = new Random(1);
    let sum = 0;
    let sq = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      const z = r.normal();
      sum += z;
      sq += z * z;
    }
    // Tolerance: 5 standard errors of the sample mean (1/√n ≈ 0.007) and variance (√(2/n) ≈ 0.01)
    expect(Math.abs(sum / n)).toBeLessThan(0.035);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.05);
  });

  it('rejects non-finite seeds and malformed states', () => {
    expect(() => new Random(Number.NaN)).toThrow(/^Random: seed must be a finite number, got NaN/);
    expect(() => Random.fromState([1, 2, 3] as unknown as [number, number, number, number])).toThrow(RangeError);
  });
});
