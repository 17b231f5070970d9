import { describe, expect, it } from 'vitest';
import { foldBatchNorm, scaleBiasTransform, thresholdTransform } from './output-transform.ts';
import { rng } from './test-random.ts';

const bit = (t: ReturnType<typeof thresholdTransform>, i: number, c: number): number => (c < t.threshold[i]! !== (t.flip[i] !== 0) ? 1 : 0);

describe('thresholdTransform', () => {
  it('is exact around every threshold, for positive, negative, zero and non-finite scales', () => {
    const r = rng(1);
    const scale = [0.37, -0.37, 1, -1, 0, 0, 1e-9, -3e5, NaN, 2];
    const bias = [5, 5, -3, 3, -1, 1, 0.5, 7, 1, Infinity];
    for (let i = 0; i < 30; i++) {
      scale.push((r() - 0.5) * 10 ** Math.floor(r() * 6 - 3));
      bias.push((r() - 0.5) * 10 ** Math.floor(r() * 6 - 1));
    }
    const t = thresholdTransform(scale, bias);
    for (let i = 0; i < scale.length; i++) {
      const centre = Number.isFinite(-bias[i]! / scale[i]!) ? Math.round(-bias[i]! / scale[i]!) : 0;
      for (let c = Math.max(centre - 40, -(2 ** 31)); c <= Math.min(centre + 40, 2 ** 31 - 1); c++) {
        expect(bit(t, i, c), `channel ${i}, C = ${c}`).toBe(scale[i]! * c + bias[i]! < 0 ? 1 : 0);
      }
      for (const c of [-(2 ** 30), -1000, 0, 1000, 2 ** 30]) expect(bit(t, i, c)).toBe(scale[i]! * c + bias[i]! < 0 ? 1 : 0);
    }
  });

  it('treats scale·C + bias = 0 as +1 (bit 0), like sign(0) = +1', () => {
    const t = thresholdTransform([2, -2], [-4, 4]); // zero at C = 2 for both
    expect([bit(t, 0, 1), bit(t, 0, 2), bit(t, 0, 3)]).toEqual([1, 0, 0]);
    expect([bit(t, 1, 1), bit(t, 1, 2), bit(t, 1, 3)]).toEqual([0, 0, 1]);
  });

  it('rejects mismatched lengths', () => {
    expect(() => thresholdTransform([1, 2], [1])).toThrow(/thresholdTransform: scale and bias need the same positive length/);
    expect(() => scaleBiasTransform([], [])).toThrow(RangeError);
  });
});

describe('foldBatchNorm', () => {
  it('folds BN after a pre-scale and pre-bias', () => {
    const bn = { gamma: [2, -1], beta: [0.5, 1], mean: [1, -2], variance: [3, 0.25], epsilon: 1 };
    const { scale, bias } = foldBatchNorm(bn, [0.5, 4], 1);
    for (const [i, c] of [[0, 7], [1, -3]] as const) {
      const y = 0.5 * (i === 0 ? 1 : 8) * c + 1; // preScale·C + preBias
      const expected = (bn.gamma[i]! * (y - bn.mean[i]!)) / Math.sqrt(bn.variance[i]! + 1) + bn.beta[i]!;
      expect(scale[i]! * c + bias[i]!).toBeCloseTo(expected, 12);
    }
  });

  it('rejects inconsistent parameters', () => {
    expect(() => foldBatchNorm({ gamma: [1], beta: [0, 0], mean: [0], variance: [1] })).toThrow(/beta has 2 entries/);
    expect(() => foldBatchNorm({ gamma: [1], beta: [0], mean: [0], variance: [-1], epsilon: 0 })).toThrow(/variance\[0\] \+ epsilon must be positive/);
  });
});
