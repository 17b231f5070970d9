// The fused BatchNorm training kernels against the broadcasting BatchNorm they replace (same backend, kernels
// unregistered), a float64 reference where |mean| ≫ std, the bn → relu fusion of compileGraph, and leaks.
import * as tf from '@tensorflow/tfjs-core';
import { GraphBuilder, type Graph } from '@quantprune/graph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchNorm, type BatchNormState } from './batch-norm.ts';
import { compileGraph } from './compile.ts';
import { registerConvGradientKernels } from './conv-gradients.ts';
import { fusedBatchNormTrain, hasFusedBatchNorm, registerFusedBatchNormKernels, unregisterFusedBatchNormKernels } from './fused-batch-norm.ts';
import { BACKENDS, randomArray, relativeError, rng, useBackend } from './test-backends.ts';

const EPS = 1e-5;
const MOMENTUM = 0.1;
/** Both sides float32, summed in different orders (the fused kernels in float64): ∞-norm relative error. */
const TOL = 1e-5;

interface Result {
  y: Float32Array;
  /** dx, and dγ, dβ when affine. */
  grads: Float32Array[];
  runningMean: Float32Array;
  runningVar: Float32Array;
}

/** One training-mode batchNorm (loss Σ y·r) on the current kernels: y, gradients, updated running statistics. */
function trainOnce(shape: number[], affine: boolean, relu: boolean, seed: number): Result {
  const rand = rng(seed);
  const c = shape[shape.length - 1]!;
  const size = shape.reduce((p, d) => p * d, 1);
  const x = tf.tensor(randomArray(size, rand, -2, 3), shape);
  const r = tf.tensor(randomArray(size, rand), shape);
  const gamma = tf.tensor1d(randomArray(c, rand, 0.5, 1.5));
  const beta = tf.tensor1d(randomArray(c, rand));
  const runningMean = tf.variable(tf.tensor1d(randomArray(c, rand)), false);
  const runningVar = tf.variable(tf.tensor1d(randomArray(c, rand, 0.5, 2)), false);
  let y: tf.Tensor | undefined;
  const loss = (a: tf.Tensor, g?: tf.Tensor, b?: tf.Tensor): tf.Scalar => {
    const state: BatchNormState = { ...(g && b ? { gamma: g as tf.Tensor1D, beta: b as tf.Tensor1D } : {}), runningMean, runningVar, eps: EPS, momentum: MOMENTUM };
    y = tf.keep(batchNorm(a, state, true, { relu }));
    return tf.sum(tf.mul(y, r));
  };
  const grads = affine ? tf.grads(loss)([x, gamma, beta]) : [tf.grad((a: tf.Tensor) => loss(a))(x)];
  const out = { y: y!.dataSync() as Float32Array, grads: grads.map((g) => g.dataSync() as Float32Array), runningMean: runningMean.dataSync() as Float32Array, runningVar: runningVar.dataSync() as Float32Array };
  tf.dispose([x, r, gamma, beta, runningMean, runningVar, y!, ...grads]);
  return out;
}

/** `f` once with the fused kernels registered on `backend` and once without (the broadcasting ops). */
function fusedAndBroadcast<T>(backend: 'wasm' | 'cpu', f: () => T): { fused: T; broadcast: T } {
  unregisterFusedBatchNormKernels(backend);
  const broadcast = f();
  registerFusedBatchNormKernels(backend);
  return { fused: f(), broadcast };
}

/** Kernel names that ran in `f` (forward and backward). */
async function kernelsOf(f: () => void): Promise<string[]> {
  return (await tf.profile(f)).kernels.map((k) => k.name);
}

