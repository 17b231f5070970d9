// Broadcasting BatchNorm against a float64 reference of torch's BatchNorm2d (forward, gradients, running stats).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNorm, type BatchNormState } from './batch-norm.ts';
import { BACKENDS, randomArray, relativeError, rng, useBackend } from './test-backends.ts';

const [N, H, W, C] = [4, 5, 3, 6];
const M = N * H * W; // values per channel
const EPS = 1e-5;
const MOMENTUM = 0.1;

const rand = rng(11);
const X = randomArray(M * C, rand, -2, 3); // NHWC
const R = randomArray(M * C, rand); // loss = Σ y·r, so dy = r
const GAMMA = randomArray(C, rand, 0.5, 1.5);
const BETA = randomArray(C, rand);
const RUN_MEAN = randomArray(C, rand);
const RUN_VAR = randomArray(C, rand, 0.5, 2);

/** float64 reference of torch's BatchNorm in training mode, with the closed-form backward for dy = R. */
function reference(): { y: Float64Array; dx: Float64Array; dGamma: Float64Array; dBeta: Float64Array; runMean: Float64Array; runVar: Float64Array } {
  const y = new Float64Array(M * C);
  const dx = new Float64Array(M * C);
  const dGamma = new Float64Array(C);
  const dBeta = new Float64Array(C);
  const runMean = new Float64Array(C);
  const runVar = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let mean = 0;
    for (let i = 0; i < M; i++) mean += X[i * C + c]!;
    mean /= M;
    let v = 0;
    for (let i = 0; i < M; i++) v += (X[i * C + c]! - mean) ** 2;
    v /= M;
    const inv = 1 / Math.sqrt(v + EPS);
    let sumDy = 0;
    let sumDyXhat = 0;
    for (let i = 0; i < M; i++) {
      const xhat = (X[i * C + c]! - mean) * inv;
      y[i * C + c] = xhat * GAMMA[c]! + BETA[c]!;
      sumDy += R[i * C + c]!;
      sumDyXhat += R[i * C + c]! * xhat;
    }
    // dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)) (Ioffe & Szegedy 2015, eq. in §3)
    for (let i = 0; i < M; i++) {
      const xhat = (X[i * C + c]! - mean) * inv;
      dx[i * C + c] = GAMMA[c]! * inv * (R[i * C + c]! - sumDy / M - (xhat * sumDyXhat) / M);
    }
    dGamma[c] = sumDyXhat;
    dBeta[c] = sumDy;
    // torch: running_var uses the unbiased batch variance
    runMean[c] = (1 - MOMENTUM) * RUN_MEAN[c]! + MOMENTUM * mean;
    runVar[c] = (1 - MOMENTUM) * RUN_VAR[c]! + MOMENTUM * ((v * M) / (M - 1));
  }
  return { y, dx, dGamma, dBeta, runMean, runVar };
}

function makeState(affine: boolean): BatchNormState & { dispose(): void } {
  const gamma = affine ? tf.variable(tf.tensor1d(GAMMA)) : undefined;
  const beta = affine ? tf.variable(tf.tensor1d(BETA)) : undefined;
  const runningMean = tf.variable(tf.tensor1d(RUN_MEAN), false);
  const runningVar = tf.variable(tf.tensor1d(RUN_VAR), false);
  return {
    ...(gamma && beta ? { gamma, beta } : {}),
    runningMean,
    runningVar,
    eps: EPS,
    momentum: MOMENTUM,
    dispose: () => tf.dispose([runningMean, runningVar, ...(gamma && beta ? [gamma, beta] : [])]),
  };
}

