// Straight-through gradients of the TF.js ops against the core gradient functions and closed forms.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { lsqGradients } from '../lsq.ts';
import { steGradient } from '../ste.ts';
import { randomNormal } from '../test-random.ts';
import { expectClose } from '../test-vectors.ts';
import { steBinary, steDoReFaActivations, steDoReFaWeights, steLsq, steUniform, steXnorWeights } from './index.ts';
import { BACKENDS, useBackend } from './test-backends.ts';

const N = 1024;
const x = randomNormal(N, 2, 1.5);
x[0] = 1; // |x| = 1 passes the hardtanh gate (inclusive)
x[1] = -1;
const dy = randomNormal(N, 3);

/** d(sum(dy · op(x)))/dx as a Float32Array. */
function gradOf(op: (v: tf.Tensor) => tf.Tensor, input: Float32Array = x, shape: number[] = [input.length]): Float32Array {
  return tf.tidy(() => {
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(op(v), tf.tensor(dy.subarray(0, input.length), shape))));
    return g(tf.tensor(input, shape)).dataSync() as Float32Array;
  });
}

describe.each(BACKENDS)('gradients on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test('steBinary: hardtanh and identity gates equal steGradient (exact)', () => {
    expectClose(gradOf((v) => steBinary(v)), steGradient(x, dy, 'hardtanh'), 0, 'hardtanh');
    expectClose(gradOf((v) => steBinary(v, { gate: 'identity' })), steGradient(x, dy, 'identity'), 0, 'identity');
  });

  test('steDoReFaActivations clip: dy where 0 ≤ x ≤ 1, else 0 (exact)', () => {
    const expected = x.map((v, i) => (v >= 0 && v <= 1 ? dy[i]! : 0));
    expectClose(gradOf((v) => steDoReFaActivations(v, { bits: 2 })), expected, 0, 'clip');
    const alpha = 0.4; // below max|x|, so the upper clip matters
    const clipped = x.map((v, i) => (v >= 0 && Math.fround(v / alpha) <= 1 ? dy[i]! : 0));
    expect(clipped.some((g, i) => g === 0 && expected[i] !== 0)).toBe(true);
    expectClose(gradOf((v) => steDoReFaActivations(v, { bits: 2, clipValue: alpha })), clipped, 0, 'clip α');
  });

  test('steDoReFaWeights: gradient of the surrogate tanh(w)/max|tanh(w)| (round straight through)', () => {
    const surrogate = (v: tf.Tensor): tf.Tensor => tf.div(tf.tanh(v), tf.max(tf.abs(tf.tanh(v))));
    // tolerance 1e-5 (float32): same expression, different operation order
    expectClose(gradOf((v) => steDoReFaWeights(v, { bits: 2 })), gradOf(surrogate), 1e-5, 'dorefa');
  });

  test('steXnorWeights: α·gate(dy) + sign(w)·Σ(dy·sign(w))/n per channel', () => {
    const shape = [16, 64]; // per row (axis 0): 16 channels of 64
    const w = x;
    const expected = new Float32Array(N);
    for (let c = 0; c < 16; c++) {
      let alpha = 0;
      let s = 0;
      for (let j = 0; j < 64; j++) {
        const i = c * 64 + j;
        alpha += Math.abs(w[i]!) / 64;
        s += dy[i]! * (w[i]! >= 0 ? 1 : -1);
      }
      for (let j = 0; j < 64; j++) {
        const i = c * 64 + j;
        expected[i] = alpha * dy[i]! + ((w[i]! >= 0 ? 1 : -1) * s) / 64;
      }
    }
    // tolerance 1e-5 (float32 reductions against float64)
    expectClose(gradOf((v) => steXnorWeights(v, { axis: 0 }), w, shape), expected, 1e-5, 'xnor');
  });

  test('steUniform: dy inside the code range, 0 where it saturates', () => {
    const params = { scale: new Float32Array([0.25]), zeroPoint: new Int32Array([8]) }; // range [-2, 1.75]
    const expected = x.map((v, i) => {
      const q = Math.round(v / 0.25) + 8; // no exact ties in this data
      return q >= 0 && q <= 15 ? dy[i]! : 0;
    });
    expectClose(gradOf((v) => steUniform(v, { bits: 4, params })), expected, 0, 'uniform');
  });

  test('steLsq: dx and dstep equal lsqGradients', () => {
    const stepValue = 0.3;
    const expected = lsqGradients(x, stepValue, dy, { bits: 3 });
    const [gx, gs] = tf.tidy(() => {
      const f = (v: tf.Tensor, s: tf.Tensor): tf.Tensor => tf.sum(tf.mul(steLsq(v, s, { bits: 3 }), tf.tensor1d(dy)));
      const [a, b] = tf.grads(f)([tf.tensor1d(x), tf.scalar(stepValue)]);
      return [a!.dataSync() as Float32Array, b!.dataSync() as Float32Array];
    });
    expectClose(gx, expected.dx, 0, 'dx');
    expectClose(gs, [expected.dstep], 1e-4, 'dstep'); // float32 sum of 1024 terms vs float64
  });
});
