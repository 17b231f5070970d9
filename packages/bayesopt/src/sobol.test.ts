import { describe, expect, it } from 'vitest';
import { Random } from './random.ts';
import { SOBOL_MAX_DIMENSION, SobolSequence, sobolPoints } from './sobol.ts';

describe('sobolPoints', () => {
  it('reproduces the first unscrambled points in 2-D and 3-D', () => {
    // Joe–Kuo new-joe-kuo-6.21201 directions, Gray-code order; same values as scipy.stats.qmc.Sobol(d=3, scramble=False)
    const expected = [
      [0, 0, 0],
      [0.5, 0.5, 0.5],
      [0.75, 0.25, 0.25],
      [0.25, 0.75, 0.75],
      [0.375, 0.375, 0.625],
      [0.875, 0.875, 0.125],
      [0.625, 0.125, 0.875],
      [0.125, 0.625, 0.375],
    ];
    // Exact: dyadic rationals are represented exactly in float64 (tolerance 0).
    expect(sobolPoints(8, 3).map((p) => Array.from(p))).toEqual(expected);
    expect(sobolPoints(8, 2).map((p) => Array.from(p))).toEqual(expected.map((p) => p.slice(0, 2)));
  });

  it('forms a (0, 4, 1)-net in each coordinate over 16 points', () => {
    // Points 4–7 above already use v_3, which dimensions 2 and 3 (s = 1, 2) get from the Bratley–Fox recurrence.
    const pts = sobolPoints(16, 3);
    // Every one of the 16 points lies in its own interval [k/16, (k+1)/16) in each coordinate: a (0, 4, 1)-net.
    for (let j = 0; j < 3; j++) {
      const cells = new Set(pts.map((p) => Math.floor(p[j]! * 16)));
      expect(cells.size).toBe(16);
    }
  });

  it('keeps the net property when scrambled, and is deterministic per seed', () => {
    const a = sobolPoints(64, 5, { rng: new Random(3) });
    const b = sobolPoints(64, 5, { rng: new Random(3) });
    expect(a).toEqual(b);
    for (let j = 0; j < 5; j++) {
      const cells = new Set(a.map((p) => Math.floor(p[j]! * 64)));
      expect(cells.size).toBe(64);
      for (const p of a) {
        expect(p[j]).toBeGreaterThanOrEqual(0);
        expect(p[j]).toBeLessThan(1);
      }
    }
    expect(Array.from(a[0]!)).not.toEqual([0, 0, 0, 0, 0]);
  });

  it('supports every bundled dimension and rejects others', () => {
    const s = new SobolSequence(SOBOL_MAX_DIMENSION);
    s.next();
    expect(Array.from(s.next()).every((v) => v === 0.5)).toBe(true);
    expect(() => new SobolSequence(0)).toThrow(/^SobolSequence: dimension must be an integer in \[1, 32\], got 0/);
    expect(() => new SobolSequence(SOBOL_MAX_DIMENSION + 1)).toThrow(RangeError);
    expect(() => sobolPoints(-1, 2)).toThrow(/^sobolPoints: n must be an integer ≥ 0, got -1/);
  });
});
