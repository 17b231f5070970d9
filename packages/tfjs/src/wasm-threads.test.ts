// The experimental wasm thread shim: two XNNPACK threads in Node, results unchanged.
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { randomArray, relativeError, rng } from './test-backends.ts';

it('runs the wasm backend with 2 threads and computes the same conv and filter gradient as plain loops', async () => {
  const info = await initBackend('wasm', { threads: 2 });
  expect(info).toMatchObject({ name: 'wasm', threads: 2 });
  const rand = rng(3);
  const [n, h, w, ci, co] = [2, 12, 12, 8, 16];
  const x = randomArray(n * h * w * ci, rand);
  const f = randomArray(3 * 3 * ci * co, rand);
  const r = randomArray(n * (h - 2) * (w - 2) * co, rand);
  const y = tf.tidy(() => tf.conv2d(tf.tensor4d(x, [n, h, w, ci]), tf.tensor4d(f, [3, 3, ci, co]), 1, 'valid').dataSync());
  // the filter gradient runs the training kernels module on the threaded build's shared heap
  const dw = tf.tidy(() => {
    const conv = (filter: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(tf.tensor4d(x, [n, h, w, ci]), filter as tf.Tensor4D, 1, 'valid'), tf.tensor(r, [n, h - 2, w - 2, co])));
    return tf.grad(conv)(tf.tensor4d(f, [3, 3, ci, co])).dataSync();
  });
  const ref = new Float64Array(n * (h - 2) * (w - 2) * co);
  const refDw = new Float64Array(3 * 3 * ci * co);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h - 2; i++)
      for (let j = 0; j < w - 2; j++)
        for (let o = 0; o < co; o++) {
          let s = 0;
          for (let a = 0; a < 3; a++)
            for (let c = 0; c < 3; c++)
              for (let k = 0; k < ci; k++) {
                const xv = x[((b * h + i + a) * w + j + c) * ci + k]!;
                s += xv * f[((a * 3 + c) * ci + k) * co + o]!;
                const at = ((a * 3 + c) * ci + k) * co + o;
                refDw[at] = refDw[at]! + xv * r[((b * (h - 2) + i) * (w - 2) + j) * co + o]!;
              }
          ref[((b * (h - 2) + i) * (w - 2) + j) * co + o] = s;
        }
  // float32 sums of 72 (conv) and 200 (filter gradient) products against float64: ≤ 1e-5 relative (∞-norm)
  expect(relativeError(y, ref)).toBeLessThanOrEqual(1e-5);
  expect(relativeError(dw, refDw)).toBeLessThanOrEqual(1e-5);
});
