// The fast-broadcasting wrappers of the wasm binary kernels give the stock kernels' exact results.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROADCAST_KERNELS, registerBroadcastKernels, unregisterBroadcastKernels } from './broadcast-kernels.ts';
import { randomArray, rng, useBackend } from './test-backends.ts';

const OPS: readonly [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, 'float32' | 'int32' | 'bool'][] = [
  ['Equal', tf.equal, 'int32'],
  ['NotEqual', tf.notEqual, 'int32'],
  ['Greater', tf.greater, 'float32'],
  ['GreaterEqual', tf.greaterEqual, 'float32'],
  ['Less', tf.less, 'float32'],
  ['LessEqual', tf.lessEqual, 'float32'],
  ['Maximum', tf.maximum, 'float32'],
  ['Minimum', tf.minimum, 'float32'],
  ['Pow', tf.pow, 'float32'],
  ['FloorDiv', tf.floorDiv, 'int32'],
  ['Mod', tf.mod, 'float32'],
  ['Atan2', tf.atan2, 'float32'],
  ['LogicalAnd', tf.logicalAnd, 'bool'],
  ['LogicalOr', tf.logicalOr, 'bool'],
  ['LogicalXor', tf.logicalXor, 'bool'],
];

/** [big, small] operand shapes; the small one is passed first and second. */
const SHAPES: readonly [number[], number[]][] = [
  [[2, 3, 4, 5], [1, 1, 1, 1]],
  [[2, 3, 4, 5], [1, 1, 1, 5]],
  [[2, 3, 4, 5], [1, 3, 1, 5]],
  [[2, 3, 4, 5], [5]],
  [[2, 3, 4, 5], []],
  [[3, 5], [1, 1]],
  [[1, 5], [5, 1]], // same size: left alone
];

function values(shape: number[], dtype: 'float32' | 'int32' | 'bool', seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const r = randomArray(n, rng(seed), 0.5, 4);
  if (dtype === 'float32') return tf.tensor(r, shape);
  if (dtype === 'int32') return tf.tensor(Int32Array.from(r, (v) => Math.floor(v)), shape, 'int32');
  return tf.tensor(Uint8Array.from(r, (v) => (v > 2 ? 1 : 0)), shape, 'bool');
}

function results(): Map<string, { shape: number[]; data: number[] }> {
  const out = new Map<string, { shape: number[]; data: number[] }>();
  OPS.forEach(([name, op, dtype]) => {
    SHAPES.forEach(([big, small], i) => {
      tf.tidy(() => {
        const a = values(big, dtype, i);
        const b = values(small, dtype, 100 + i);
        for (const [key, y] of [['ab', op(a, b)], ['ba', op(b, a)]] as const) out.set(`${name} ${big}|${small} ${key}`, { shape: y.shape, data: Array.from(y.dataSync()) });
      });
    });
  });
  return out;
}

describe('broadcast kernels on wasm', () => {
  let stock: Map<string, { shape: number[]; data: number[] }>;
  let stockEqual: tf.KernelConfig | undefined;
  beforeAll(async () => {
    await useBackend('wasm');
    stock = results();
    stockEqual = tf.getKernel('Equal', 'wasm');
    registerBroadcastKernels();
    registerBroadcastKernels(); // idempotent
  });
  afterAll(() => unregisterBroadcastKernels());

  it('wraps every listed kernel', () => {
    expect(OPS.map(([name]) => name)).toEqual(BROADCAST_KERNELS);
  });

  it('gives exactly the stock shapes and values', () => {
    const ours = results();
    expect(ours.size).toBe(OPS.length * SHAPES.length * 2);
    for (const [key, r] of ours) expect(r, key).toEqual(stock.get(key));
  });

  it('frees the reshaped operand', () => {
    const a = tf.ones([2, 3, 4, 5]);
    const b = tf.ones([1, 1, 1, 5]);
    tf.equal(a, b).dispose();
    const buffers = tf.backend().numDataIds();
    for (let i = 0; i < 3; i++) tf.equal(a, b).dispose();
    expect(tf.backend().numDataIds()).toBe(buffers);
    tf.dispose([a, b]);
  });

  it('unregister restores the stock kernels', () => {
    expect(tf.getKernel('Equal', 'wasm')).not.toBe(stockEqual);
    unregisterBroadcastKernels();
    expect(tf.getKernel('Equal', 'wasm')).toBe(stockEqual);
    registerBroadcastKernels();
  });
});
