// Gradient check of the replacement conv-gradient kernels against tfjs's stock cpu kernels.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasConvGradientKernels, registerConvGradientKernels, unregisterConvGradientKernels } from './conv-gradients.ts';
import { BACKENDS, randomArray, relativeError, rng, useBackend } from './test-backends.ts';

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  readonly name: string;
  readonly x: [number, number, number, number];
  readonly filter: [number, number, number, number];
  readonly strides: number | [number, number];
  readonly pad: Pad;
}

const CASES: readonly Case[] = [
  { name: 'LeNet conv1 5×5 valid', x: [4, 28, 28, 1], filter: [5, 5, 1, 20], strides: 1, pad: 'valid' },
  { name: 'LeNet conv2 5×5 valid', x: [4, 12, 12, 20], filter: [5, 5, 20, 50], strides: 1, pad: 'valid' },
  { name: '3×3 stride 1 same', x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { name: '3×3 stride 2 same, odd input', x: [2, 9, 9, 3], filter: [3, 3, 3, 5], strides: 2, pad: 'same' },
  { name: '3×3 stride 2 pad 1 (ResNet downsample)', x: [2, 8, 8, 4], filter: [3, 3, 4, 6], strides: 2, pad: 1 },
  { name: '3×3 stride 2 pad 1, 16 → 32 channels (ResNet stage entry)', x: [2, 8, 8, 16], filter: [3, 3, 16, 32], strides: 2, pad: 1 },
  { name: 'stride [2, 3], 3×2 filter, odd sizes, 8 → 4 channels', x: [2, 9, 7, 8], filter: [3, 2, 8, 4], strides: [2, 3], pad: 'same' },
  { name: '3×3 stride 1 same, 8 → 16 channels (Winograd input gradient on wasm)', x: [2, 8, 8, 8], filter: [3, 3, 8, 16], strides: 1, pad: 'same' },
  { name: '3×3 stride 1 valid, odd 7×9, 8 → 4 channels (Winograd input gradient on wasm)', x: [2, 7, 9, 8], filter: [3, 3, 8, 4], strides: 1, pad: 'valid' },
  { name: '1×1 stride 2 same (projection shortcut)', x: [2, 8, 8, 4], filter: [1, 1, 4, 8], strides: 2, pad: 'same' },
  { name: '1×1 stride 2 valid, odd input', x: [2, 7, 7, 3], filter: [1, 1, 3, 5], strides: 2, pad: 'valid' },
  { name: 'stride [2, 1], non-square 3×2, explicit pads', x: [2, 9, 6, 3], filter: [3, 2, 3, 4], strides: [2, 1], pad: [[0, 0], [1, 0], [0, 1], [0, 0]] },
  { name: 'non-square 2×3 filter, 7×10 input, valid', x: [3, 7, 10, 2], filter: [2, 3, 2, 3], strides: 1, pad: 'valid' },
  { name: 'asymmetric explicit pads, stride 2', x: [2, 7, 8, 3], filter: [3, 3, 3, 2], strides: 2, pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
  { name: '1×1 with pad 1 (pad wider than the filter)', x: [2, 5, 5, 2], filter: [1, 1, 2, 3], strides: 1, pad: 1 },
  { name: 'even 4×4 filter, stride [1, 2], same', x: [2, 8, 9, 2], filter: [4, 4, 2, 3], strides: [1, 2], pad: 'same' },
  { name: '2×2 stride 3 (input rows never read)', x: [1, 10, 11, 2], filter: [2, 2, 2, 2], strides: 3, pad: 'valid' },
];

/** dx and dW of Σ conv2d(x, w) · r for the case's seeded x, w and r, on the active backend. */
function gradients(c: Case, seed: number): [Float32Array, Float32Array] {
  const rand = rng(seed);
  const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
  return tf.tidy(() => {
    const x = tf.tensor4d(randomArray(size(c.x), rand), c.x);
    const w = tf.tensor4d(randomArray(size(c.filter), rand), c.filter);
    const outShape = tf.conv2d(x, w, c.strides, c.pad).shape;
    const r = tf.tensor(randomArray(size(outShape), rand), outShape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), r)))([x, w]);
    return [dx!.dataSync() as Float32Array, dw!.dataSync() as Float32Array];
  }) as [Float32Array, Float32Array];
}

const reference = new Map<string, [Float32Array, Float32Array]>();
let stockCpuFilter: tf.KernelConfig | undefined;

beforeAll(async () => {
  // The reference: tfjs's own cpu kernels, before anything is replaced.
  await useBackend('cpu');
  expect(hasConvGradientKernels('cpu')).toBe(false);
  stockCpuFilter = tf.getKernel('Conv2DBackpropFilter', 'cpu');
  CASES.forEach((c, i) => reference.set(c.name, gradients(c, 100 + i)));
});

afterAll(() => {
  for (const b of BACKENDS) unregisterConvGradientKernels(b);
});

describe.each(BACKENDS)('replacement kernels on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    registerConvGradientKernels(backend);
    registerConvGradientKernels(backend); // idempotent
  });

  it('are the registered kernels', () => {
    expect(hasConvGradientKernels(backend)).toBe(true);
    const filter = tf.getKernel('Conv2DBackpropFilter', backend);
    expect(filter).toBeDefined();
    expect(filter).not.toBe(stockCpuFilter);
  });

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s: dx and dW within 1e-5 of the stock cpu kernels', (_name, c, i) => {
    const [dx, dw] = gradients(c, 100 + i);
    const [refDx, refDw] = reference.get(c.name)!;
    // float32 sums of ≤ 500 products in a different order: ∞-norm relative error ≤ 1e-5 (environment-notes §1 measured ≤ 1e-6)
    expect(relativeError(dx, refDx)).toBeLessThanOrEqual(1e-5);
    expect(relativeError(dw, refDw)).toBeLessThanOrEqual(1e-5);
  });

  it('frees every intermediate (tensors and backend buffers constant across steps)', () => {
    const c = CASES[4]!;
    gradients(c, 1); // warm-up
    const tensors = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    for (let step = 0; step < 5; step++) gradients(c, step);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(buffers);
  });
});

describe('registration', () => {
  it('unregister restores the stock kernels (wasm has none for the filter gradient)', () => {
    registerConvGradientKernels('cpu');
    registerConvGradientKernels('wasm');
    unregisterConvGradientKernels('cpu');
    unregisterConvGradientKernels('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBe(stockCpuFilter);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBeDefined();
    expect(hasConvGradientKernels('wasm')).toBe(false);
    unregisterConvGradientKernels('wasm'); // no-op
  });

  it('rejects other backends', () => {
    expect(() => registerConvGradientKernels('webgl' as 'cpu')).toThrow(/registerConvGradientKernels: backendName must be 'wasm' or 'cpu', got "webgl"/);
    expect(() => unregisterConvGradientKernels('node' as 'cpu')).toThrow(RangeError);
  });
});
