// The Winograd convolution against the stock wasm (XNNPACK) Conv2D and a float64 loop.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomArray, relativeError, rng, useBackend } from './test-backends.ts';
import { applyPrecision, createModel } from '@quantprune/graph';
import { compileGraph } from './compile.ts';
import { registerConvGradientKernels } from './conv-gradients.ts';
import { registerWinogradConv2D, unregisterWinogradConv2D, winogradConv2d, winogradConv2dOp, winogradCovers } from './winograd-conv2d.ts';

type Pad = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];

/** Seeded x and f, the stock Conv2D's y and the Winograd y for the same pads. */
function both(x: readonly number[], f: readonly number[], pad: Pad, seed: number): { y: Float32Array; ref: Float32Array; xs: Float32Array; fs: Float32Array } {
  const rand = rng(seed);
  const xs = randomArray(x.reduce((p, d) => p * d, 1), rand);
  const fs = randomArray(f.reduce((p, d) => p * d, 1), rand);
  return tf.tidy(() => {
    const xt = tf.tensor4d(xs, x as [number, number, number, number]);
    const ft = tf.tensor4d(fs, f as [number, number, number, number]);
    const stock = tf.conv2d(xt, ft, 1, pad);
    const info = tf.backend_util.computeConv2DInfo(xt.shape, ft.shape, 1, 1, pad);
    const out = winogradConv2d(tf.backend(), xt, ft, info.padInfo.top, info.padInfo.left, info.outHeight, info.outWidth);
    const y = tf.engine().makeTensorFromTensorInfo(out);
    expect(y.shape).toEqual(stock.shape);
    return { y: y.dataSync() as Float32Array, ref: stock.dataSync() as Float32Array, xs, fs };
  });
}

beforeAll(async () => {
  await useBackend('wasm');
  registerConvGradientKernels('wasm'); // wasm has no stock Conv2DBackpropFilter
});
describe('Winograd F(2×2, 3×3) convolution on wasm', () => {
  it.each([
    ['same, 8×8×16 → 16', [2, 8, 8, 16], [3, 3, 16, 16], 'same'],
    ['same, odd 7×5, 4 → 8', [3, 7, 5, 4], [3, 3, 4, 8], 'same'],
    ['valid, 9×6, 8 → 24', [2, 9, 6, 8], [3, 3, 8, 24], 'valid'],
    ['asymmetric explicit pads', [2, 6, 7, 4], [3, 3, 4, 16], [[0, 0], [2, 0], [0, 1], [0, 0]]],
    ['a 1×1 output', [1, 3, 3, 4], [3, 3, 4, 8], 'valid'],
  ] as const)('%s: within 1e-5 of the stock kernel and of a float64 loop', (_name, x, f, pad) => {
    const { y, ref, xs, fs } = both(x, f, pad as Pad, 5);
    // Winograd's transforms round differently from a direct sum: ∞-norm relative error ≈ 1e-6 for float32
    expect(relativeError(y, ref)).toBeLessThanOrEqual(1e-5);
    // float64 reference: direct correlation with the same pads
    const [n, h, w, ci] = x;
    const co = f[3];
    const info = tf.backend_util.computeConv2DInfo([n, h, w, ci], [3, 3, ci, co], 1, 1, pad as Pad);
    const exact = new Float64Array(y.length);
    for (let b = 0; b < n; b++)
      for (let i = 0; i < info.outHeight; i++)
        for (let j = 0; j < info.outWidth; j++)
          for (let o = 0; o < co; o++) {
            let s = 0;
            for (let a = 0; a < 3; a++)
              for (let c = 0; c < 3; c++) {
                const [r, q] = [i + a - info.padInfo.top, j + c - info.padInfo.left];
                if (r < 0 || r >= h || q < 0 || q >= w) continue;
                for (let k = 0; k < ci; k++) s += xs[((b * h + r) * w + q) * ci + k]! * fs[((a * 3 + c) * ci + k) * co + o]!;
              }
            exact[((b * info.outHeight + i) * info.outWidth + j) * co + o] = s;
          }
    expect(relativeError(y, exact)).toBeLessThanOrEqual(1e-5);
  });

  it('covers 3×3 filters with ci a multiple of 4 and co of 8 only', () => {
    expect(winogradCovers(3, 3, 16, 32)).toBe(true);
    expect(winogradCovers(3, 3, 3, 16)).toBe(false);
    expect(winogradCovers(3, 3, 16, 12)).toBe(false);
    expect(winogradCovers(5, 5, 16, 16)).toBe(false);
  });

  it('frees its scratch: backend buffers constant across calls', () => {
    both([2, 8, 8, 16], [3, 3, 16, 16], 'same', 1);
    const buffers = tf.backend().numDataIds();
    for (let i = 0; i < 3; i++) both([2, 8, 8, 16], [3, 3, 16, 16], 'same', i);
    expect(tf.backend().numDataIds()).toBe(buffers);
  });

  it('QpConv2DWinograd: values and both gradients within 1e-5 of tf.conv2d', () => {
    registerWinogradConv2D();
    registerWinogradConv2D(); // idempotent
    const rand = rng(11);
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [1, 1], [0, 2], [0, 0]];
    const x = tf.tensor4d(randomArray(2 * 7 * 6 * 8, rand), [2, 7, 6, 8]);
    const f = tf.tensor4d(randomArray(3 * 3 * 8 * 16, rand), [3, 3, 8, 16]);
    const r = tf.tensor4d(randomArray(2 * 7 * 6 * 16, rand), [2, 7, 6, 16]);
    const run = (conv: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D) => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), r)))([x, f]);
      const y = tf.tidy(() => conv(x, f).dataSync());
      return [y, ...g.map((t) => t.dataSync())];
    };
    const fast = run((a, b) => winogradConv2dOp(a, b, pad)!);
    const ref = run((a, b) => tf.conv2d(a, b, 1, pad));
    // float32 Winograd against a direct sum: ≈ 1e-6 (∞-norm relative)
    fast.forEach((v, i) => expect(relativeError(v, ref[i]!)).toBeLessThanOrEqual(1e-5));
    expect(winogradConv2dOp(x, tf.zeros([3, 3, 8, 12]) as tf.Tensor4D, pad)).toBeUndefined(); // co not a multiple of 8
    unregisterWinogradConv2D();
    expect(winogradConv2dOp(x, f, pad)).toBeUndefined();
    tf.dispose([x, f, r]);
  });

  it('compileGraph runs unquantized graphs through it and quantized ones through Conv2D', async () => {
    registerWinogradConv2D();
    const kernels = async (precision: 'fp32' | 'dorefa'): Promise<string[]> => {
      const base = createModel('resnet20-cifar', { seed: 1 });
      const compiled = compileGraph(precision === 'fp32' ? base : applyPrecision(base, precision));
      const x = tf.zeros([1, 32, 32, 3]);
      const info = await tf.profile(() => compiled.apply(x as tf.Tensor4D, false));
      tf.dispose(x);
      compiled.dispose();
      return info.kernelNames;
    };
    expect(await kernels('fp32')).toContain('QpConv2DWinograd');
    expect(await kernels('dorefa')).not.toContain('QpConv2DWinograd');
    unregisterWinogradConv2D();
  });
});