describe.each(BACKENDS)('fused BatchNorm on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  afterAll(() => unregisterFusedBatchNormKernels(backend));

  it.each([
    [[8, 6, 6, 3]],
    [[4, 8, 8, 16]],
    [[4, 4, 4, 64]],
    [[3, 5, 7, 12]], // wasm SIMD: one 8-channel and one 4-channel group, 105 rows (a partial block)
    [[32, 10]],
  ])('%j: y, dx, dγ, dβ and running statistics equal the broadcasting BatchNorm (± γ/β, ± ReLU)', (shape) => {
    for (const affine of [true, false]) {
      for (const relu of [false, true]) {
        const { fused, broadcast } = fusedAndBroadcast(backend, () => trainOnce(shape, affine, relu, 5));
        const what = `affine ${String(affine)}, relu ${String(relu)}`;
        expect(relativeError(fused.y, broadcast.y), `y, ${what}`).toBeLessThanOrEqual(TOL);
        expect(fused.grads).toHaveLength(affine ? 3 : 1);
        for (const [i, g] of fused.grads.entries()) expect(relativeError(g, broadcast.grads[i]!), `${['dx', 'dγ', 'dβ'][i]!}, ${what}`).toBeLessThanOrEqual(TOL);
        // running statistics: one update from float32 batch statistics (float64 sums here, tf.moments there)
        expect(relativeError(fused.runningMean, broadcast.runningMean), `running mean, ${what}`).toBeLessThanOrEqual(1e-6);
        expect(relativeError(fused.runningVar, broadcast.runningVar), `running var, ${what}`).toBeLessThanOrEqual(1e-6);
        if (relu) expect(fused.y.some((v) => v === 0) && fused.y.some((v) => v > 0)).toBe(true); // the mask matters
      }
    }
  });

  it('runs as one forward and one backward kernel (no Mean, Sub, Relu …)', async () => {
    registerFusedBatchNormKernels(backend);
    const x = tf.randomNormal([4, 5, 5, 8], 0, 1, 'float32', 3);
    expect(hasFusedBatchNorm(x)).toBe(true);
    const state: BatchNormState = { runningMean: tf.variable(tf.zeros([8]), false), runningVar: tf.variable(tf.ones([8]), false), eps: EPS, momentum: MOMENTUM };
    const names = await kernelsOf(() => {
      tf.dispose(tf.grad((a: tf.Tensor) => tf.sum(batchNorm(a, state, true, { relu: true })))(x));
    });
    expect(names).toContain('QpBatchNormTrain');
    expect(names).toContain('QpBatchNormTrainGrad');
    for (const stock of ['Mean', 'Sub', 'Relu', 'Rsqrt', 'Step']) expect(names).not.toContain(stock);
    unregisterFusedBatchNormKernels(backend);
    expect(hasFusedBatchNorm(x)).toBe(false);
    tf.dispose([x, state.runningMean, state.runningVar]);
  });

  it('|mean| ≫ std: y, dx, dγ, dβ equal a float64 reference (shifted float64 sums, no cancellation)', () => {
    registerFusedBatchNormKernels(backend);
    const [m, c] = [256, 4];
    const rand = rng(9);
    const X = Float32Array.from({ length: m * c }, () => 300 + 0.01 * (rand() - 0.5)); // std ≈ 0.003: |mean|/std ≈ 1e5
    const R = randomArray(m * c, rand);
    const G = randomArray(c, rand, 0.5, 1.5);
    const B = randomArray(c, rand);
    const x = tf.tensor2d(X, [m, c]);
    const [gamma, beta, r] = [tf.tensor1d(G), tf.tensor1d(B), tf.tensor2d(R, [m, c])];
    const y = tf.tidy(() => fusedBatchNormTrain(x, gamma, beta, EPS, false).y.dataSync());
    const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(fusedBatchNormTrain(a, g as tf.Tensor1D, b as tf.Tensor1D, EPS, false).y, r)))([x, gamma, beta]);
    // float64 reference: BatchNorm of the same float32 inputs, closed-form backward (Ioffe & Szegedy 2015, §3)
    const ref = { y: new Float64Array(m * c), dx: new Float64Array(m * c), dGamma: new Float64Array(c), dBeta: new Float64Array(c) };
    for (let j = 0; j < c; j++) {
      let mean = 0;
      for (let i = 0; i < m; i++) mean += X[i * c + j]! / m;
      let v = 0;
      for (let i = 0; i < m; i++) v += (X[i * c + j]! - mean) ** 2 / m;
      const inv = 1 / Math.sqrt(v + EPS);
      const xhat = (i: number): number => (X[i * c + j]! - mean) * inv;
      for (let i = 0; i < m; i++) {
        ref.y[i * c + j] = xhat(i) * G[j]! + B[j]!;
        ref.dBeta[j] = ref.dBeta[j]! + R[i * c + j]!;
        ref.dGamma[j] = ref.dGamma[j]! + R[i * c + j]! * xhat(i);
      }
      for (let i = 0; i < m; i++) ref.dx[i * c + j] = G[j]! * inv * (R[i * c + j]! - ref.dBeta[j]! / m - (xhat(i) * ref.dGamma[j]!) / m);
    }
    expect(relativeError(y, ref.y)).toBeLessThanOrEqual(TOL);
    expect(relativeError(grads[0]!.dataSync(), ref.dx)).toBeLessThanOrEqual(TOL);
    expect(relativeError(grads[1]!.dataSync(), ref.dGamma)).toBeLessThanOrEqual(TOL);
    expect(relativeError(grads[2]!.dataSync(), ref.dBeta)).toBeLessThanOrEqual(TOL);
    tf.dispose([x, gamma, beta, r, ...grads]);
  });

  it('leaks no tensors or buffers over repeated training steps', () => {
    registerFusedBatchNormKernels(backend);
    const x = tf.randomNormal([4, 6, 6, 16], 0, 1, 'float32', 4);
    const gamma = tf.variable(tf.ones([16]) as tf.Tensor1D);
    const beta = tf.variable(tf.zeros([16]) as tf.Tensor1D);
    const state: BatchNormState = { gamma, beta, runningMean: tf.variable(tf.zeros([16]), false), runningVar: tf.variable(tf.ones([16]), false), eps: EPS, momentum: MOMENTUM };
    const step = (): void => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(batchNorm(x, state, true, { relu: true }))), [gamma, beta]);
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const before = tf.memory();
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
    tf.dispose([x, gamma, beta, state.runningMean, state.runningVar]);
  });

  it('rejects channel counts that disagree', () => {
    registerFusedBatchNormKernels(backend);
    expect(() => tf.tidy(() => fusedBatchNormTrain(tf.zeros([4, 3]), tf.ones([2]), tf.zeros([3]), EPS, false).y)).toThrow(/fusedBatchNormTrain: x must be \[\.\.\., C\]/);
    expect(() => registerFusedBatchNormKernels('webgl' as 'cpu')).toThrow(RangeError);
  });
});

