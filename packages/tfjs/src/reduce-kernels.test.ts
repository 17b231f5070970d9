// The leading-axis Sum/Mean of the wasm backend against the stock wasm kernels: values and gradients.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupSize, leadingAxes, registerReduceKernels, unregisterReduceKernels } from './reduce-kernels.ts';
import { randomArray, relativeError, rng, useBackend } from './test-backends.ts';

interface Case {
  readonly name: string;
  readonly shape: number[];
  readonly axis: number | number[] | null;
  readonly keepDims: boolean;
}

const CASES: readonly Case[] = [
  { name: 'NHWC over [0, 1, 2] (BatchNorm statistics)', shape: [8, 6, 6, 5], axis: [0, 1, 2], keepDims: false },
  { name: 'NHWC over [0, 1, 2], keepDims', shape: [4, 5, 3, 7], axis: [2, 0, 1], keepDims: true },
  { name: 'batch axis of [N, F] (dense bias gradient)', shape: [64, 10], axis: 0, keepDims: false },
  { name: 'odd row count (stock path)', shape: [3, 5, 4], axis: [0, 1], keepDims: false },
  { name: '64 channels (stock path)', shape: [8, 2, 2, 64], axis: [0, 1, 2], keepDims: true },
  { name: 'rows not a multiple of 64 (group 16)', shape: [3, 4, 4, 7], axis: [0, 1, 2], keepDims: false },
  { name: 'negative axes -4, -3', shape: [3, 4, 5, 2], axis: [-4, -3], keepDims: false },
  { name: 'inner axes (stock path)', shape: [3, 4, 5], axis: [1, 2], keepDims: false },
  { name: 'all axes (stock path)', shape: [3, 4, 5], axis: [0, 1, 2], keepDims: false },
  { name: 'every axis (axis null, stock path)', shape: [4, 3], axis: null, keepDims: false },
  { name: 'ResNet-20 stage 1 size', shape: [64, 32, 32, 16], axis: [0, 1, 2], keepDims: false },
];

/** Sum and Mean, and the gradients of Σ (sum·r₁ + mean·r₂) with respect to x, on the active kernels. */
function run(c: Case, seed: number): Float32Array[] {
  const rand = rng(seed);
  return tf.tidy(() => {
    const x = tf.tensor(randomArray(c.shape.reduce((p, d) => p * d, 1), rand), c.shape);
    const s = tf.sum(x, c.axis ?? undefined, c.keepDims);
    const m = tf.mean(x, c.axis ?? undefined, c.keepDims);
    const r1 = tf.tensor(randomArray(s.size, rand), s.shape);
    const r2 = tf.tensor(randomArray(m.size, rand), m.shape);
    const dx = tf.grad((v: tf.Tensor) => tf.add(tf.sum(tf.mul(tf.sum(v, c.axis ?? undefined, c.keepDims), r1)), tf.sum(tf.mul(tf.mean(v, c.axis ?? undefined, c.keepDims), r2))))(x);
    expect(s.shape).toEqual(m.shape);
    return [s, m, dx].map((t) => t.dataSync() as Float32Array);
  });
}

const reference = new Map<string, Float32Array[]>();
const shapes = new Map<string, number[]>();

beforeAll(async () => {
  await useBackend('wasm');
  unregisterReduceKernels();
  CASES.forEach((c, i) => {
    reference.set(c.name, run(c, 20 + i));
    shapes.set(c.name, tf.tidy(() => tf.sum(tf.zeros(c.shape), c.axis ?? undefined, c.keepDims).shape));
  });
  registerReduceKernels();
  registerReduceKernels(); // idempotent
});

afterAll(() => unregisterReduceKernels());

describe('leading-axis Sum and Mean on wasm', () => {
  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s: values and gradient within 1e-5 of the stock kernels', (_name, c, i) => {
    const got = run(c, 20 + i);
    const ref = reference.get(c.name)!;
    // float32 sums of ≤ 65,536 values in another order: ∞-norm relative error ≤ 1e-5
    for (let k = 0; k < 3; k++) expect(relativeError(got[k]!, ref[k]!)).toBeLessThanOrEqual(1e-5);
    expect(tf.tidy(() => tf.sum(tf.zeros(c.shape), c.axis ?? undefined, c.keepDims).shape)).toEqual(shapes.get(c.name));
  });

  it('frees its temporaries', () => {
    run(CASES[0]!, 1);
    const buffers = tf.backend().numDataIds();
    for (let s = 0; s < 3; s++) run(CASES[0]!, s);
    expect(tf.backend().numDataIds()).toBe(buffers);
  });

  it('int32 tensors keep the stock kernel', () => {
    expect([...tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0).dataSync()]).toEqual([4, 6]);
  });
});

describe('groupSize', () => {
  it('is the largest power of two ≤ 64 dividing M, for C ≤ 32; 1 (stock) otherwise', () => {
    expect(groupSize(65_536, 16)).toBe(64);
    expect(groupSize(48, 32)).toBe(16);
    expect(groupSize(15, 8)).toBe(1);
    expect(groupSize(6, 8)).toBe(1); // only 2 rows per group
    expect(groupSize(4_096, 64)).toBe(1);
  });
});

describe('leadingAxes', () => {
  it('counts the leading axes, 0 otherwise', () => {
    expect(leadingAxes([0, 1, 2], 4)).toBe(3);
    expect(leadingAxes([2, 1, 0, 0], 4)).toBe(3);
    expect(leadingAxes(-2, 2)).toBe(1);
    expect(leadingAxes([1, 2], 4)).toBe(0);
    expect(leadingAxes([0, 1], 2)).toBe(0); // all axes: a full reduction, left to the stock kernel
    expect(leadingAxes([], 3)).toBe(0);
    expect(leadingAxes(null, 3)).toBe(0);
  });
});
