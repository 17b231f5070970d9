import { describe, expect, it } from 'vitest';
import { calibrateDoReFaWeights } from './dorefa-calibration.ts';
import { quantizeDoReFaWeights } from './dorefa.ts';
import { randomNormal } from './test-random.ts';

/** Pretrained-like weights: a narrow bell (σ = 0.05) with a few large outliers that set max|tanh(w)|. */
function pretrainedLike(): Float32Array {
  const w = randomNormal(4000, 7, 0.05);
  for (let i = 0; i < 8; i++) w[i * 500] = i % 2 === 0 ? 0.6 : -0.55;
  return w;
}

describe('calibrateDoReFaWeights', () => {
  it('finds a scale > 1 that spreads a bell with outliers over all four 2-bit levels', () => {
    const w = pretrainedLike();
    const unscaled = quantizeDoReFaWeights(w, { bits: 2 }).codes;
    // unscaled, the outliers alone reach the outer levels (|tanh(w)| > 2/3 of the max)
    expect(unscaled.filter((c) => c === 0 || c === 3).length).toBeLessThan(20);
    const { scale, error, unscaledError } = calibrateDoReFaWeights(w, { bits: 2 });
    expect(scale).toBeGreaterThan(2);
    expect(error).toBeLessThan(unscaledError * 0.7);
    const codes = quantizeDoReFaWeights(w.map((v) => v * scale), { bits: 2 }).codes;
    expect(codes.filter((c) => c === 0 || c === 3).length).toBeGreaterThan(400);
  });

  it('reports the scale-invariant error 1 − ⟨q,w⟩²/(‖q‖²‖w‖²) of each candidate', () => {
    const w = Float32Array.of(0.1, -0.2, 0.3, -0.05);
    const q = quantizeDoReFaWeights(w, { bits: 2 }).values;
    let qw = 0;
    let qq = 0;
    let ww = 0;
    w.forEach((v, i) => {
      qw += v * q[i]!;
      qq += q[i]! ** 2;
      ww += v * v;
    });
    const only = calibrateDoReFaWeights(w, { bits: 2, scales: [1] });
    expect(only.scale).toBe(1);
    expect(only.error).toBeCloseTo(1 - (qw * qw) / (qq * ww), 12); // float64 sums of the same float32 values
    expect(only.unscaledError).toBe(only.error);
    const error = (s: number): number => calibrateDoReFaWeights(w, { bits: 2, scales: [s] }).error;
    const best = calibrateDoReFaWeights(w, { bits: 2, scales: [1, 2, 4, 8] });
    expect(best.error).toBe(Math.min(error(1), error(2), error(4), error(8)));
  });

  it('rejects bad bit-widths, empty or NaN weights and bad candidates', () => {
    expect(() => calibrateDoReFaWeights(new Float32Array(2), { bits: 0 })).toThrow(/calibrateDoReFaWeights/);
    expect(() => calibrateDoReFaWeights(new Float32Array(0), { bits: 2 })).toThrow(/calibrateDoReFaWeights/);
    expect(() => calibrateDoReFaWeights(Float32Array.of(1, Number.NaN), { bits: 2 })).toThrow(/NaN/);
    expect(() => calibrateDoReFaWeights(new Float32Array(2), { bits: 2, scales: [] })).toThrow(/scales must not be empty/);
    expect(() => calibrateDoReFaWeights(new Float32Array(2), { bits: 2, scales: [1, -2] })).toThrow(/finite and > 0, got -2/);
  });
});
