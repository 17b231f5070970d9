// The copy-free wasm Identity: clones share the buffer, values and lifetimes stay right.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerIdentityKernel, unregisterIdentityKernel } from './identity-kernel.ts';
import { useBackend } from './test-backends.ts';

beforeAll(async () => {
  await useBackend('wasm');
  registerIdentityKernel();
  registerIdentityKernel(); // idempotent
});

afterAll(() => unregisterIdentityKernel());

describe('copy-free Identity on wasm', () => {
  it('a clone shares the buffer and outlives its source', () => {
    const buffers = tf.backend().numDataIds();
    const x = tf.tensor1d([1, -2, 3]);
    const y = tf.clone(x);
    expect(tf.backend().numDataIds()).toBe(buffers + 1); // one buffer for both
    x.dispose();
    expect([...y.dataSync()]).toEqual([1, -2, 3]);
    y.dispose();
    expect(tf.backend().numDataIds()).toBe(buffers);
  });

  it('a variable updated after a clone leaves the clone unchanged', () => {
    const v = tf.variable(tf.tensor1d([1, 2]));
    const c = tf.clone(v);
    v.assign(tf.tensor1d([5, 6]));
    expect([...c.dataSync()]).toEqual([1, 2]);
    expect([...v.dataSync()]).toEqual([5, 6]);
    tf.dispose([v, c]);
  });

  it('gradients through ops that save their inputs match the copying kernel', () => {
    const grad = (): number[] => [...tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), tf.exp(x))))(tf.tensor1d([-1, 0.5, 2]))).dataSync()];
    const shared = grad();
    unregisterIdentityKernel();
    const copied = grad();
    registerIdentityKernel();
    expect(shared).toEqual(copied);
  });

  it('string tensors keep the stock kernel', () => {
    const s = tf.tensor1d(['a', 'b'], 'string');
    const c = tf.clone(s);
    expect(c.dataSync()).toEqual(['a', 'b']);
    tf.dispose([s, c]);
  });
});
