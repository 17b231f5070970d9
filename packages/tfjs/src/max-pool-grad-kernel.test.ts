import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerMaxPoolGradKernel, unregisterMaxPoolGradKernel } from './max-pool-grad-kernel.ts';
import { BACKENDS, randomArray, rng, useBackend } from './test-backends.ts';

type Pad = 'valid' | 'same' | number;
// [x shape NHWC, filter, stride, pad]: LeNet's 2×2/2 pools, overlapping windows, 'same' padding, explicit padding
const CASES: readonly [[number, number, number, number], number, number, Pad][] = [
  [[4, 24, 24, 20], 2, 2, 'valid'],
  [[4, 8, 8, 50], 2, 2, 'valid'],
  [[2, 9, 7, 5], 3, 2, 'same'],
  [[2, 6, 6, 3], 3, 1, 'valid'],
  [[1, 5, 5, 4], 3, 2, 1],
];

/** dx of sum(maxPool(x)·dy) with whichever MaxPoolGrad kernel is registered. */
function gradient(x: tf.Tensor4D, dy: tf.Tensor, filter: number, stride: number, pad: Pad): Float32Array {
  return tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, filter, stride, pad), dy)))(x).dataSync() as Float32Array);
}

describe.each(BACKENDS)('MaxPoolGrad replacement on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  afterAll(() => unregisterMaxPoolGradKernel(backend));

  it.each(CASES)('x %j, filter %i, stride %i, pad %j: dx equals the stock cpu kernel exactly, ties included', async (shape, filter, stride, pad) => {
    const r = rng(shape.reduce((a, b) => a + b, filter));
    const n = shape.reduce((a, b) => a * b, 1);
    // integers in [−3, 3]: most windows hold ties, the case binarised and ReLU activations create
    for (const [kind, data] of [['random', randomArray(n, r)], ['ties', randomArray(n, r, -3, 4).map(Math.floor)]] as const) {
      const outShape = tf.tidy(() => tf.maxPool(tf.tensor4d(data, shape), filter, stride, pad).shape);
      const dyData = randomArray(outShape.reduce((a, b) => a * b, 1), r);
      // the reference: the stock cpu kernel (the stock wasm kernel drops windows whose maximum is ≤ 0)
      await useBackend('cpu');
      unregisterMaxPoolGradKernel('cpu');
      const expected = gradient(tf.tensor4d(data, shape), tf.tensor(dyData, outShape), filter, stride, pad);
      await useBackend(backend);
      registerMaxPoolGradKernel(backend);
      const x = tf.tensor4d(data, shape);
      const dy = tf.tensor(dyData, outShape);
      const before = tf.memory().numTensors;
      const actual = gradient(x, dy, filter, stride, pad);
      expect(tf.memory().numTensors).toBe(before);
      // exact (tolerance 0): the same maxima; overlapping windows summed in float64 in the same order
      expect(Array.from(actual), kind).toEqual(Array.from(expected));
      tf.dispose([x, dy]);
    }
  });

  it('passes the gradient of windows whose maximum is ≤ 0 (the stock wasm kernel drops them)', () => {
    registerMaxPoolGradKernel(backend);
    const x = tf.tensor4d([-1, -2, -3, -4, 5, -6, -0.5, 0.25, 0, 0, 0, 0], [1, 2, 6, 1]);
    // windows {−1, −2, −0.5, 0.25}, {−3, −4, 0, 0}, {5, −6, 0, 0}: maxima at indices 7, 8 (the first 0) and 4
    const dy = tf.ones([1, 1, 3, 1]);
    expect(Array.from(gradient(x, dy, 2, 2, 'valid'))).toEqual([0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0]);
    tf.dispose([x, dy]);
  });

  it('is registered once and restored on unregister', () => {
    registerMaxPoolGradKernel(backend);
    const replaced = tf.getKernel('MaxPoolGrad', backend)!.kernelFunc;
    registerMaxPoolGradKernel(backend);
    expect(tf.getKernel('MaxPoolGrad', backend)!.kernelFunc).toBe(replaced);
    unregisterMaxPoolGradKernel(backend);
    expect(tf.getKernel('MaxPoolGrad', backend)!.kernelFunc).not.toBe(replaced);
  });
});
