// A whole training step with and without the wasm replacement kernels: same loss and gradients. LeNet-5 FP32 is
// well conditioned (1e-5 holds directly). Networks with BatchNorm at batch 8 are not (ResNet-20, and LeNet-5 under
// `bnn`, which gets a BatchNorm after conv2 and fc1): the BatchNorm backward
// subtracts nearly equal sums, so any change of float32 summation order moves some gradients by up to 9 %
// (TF.js's own cpu backend differs from the stock wasm kernels by exactly as much). There each gradient must be
// within 5e-5 + 1.5 × the cpu backend's distance from stock wasm; each kernel alone passes 1e-5 in its own test.
// The floor is 5e-5, not 1e-5, because both wasm arms run the input gradient of 3×3 stride-1 layers by Winograd
// F(2×2, 3×3), whose rounding (∞-norm ≈ 1e-6 per call, 10× a direct sum's) differs between the arms' slightly
// different inputs: ResNet-20 DoReFa's worst gradient moved by 3.9e-5 against a cpu distance of 1.7e-5.
import * as tf from '@tensorflow/tfjs-core';
import { applyPrecision, createModel } from '@quantprune/graph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerConvGradientKernels } from './conv-gradients.ts';
import { registerMaxPoolGradKernel } from './max-pool-grad-kernel.ts';
import { compileGraph } from './compile.ts';
import { softmaxCrossEntropy } from './losses.ts';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './wasm-kernels.ts';
import { randomArray, relativeError, rng, useBackend } from './test-backends.ts';

beforeAll(() => {
  registerConvGradientKernels('wasm'); // wasm has no stock Conv2DBackpropFilter
  registerConvGradientKernels('cpu');
  registerMaxPoolGradKernel('wasm'); // the stock wasm MaxPoolGrad drops windows whose maximum is ≤ 0
  registerMaxPoolGradKernel('cpu');
});

afterAll(() => unregisterWasmTrainingKernels());

/** Loss and the gradient of every trainable variable for one seeded batch, on the current kernels. */
function step(model: 'lenet5' | 'resnet20-cifar', precision: 'fp32' | 'bnn' | 'dorefa'): Float32Array[] {
  const base = createModel(model, { seed: 3 });
  const compiled = compileGraph(precision === 'fp32' ? base : applyPrecision(base, precision));
  const input = model === 'lenet5' ? [8, 28, 28, 1] : [8, 32, 32, 3];
  const rand = rng(7);
  try {
    return tf.tidy(() => {
      const x = tf.tensor4d(randomArray(input.reduce((p, d) => p * d, 1), rand, 0, 1), input as [number, number, number, number]);
      const y = tf.tensor1d(Array.from({ length: 8 }, (_, i) => (i * 3) % 10), 'int32');
      const { value, grads } = tf.variableGrads(() => softmaxCrossEntropy(compiled.apply(x, true), y), [...compiled.trainableVariables]);
      return [value, ...compiled.trainableVariables.map((v) => grads[v.name]!)].map((t) => t.dataSync() as Float32Array);
    });
  } finally {
    compiled.dispose();
  }
}

describe.each([
  ['lenet5', 'fp32'],
  ['lenet5', 'bnn'],
  ['resnet20-cifar', 'fp32'],
  ['resnet20-cifar', 'dorefa'],
] as const)('%s %s on wasm', (model, precision) => {
  it('loss and every gradient as close to the stock kernels as float32 allows', async () => {
    await useBackend('wasm');
    unregisterWasmTrainingKernels();
    const stock = step(model, precision);
    registerWasmTrainingKernels();
    const fast = step(model, precision);
    expect(fast).toHaveLength(stock.length);
    if (model === 'lenet5' && precision === 'fp32') {
      // float32 sums in another order: ∞-norm relative error ≤ 1e-5 per tensor
      for (const [i, g] of fast.entries()) expect(relativeError(g, stock[i]!)).toBeLessThanOrEqual(1e-5);
      return;
    }
    await useBackend('cpu');
    const cpu = step(model, precision);
    await useBackend('wasm');
    for (const [i, g] of fast.entries()) expect(relativeError(g, stock[i]!)).toBeLessThanOrEqual(5e-5 + 1.5 * relativeError(cpu[i]!, stock[i]!));
  }, 60_000);
});
