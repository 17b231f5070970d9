// Level tables and small worked examples with hand-checked values.
import { describe, expect, test } from 'vitest';
import { admmLevels, fitAdmmStep } from './admm-levels.ts';
import { binaryLevels } from './binary.ts';
import { doReFaActivationLevels, doReFaWeightLevels, quantizeDoReFaWeights } from './dorefa.ts';
import { lsqBounds, lsqGradScale, lsqInitStep } from './lsq.ts';
import { roundHalfEven } from './internal/round.ts';
import { calibrateUniform, quantizeUniform, uniformRange } from './uniform.ts';
import { quantizeXnorWeights } from './xnor.ts';

const f = Math.fround;

describe('level tables', () => {
  test('binary', () => {
    expect(Array.from(binaryLevels())).toEqual([-1, 1]); // Larq/LCE ste_sign: sign(0) = +1
    expect(Array.from(binaryLevels(0))).toEqual([-1, 0, 1]); // torch.sign: sign(0) = 0
  });
  test('DoReFa weights k=2 = {−1, −1/3, 1/3, 1}', () => {
    // issue 5 / papers.md §A.3.2: "Levels for k=2: {−1, −1/3, 1/3, 1}"
    expect(Array.from(doReFaWeightLevels(2))).toEqual([-1, f(-1 / 3), f(1 / 3), 1]);
    expect(Array.from(doReFaWeightLevels(1))).toEqual([-1, 1]);
  });
  test('DoReFa activations k=2 = {0, 1/3, 2/3, 1}', () => {
    // Zhou et al. 2016, quantize_k: round((2^k−1)x)/(2^k−1)
    expect(Array.from(doReFaActivationLevels(2))).toEqual([0, f(1 / 3), f(2 / 3), 1]);
  });
  test('uniform ranges', () => {
    // ONNX QuantizeLinear uint8 / int8 saturation ranges
    expect(uniformRange(8)).toEqual({ qmin: 0, qmax: 255 });
    expect(uniformRange(8, 'symmetric')).toEqual({ qmin: -128, qmax: 127 });
    expect(uniformRange(4, 'symmetric', true)).toEqual({ qmin: -7, qmax: 7 });
  });
  test('LSQ bounds and defaults', () => {
    // Esser et al. 2020 §2: Q_N = 2^(b−1), Q_P = 2^(b−1) − 1 signed; Q_N = 0, Q_P = 2^b − 1 unsigned
    expect(lsqBounds(3)).toEqual({ qn: 4, qp: 3 });
    expect(lsqBounds(3, false)).toEqual({ qn: 0, qp: 7 });
    expect(lsqGradScale(12, { bits: 3 })).toBeCloseTo(1 / 6, 12); // 1/√(12·3)
    expect(lsqInitStep(new Float32Array([-3, 3]), { bits: 3 })).toBe(f(6 / Math.sqrt(3))); // 2·mean|x|/√Q_P
  });
  test('Paper B levels', () => {
    // papers.md §B.3.3: {−c·q, …, −q, +q, …, +c·q}
    expect(Array.from(admmLevels(2, 0.5))).toEqual([-1, -0.5, 0.5, 1]);
    expect(Array.from(admmLevels(2, 0.5, true))).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(fitAdmmStep(new Float32Array([-1, 0.5, 1]), 2)).toBe(0.5); // exact fit at q0 = max/c
  });
});

describe('worked examples', () => {
  test('round half to even', () => {
    // numpy.rint / ONNX QuantizeLinear: ties to even
    expect([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5].map(roundHalfEven)).toEqual([-2, -2, -0, 0, 2, 2, 4]);
  });
  test('XNOR α per channel', () => {
    // α_0 = (0.5 + 1.5)/2 = 1, α_1 = (2 + 4)/2 = 3
    const q = quantizeXnorWeights(new Float32Array([0.5, -1.5, 2, 4]), { shape: [2, 2], axis: 0 });
    expect(Array.from(q.values)).toEqual([1, -1, 3, 3]);
    expect(Array.from(q.levels)).toEqual([-1, 1, -3, 3]);
  });
  test('DoReFa weights k=2 by hand', () => {
    // tanh(1.2) = 0.8337 is the max; u = tanh(w)/(2·0.8337) + 1/2 → 3u = 1.59, 1.03, 3 → codes 2, 1, 3
    expect(Array.from(quantizeDoReFaWeights(new Float32Array([0.05, -0.4, 1.2]), { bits: 2 }).codes)).toEqual([2, 1, 3]);
  });
  test('uniform affine k=2 on [−1, 3]', () => {
    // scale = 4/3, zero point = round(0 − (−1)/(4/3)) = round(0.75) = 1
    const p = calibrateUniform(new Float32Array([-1, 0, 3]), { bits: 2 });
    expect(Array.from(p.scale)).toEqual([f(4 / 3)]);
    expect(Array.from(p.zeroPoint)).toEqual([1]);
    expect(Array.from(quantizeUniform(new Float32Array([-1, 0, 0.5, 3]), { bits: 2 }).intCodes)).toEqual([0, 1, 1, 3]);
  });
  test('MSE calibration clips an outlier (smaller error than min/max)', () => {
    const x = new Float32Array(2000).map((_, i) => Math.fround(Math.sin(i)));
    x[0] = 3; // one outlier: min/max spends most levels on it
    const err = (v: Float32Array): number => v.reduce((s, y, i) => s + (y - x[i]!) ** 2, 0);
    const minmax = quantizeUniform(x, { bits: 4, scheme: 'symmetric' });
    const mse = quantizeUniform(x, { bits: 4, scheme: 'symmetric', calibration: 'mse', mseSearch: { low: 0.01, high: 1, steps: 100 } });
    expect(mse.scale[0]!).toBeLessThan(minmax.scale[0]!);
    expect(err(mse.values)).toBeLessThan(err(minmax.values));
  });
});
