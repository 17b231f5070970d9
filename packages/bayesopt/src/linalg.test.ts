import { describe, expect, it } from 'vitest';
import { choleskyWithJitter, inverseFromCholesky, solveLowerInPlace, solveLowerTransposeInPlace } from './linalg.ts';

describe('choleskyWithJitter', () => {
  it('factors a known matrix exactly', () => {
    // [[4,12,-16],[12,37,-43],[-16,-43,98]] = L Lᵀ with L = [[2,0,0],[6,1,0],[-8,5,3]] (the Wikipedia "Cholesky decomposition" example)
    const { factor, jitter } = choleskyWithJitter(new Float64Array([4, 12, -16, 12, 37, -43, -16, -43, 98]), 3);
    expect(jitter).toBe(0);
    expect(Array.from(factor)).toEqual([2, 0, 0, 6, 1, 0, -8, 5, 3]);
  });

  it('escalates jitter on a singular matrix instead of throwing', () => {
    const ones = new Float64Array(16).fill(1);
    const { jitter } = choleskyWithJitter(ones, 4);
    expect(jitter).toBeGreaterThan(0);
    expect(jitter).toBeLessThan(1e-6);
  });

  it('solves and inverts consistently (tolerance 1e-12, float64)', () => {
    const a = new Float64Array([4, 12, -16, 12, 37, -43, -16, -43, 98]);
    const { factor } = choleskyWithJitter(a, 3);
    const b = new Float64Array([1, 2, 3]);
    solveLowerInPlace(factor, 3, b);
    solveLowerTransposeInPlace(factor, 3, b);
    for (let i = 0; i < 3; i++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += a[i * 3 + k]! * b[k]!;
      expect(s).toBeCloseTo(i + 1, 10);
    }
    const inv = inverseFromCholesky(factor, 3);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += a[i * 3 + k]! * inv[k * 3 + j]!;
        expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
  });
});
