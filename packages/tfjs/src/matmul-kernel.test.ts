// The replacement wasm BatchMatMul against the stock wasm kernel: values and gradients.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasMatMulKernel, registerMatMulKernel, unregisterMatMulKernel } from './matmul-kernel.ts';
import { randomArray, relativeError, rng, useBackend } from './test-backends.ts';

interface Case {
  readonly name: string;
  readonly a: number[];
  readonly b: number[];
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

const CASES: readonly Case[] = [
  { name: 'plain 2-D', a: [5, 7], b: [7, 3], transposeA: false, transposeB: false },
  { name: 'transposeB (dense dX = dY·Wᵀ)', a: [6, 20], b: [30, 20], transposeA: false, transposeB: true },
  { name: 'transposeA (dense dW = Xᵀ·dY)', a: [6, 30], b: [6, 20], transposeA: true, transposeB: false },
  { name: 'both transposed', a: [9, 4], b: [5, 9], transposeA: true, transposeB: true },
  { name: 'batched 3-D, transposeA', a: [3, 8, 5], b: [3, 8, 6], transposeA: true, transposeB: false },
  { name: 'batched 3-D, transposeB', a: [2, 4, 7], b: [2, 3, 7], transposeA: false, transposeB: true },
  { name: 'LeNet fc1 gradient shape', a: [64, 800], b: [64, 500], transposeA: true, transposeB: false },
];

/** The product and the gradients of Σ matMul(a, b)·r with respect to a and b, on the active kernels. */
function run(c: Case, seed: number): Float32Array[] {
  const rand = rng(seed);
  const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
  return tf.tidy(() => {
    const a = tf.tensor(randomArray(size(c.a), rand), c.a);
    const b = tf.tensor(randomArray(size(c.b), rand), c.b);
    const mm = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.matMul(x, y, c.transposeA, c.transposeB);
    const out = mm(a, b);
    const r = tf.tensor(randomArray(out.size, rand), out.shape);
    const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(mm(x, y), r)))([a, b]);
    return [out, da!, db!].map((t) => t.dataSync() as Float32Array);
  });
}

const reference = new Map<string, Float32Array[]>();

beforeAll(async () => {
  await useBackend('wasm');
  unregisterMatMulKernel();
  CASES.forEach((c, i) => reference.set(c.name, run(c, 10 + i))); // the stock wasm kernel
  registerMatMulKernel();
  registerMatMulKernel(); // idempotent
});

afterAll(() => unregisterMatMulKernel());

describe('replacement wasm BatchMatMul', () => {
  it('is registered', () => {
    expect(hasMatMulKernel()).toBe(true);
  });

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s: product and gradients within 1e-5 of the stock kernel', (_name, c, i) => {
    const got = run(c, 10 + i);
    const ref = reference.get(c.name)!;
    // float32 sums of ≤ 800 products in another order: ∞-norm relative error ≤ 1e-5
    for (let k = 0; k < 3; k++) expect(relativeError(got[k]!, ref[k]!)).toBeLessThanOrEqual(1e-5);
  });

  it('frees its transposed copies', () => {
    const c = CASES[3]!;
    run(c, 1);
    const buffers = tf.backend().numDataIds();
    const tensors = tf.memory().numTensors;
    for (let s = 0; s < 3; s++) run(c, s);
    expect(tf.backend().numDataIds()).toBe(buffers);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('unregister restores the stock kernel', () => {
    const replacement = tf.getKernel('BatchMatMul', 'wasm');
    unregisterMatMulKernel();
    expect(hasMatMulKernel()).toBe(false);
    expect(tf.getKernel('BatchMatMul', 'wasm')).not.toBe(replacement);
    unregisterMatMulKernel(); // no-op
    registerMatMulKernel();
    expect(hasMatMulKernel()).toBe(true);
  });
});
