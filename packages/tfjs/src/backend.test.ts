// initBackend: selection order, gradient and kernel registration, idempotence, argument checks.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { hasConvGradientKernels } from './conv-gradients.ts';
import { hasMatMulKernel } from './matmul-kernel.ts';

const tfjsNodeInstalled = ((): boolean => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

const X = Float32Array.from({ length: 2 * 5 * 5 }, (_, i) => (i % 7) - 3); // [2, 5, 5, 1]

/** d/dW Σ conv2d(x, W) of a 3×3 stride-2 'same' conv: needs Conv2DBackpropFilter, which stock wasm lacks. */
function filterGradient(): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(X, [2, 5, 5, 1]);
    const w = tf.ones([3, 3, 1, 2]) as tf.Tensor4D;
    return tf.grad((f: tf.Tensor) => tf.sum(tf.conv2d(x, f as tf.Tensor4D, 2, 'same')))(w).dataSync() as Float32Array;
  });
}

/** The same gradient by definition: dW[a, b, 0, c] = Σ_{n,i,j} x[n, 2i + a − 1, 2j + b − 1] (pads 1/1, 3×3 output). */
function filterGradientByHand(): number[] {
  const out: number[] = [];
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      let s = 0;
      for (let n = 0; n < 2; n++) {
        for (let i = 0; i < 3; i++) {
          for (let j = 0; j < 3; j++) {
            const h = 2 * i + a - 1;
            const w = 2 * j + b - 1;
            if (h >= 0 && h < 5 && w >= 0 && w < 5) s += X[n * 25 + h * 5 + w]!;
          }
        }
      }
      out.push(s, s); // two output channels
    }
  }
  return out;
}

describe('initBackend', () => {
  it('auto: tfjs-node when installed, else wasm with one thread', async () => {
    const info = await initBackend();
    if (tfjsNodeInstalled) {
      expect(info.name).toBe('tensorflow');
    } else {
      expect(info).toEqual({ name: 'wasm', threads: 1, version: '4.22.0', skipped: ['tensorflow: @tensorflow/tfjs-node is not installed'] });
    }
    expect(tf.getBackend()).toBe(info.name);
    expect(tf.getGradient('Conv2D')).toBeDefined();
  });

  it.skipIf(tfjsNodeInstalled)("'node' fails when tfjs-node is not installed", async () => {
    await expect(initBackend('node')).rejects.toThrow(/@tensorflow\/tfjs-node is not installed/);
  });

  it.each(['wasm', 'cpu'] as const)('%s: registers the conv-gradient kernels and trains a strided conv', async (name) => {
    const info = await initBackend(name);
    expect(info).toMatchObject({ name, threads: 1, version: '4.22.0', skipped: [] });
    expect(tf.getBackend()).toBe(name);
    expect(hasConvGradientKernels(name)).toBe(true);
    if (name === 'wasm') expect(hasMatMulKernel()).toBe(true);
    expect(Array.from(filterGradient())).toEqual(filterGradientByHand()); // small integers: exact in float32
  });

  it('is idempotent: a second call switches back without reloading', async () => {
    const first = await initBackend('wasm');
    await initBackend('cpu');
    const again = await initBackend('wasm');
    expect(again).toEqual(first);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('cannot change the wasm thread count after the first initialisation', async () => {
    await initBackend('wasm');
    await expect(initBackend('wasm', { threads: 2 })).rejects.toThrow(/already running with 1 thread/);
  });

  it('rejects bad arguments', async () => {
    await expect(initBackend('webgl' as 'cpu')).rejects.toThrow(/initBackend: preference must be 'auto', 'node', 'wasm' or 'cpu', got "webgl"/);
    await expect(initBackend('wasm', { threads: 0 })).rejects.toThrow(RangeError);
    await expect(initBackend('wasm', { threads: 1.5 })).rejects.toThrow(/options.threads must be an integer ≥ 1, got 1.5/);
  });
});