describe.each(BACKENDS)('batchNorm on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const ref = reference();

  it('training: forward, dx, dγ, dβ and running statistics match the float64 reference', () => {
    const state = makeState(true);
    const x = tf.tensor4d(X, [N, H, W, C]);
    const r = tf.tensor4d(R, [N, H, W, C]);
    const loss = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar =>
      tf.sum(tf.mul(batchNorm(a, { ...state, gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D }, true), r));
    const { value, grads } = tf.valueAndGrads(loss)([x, state.gamma!, state.beta!]);
    const [dx, dGamma, dBeta] = grads as [tf.Tensor, tf.Tensor, tf.Tensor];
    // float32 against float64: sums of 60 terms, ≤ 1e-5 (γ, β) and ≤ 1e-4 (dx, a difference of nearly equal terms)
    expect(relativeError(dx.dataSync(), ref.dx)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(dGamma.dataSync(), ref.dGamma)).toBeLessThanOrEqual(1e-5);
    expect(relativeError(dBeta.dataSync(), ref.dBeta)).toBeLessThanOrEqual(1e-5);
    expect(value.dataSync()[0]).toBeCloseTo(ref.y.reduce((sum, v, i) => sum + v * R[i]!, 0), 3);
    // the forward ran once in training mode: one running-stat update
    expect(relativeError(state.runningMean.dataSync(), ref.runMean)).toBeLessThanOrEqual(1e-6);
    expect(relativeError(state.runningVar.dataSync(), ref.runVar)).toBeLessThanOrEqual(1e-6);
    const other = makeState(true);
    const y = tf.tidy(() => batchNorm(x, other, true).dataSync());
    expect(relativeError(y, ref.y)).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, r, value, ...grads]);
    state.dispose();
    other.dispose();
  });

  it('training gradient equals tf.batchNorm with batch moments', () => {
    const x = tf.tensor2d(X, [M, C]);
    const r = tf.tensor2d(R, [M, C]);
    const state = makeState(true);
    const stock = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar => {
      const { mean, variance } = tf.moments(a, [0]);
      return tf.sum(tf.mul(tf.batchNorm(a as tf.Tensor2D, mean, variance, b, g, EPS), r));
    };
    const ours = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Scalar =>
      tf.sum(tf.mul(batchNorm(a, { ...state, gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D }, true), r));
    const args = [x, tf.tensor1d(GAMMA), tf.tensor1d(BETA)];
    const expected = tf.grads(stock)(args);
    const got = tf.grads(ours)(args);
    for (let i = 0; i < 3; i++) expect(relativeError(got[i]!.dataSync(), expected[i]!.dataSync())).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, r, ...args, ...expected, ...got]);
    state.dispose();
  });

  it('evaluation uses the running statistics and leaves them unchanged', () => {
    const state = makeState(true);
    const y = tf.tidy(() => batchNorm(tf.tensor4d(X, [N, H, W, C]), state, false).dataSync());
    const expected = Float64Array.from(X, (v, i) => {
      const c = i % C;
      return ((v - RUN_MEAN[c]!) / Math.sqrt(RUN_VAR[c]! + EPS)) * GAMMA[c]! + BETA[c]!;
    });
    expect(relativeError(y, expected)).toBeLessThanOrEqual(1e-6);
    expect(Array.from(state.runningMean.dataSync())).toEqual(Array.from(RUN_MEAN));
    state.dispose();
  });

  it('affine = false: no γ, β', () => {
    const state = makeState(false);
    const y = tf.tidy(() => batchNorm(tf.tensor4d(X, [N, H, W, C]), state, true).dataSync());
    const expected = ref.y.map((v, i) => (v - BETA[i % C]!) / GAMMA[i % C]!);
    expect(relativeError(y, expected)).toBeLessThanOrEqual(1e-5);
    state.dispose();
  });

  it('leaks no tensors over repeated training steps', () => {
    const state = makeState(true);
    const x = tf.tensor4d(X, [N, H, W, C]);
    const step = (): void => {
      const { value, grads } = tf.variableGrads(() => tf.sum(batchNorm(x, state, true)) as tf.Scalar, [state.gamma as tf.Variable, state.beta as tf.Variable]);
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    state.dispose();
  });

  it('rejects mismatched channels and single-value batches', () => {
    const state = makeState(true);
    expect(() => batchNorm(tf.zeros([2, 4]), state, false)).toThrow(/batchNorm: gamma must have shape \[4\] \(the last axis of x\), got \[6\]/);
    expect(() => batchNorm(tf.zeros([1, C]), state, true)).toThrow(/training needs more than one value per channel/);
    expect(() => batchNorm(tf.zeros([1, C]), state, false)).not.toThrow();
    state.dispose();
  });
});