/** conv → bn1 → relu1 (fused) → conv → bn2 → relu2, add(bn2, relu2) (bn2 has two consumers: not fused) → dense. */
function fusionGraph(): Graph {
  const b = new GraphBuilder('bn-relu', { seed: 2 });
  let x = b.input([3, 6, 6]);
  x = b.relu('relu1', b.batchnorm('bn1', b.conv2d('conv1', x, { inChannels: 3, outChannels: 8, kernel: 3, padding: 1 }), { channels: 8 }));
  const bn2 = b.batchnorm('bn2', b.conv2d('conv2', x, { inChannels: 8, outChannels: 8, kernel: 3, padding: 1 }), { channels: 8 });
  x = b.add('add', [bn2, b.relu('relu2', bn2)]);
  return b.build(b.dense('fc', b.flatten('flatten', b.globalAvgPool('pool', x)), { inFeatures: 8, outFeatures: 4 }));
}

describe.each(BACKENDS)('compileGraph bn → relu fusion on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    registerConvGradientKernels(backend); // wasm has no stock Conv2DBackpropFilter
  });
  afterAll(() => unregisterFusedBatchNormKernels(backend));

  it('fuses only a relu that is its BatchNorm\'s only consumer; loss, gradients and running statistics unchanged', async () => {
    const graph = fusionGraph();
    const step = (): Float32Array[] => {
      const model = compileGraph(graph);
      try {
        const x = tf.tensor4d(randomArray(4 * 6 * 6 * 3, rng(6)), [4, 6, 6, 3]);
        const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 4);
        const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x, true)) as tf.Scalar, [...model.trainableVariables]);
        const running = ['bn1', 'bn2'].flatMap((l) => [`${l}.running_mean`, `${l}.running_var`].map((p) => model.variableByParam.get(p)!));
        const out = [value, ...model.trainableVariables.map((v) => grads[v.name]!), ...running].map((t) => t.dataSync() as Float32Array);
        tf.dispose([x, labels, value, ...Object.values(grads)]);
        return out;
      } finally {
        model.dispose();
      }
    };
    const { fused, broadcast } = fusedAndBroadcast(backend, step);
    expect(fused).toHaveLength(broadcast.length);
    for (const [i, t] of fused.entries()) expect(relativeError(t, broadcast[i]!), `tensor ${i}`).toBeLessThanOrEqual(TOL);
    // relu2 still runs as a Relu kernel, relu1 is inside QpBatchNormTrain
    const model = compileGraph(graph);
    const names = await kernelsOf(() => {
      tf.tidy(() => model.apply(tf.ones([2, 6, 6, 3]) as tf.Tensor4D, true));
    });
    model.dispose();
    expect(names.filter((n) => n === 'QpBatchNormTrain')).toHaveLength(2);
    expect(names.filter((n) => n === 'Relu')).toHaveLength(1);
  });
});
