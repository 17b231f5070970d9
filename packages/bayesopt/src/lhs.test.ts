import { describe, expect, it } from 'vitest';
import { latinHypercube } from './lhs.ts';
import { Random } from './random.ts';

describe('latinHypercube', () => {
  it('hits every stratum of every coordinate exactly once', () => {
    const pts = latinHypercube(20, 4, new Random(5));
    expect(pts).toHaveLength(20);
    for (let j = 0; j < 4; j++) expect(new Set(pts.map((p) => Math.floor(p[j]! * 20))).size).toBe(20);
  });

  it('is deterministic per seed', () => {
    expect(latinHypercube(7, 3, new Random(1))).toEqual(latinHypercube(7, 3, new Random(1)));
  });

  it('rejects bad sizes', () => {
    expect(() => latinHypercube(-1, 2, new Random(1))).toThrow(/^latinHypercube: n must be an integer ≥ 0, got -1/);
    expect(() => latinHypercube(3, 0, new Random(1))).toThrow(/^latinHypercube: dimension must be an integer ≥ 1, got 0/);
  });
});
