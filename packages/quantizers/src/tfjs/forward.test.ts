// The TF.js ops give exactly the core functions' values (XNOR: α within float32 summation tolerance),
// on both backends, and keep NaN as NaN.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { quantizeBinary } from '../binary.ts';
import { quantizeDoReFaActivations, quantizeDoReFaWeights } from '../dorefa.ts';
import { quantizeLsq } from '../lsq.ts';
import { randomNormal } from '../test-random.ts';
import { expectClose } from '../test-vectors.ts';
import { calibrateUniform, quantizeUniform } from '../uniform.ts';
import { quantizeXnorWeights } from '../xnor.ts';
import { steBinary, steDoReFaActivations, steDoReFaWeights, steLsq, steUniform, steXnorWeights } from './index.ts';
import { BACKENDS, run, useBackend } from './test-backends.ts';

const N = 4096;

describe.each(BACKENDS)('forward on %s equals core', (backend) => {
  beforeAll(() => useBackend(backend));
  const x = randomNormal(N, 1, 1.2);
  x[5] = 0;
  x[6] = 1; // the hardtanh gate boundary
  const t = (): tf.Tensor => tf.tensor1d(x);

  test('steBinary, both sign(0) conventions', () => {
    for (const signOfZero of [1, 0] as const) {
      expectClose(run(() => steBinary(t(), { signOfZero })), quantizeBinary(x, { signOfZero }).values, 0, `signOfZero ${signOfZero}`);
    }
  });

  test('steXnorWeights per channel (HWIO, axis -1) and per tensor', () => {
    const shape = [4, 4, 16, 16];
    // tolerance 1e-6 (float32): α is a float32 reduction in TF.js, a float64 sum rounded once in core
    expectClose(run(() => steXnorWeights(tf.tensor(x, shape), { axis: -1 })), quantizeXnorWeights(x, { shape, axis: -1 }).values, 1e-6, 'per channel');
    expectClose(run(() => steXnorWeights(t())), quantizeXnorWeights(x).values, 1e-6, 'per tensor');
  });

  test('steDoReFaWeights k = 1, 2, 3, 4, 8 (bit-exact)', () => {
    for (const bits of [1, 2, 3, 4, 8]) {
      expectClose(run(() => steDoReFaWeights(t(), { bits })), quantizeDoReFaWeights(x, { bits }).values, 0, `k=${bits}`);
    }
  });

  test('steDoReFaActivations clip and tanh (bit-exact)', () => {
    for (const bits of [1, 2, 4, 8]) {
      for (const variant of ['clip', 'tanh'] as const) {
        expectClose(run(() => steDoReFaActivations(t(), { bits, variant })), quantizeDoReFaActivations(x, { bits, variant }).values, 0, `${variant} k=${bits}`);
      }
      for (const clipValue of [0.3, 2.4]) {
        const expected = quantizeDoReFaActivations(x, { bits, clipValue }).values;
        expectClose(run(() => steDoReFaActivations(t(), { bits, clipValue })), expected, 0, `clip α=${clipValue} k=${bits}`);
      }
    }
  });

  test('steUniform min/max per tensor and per channel, and given MSE parameters (bit-exact)', () => {
    const shape = [64, 64];
    for (const [scheme, narrow] of [['affine', false], ['symmetric', false], ['symmetric', true]] as const) {
      for (const bits of [2, 4, 8]) {
        for (const axis of [undefined, 0, -1]) {
          const opts = { bits, scheme, narrow, shape, ...(axis === undefined ? {} : { axis }) };
          const expected = quantizeUniform(x, opts).values;
          expectClose(run(() => steUniform(tf.tensor(x, shape), opts)), expected, 0, `${scheme} ${narrow} k=${bits} axis ${axis}`);
        }
      }
    }
    const params = calibrateUniform(x, { bits: 4, calibration: 'mse', shape, axis: 1 });
    const expected = quantizeUniform(x, { bits: 4, shape, axis: 1, params }).values;
    expectClose(run(() => steUniform(tf.tensor(x, shape), { bits: 4, axis: 1, params })), expected, 0, 'mse params');
  });

  test('steLsq signed and unsigned (bit-exact)', () => {
    for (const signed of [true, false]) {
      const expected = quantizeLsq(x, 0.37, { bits: 3, signed }).values;
      expectClose(run(() => steLsq(t(), tf.scalar(0.37), { bits: 3, signed })), expected, 0, `signed ${signed}`);
    }
  });

  test('NaN in → NaN out at that position', () => {
    const withNaN = new Float32Array([0.5, NaN, -0.25, 2]);
    const ops: [string, (v: tf.Tensor) => tf.Tensor][] = [
      ['steBinary', (v) => steBinary(v)],
      ['steBinary torch', (v) => steBinary(v, { signOfZero: 0 })],
      ['steXnorWeights', (v) => steXnorWeights(v)],
      ['steDoReFaWeights', (v) => steDoReFaWeights(v, { bits: 2 })],
      ['steDoReFaActivations clip', (v) => steDoReFaActivations(v, { bits: 2 })],
      ['steDoReFaActivations tanh', (v) => steDoReFaActivations(v, { bits: 2, variant: 'tanh' })],
      ['steUniform given params', (v) => steUniform(v, { bits: 4, params: { scale: new Float32Array([0.1]), zeroPoint: new Int32Array([8]) } })],
      ['steLsq', (v) => steLsq(v, tf.scalar(0.5), { bits: 4 })],
    ];
    for (const [name, op] of ops) {
      const y = run(() => op(tf.tensor1d(withNaN)));
      expect(y[1], name).toBeNaN();
    }
  });
});
