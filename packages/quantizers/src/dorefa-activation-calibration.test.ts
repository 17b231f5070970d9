import { describe, expect, it } from 'vitest';
import { calibrateDoReFaActivationClip } from './dorefa-activation-calibration.ts';
import { quantizeDoReFaActivations } from './dorefa.ts';
import { randomNormal } from './test-random.ts';

/** Post-ReLU-like activations: max(0, N(0.5, 1)), range about 0 … 5. */
function reluLike(): Float32Array {
  return randomNormal(20_000, 11, 1).map((v) => Math.max(0, v + 0.5));
}

/** Mean squared error of the DoReFa quantizer itself (float64 sum). */
function mse(x: Float32Array, clipValue: number): number {
  const q = quantizeDoReFaActivations(x, { bits: 2, clipValue }).values;
  return q.reduce((s, v, i) => s + (v - x[i]!) ** 2, 0) / x.length;
}

describe('calibrateDoReFaActivationClip', () => {
  it('picks α > 1 for wide ReLU activations, with a smaller error than α = 1 and than α = max', () => {
    const x = reluLike();
    const max = x.reduce((m, v) => Math.max(m, v), 0);
    const { clipValue, error, unitError } = calibrateDoReFaActivationClip(x, { bits: 2 });
    expect(clipValue).toBeGreaterThan(1);
    expect(clipValue).toBeLessThan(max * 0.75);
    expect(error).toBeLessThan(unitError / 2);
    // the criterion is the quantizer's own error (round-half-even ties aside): relative 1e-9 in float64
    expect(error).toBeCloseTo(mse(x, clipValue), 9);
    expect(unitError).toBeCloseTo(mse(x, 1), 9);
    expect(error).toBeLessThan(mse(x, max));
  });

  it('returns the best candidate of the grid it is given', () => {
    const x = reluLike();
    const max = x.reduce((m, v) => Math.max(m, v), 0);
    const fractions = [0.1, 0.3, 0.6, 1];
    const best = calibrateDoReFaActivationClip(x, { bits: 2, fractions });
    const errors = fractions.map((f) => calibrateDoReFaActivationClip(x, { bits: 2, fractions: [f] }).error);
    expect(best.error).toBe(Math.min(...errors));
    expect(best.clipValue).toBe(Math.fround(fractions[errors.indexOf(best.error)]! * max));
  });

  it('more bits move α towards the maximum (less clipping pays)', () => {
    const x = reluLike();
    expect(calibrateDoReFaActivationClip(x, { bits: 4 }).clipValue).toBeGreaterThan(calibrateDoReFaActivationClip(x, { bits: 1 }).clipValue);
  });

  it('keeps α = 1 when no sample is positive', () => {
    expect(calibrateDoReFaActivationClip(Float32Array.of(-1, 0, -3), { bits: 2 })).toEqual({ clipValue: 1, error: 10 / 3, unitError: 10 / 3 });
  });

  it('rejects bad bit-widths, empty or non-finite samples and bad fractions', () => {
    expect(() => calibrateDoReFaActivationClip(new Float32Array(2), { bits: 9 })).toThrow(/^calibrateDoReFaActivationClip: bits/);
    expect(() => calibrateDoReFaActivationClip(new Float32Array(0), { bits: 2 })).toThrow(/x must not be empty/);
    expect(() => calibrateDoReFaActivationClip(Float32Array.of(1, Number.POSITIVE_INFINITY), { bits: 2 })).toThrow(/finite, got Infinity at index 1/);
    expect(() => calibrateDoReFaActivationClip(Float32Array.of(1), { bits: 2, fractions: [] })).toThrow(/fractions must not be empty/);
    expect(() => calibrateDoReFaActivationClip(Float32Array.of(1), { bits: 2, fractions: [1.5] })).toThrow(/\(0, 1\], got 1.5/);
  });
});
