// Every op inside optimizer.minimize: the loss goes down and no tensor leaks over 100 steps, on cpu and wasm.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { lsqInitStep } from '../lsq.ts';
import { randomNormal } from '../test-random.ts';
import { steBinary, steDoReFaActivations, steDoReFaWeights, steLsq, steUniform, steXnorWeights } from './index.ts';
import { BACKENDS, useBackend } from './test-backends.ts';

type Layer = (h: tf.Tensor, w: tf.Variable) => tf.Tensor;

/** Quantized layer variants: weights and input activations both go through a straight-through op. */
const variants: Record<string, (step: tf.Variable) => Layer> = {
  'binary (BNN)': () => (h, w) => tf.matMul(steBinary(h), steBinary(w, { gate: 'identity' })),
  'xnor': () => (h, w) => tf.matMul(steBinary(h), steXnorWeights(w, { axis: -1 })),
  'dorefa k=2': () => (h, w) => tf.matMul(steDoReFaActivations(tf.sigmoid(h), { bits: 2 }), steDoReFaWeights(w, { bits: 2 })),
  'dorefa tanh activations': () => (h, w) => tf.matMul(steDoReFaActivations(h, { bits: 2, variant: 'tanh' }), steDoReFaWeights(w, { bits: 2 })),
  'uniform k=4': () => (h, w) => tf.matMul(steUniform(h, { bits: 4 }), steUniform(w, { bits: 4, scheme: 'symmetric', axis: -1 })),
  'lsq k=3': (step) => (h, w) => tf.matMul(h, steLsq(w, step, { bits: 3 })),
};

describe.each(BACKENDS)('training on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  for (const [name, make] of Object.entries(variants)) {
    test(`${name}: loss decreases, numTensors constant over 100 steps`, () => {
      const inputs = tf.tensor2d(randomNormal(64 * 16, 7), [64, 16]);
      const teacher = tf.tensor2d(randomNormal(16 * 4, 8), [16, 4]);
      const targets = tf.matMul(inputs, teacher);
      const w1Init = randomNormal(16 * 32, 9, 0.3);
      const w1 = tf.variable(tf.tensor2d(w1Init, [16, 32]));
      const w2 = tf.variable(tf.tensor2d(randomNormal(32 * 4, 10, 0.2), [32, 4]));
      const step = tf.variable(tf.scalar(lsqInitStep(w1Init, { bits: 3 })));
      const layer = make(step);
      const optimizer = tf.train.adam(0.01);
      const loss = (): tf.Scalar => tf.losses.meanSquaredError(targets, tf.matMul(tf.relu(layer(inputs, w1)), w2));
      const first = tf.tidy(() => loss().dataSync()[0]!);
      // one warm-up step: the optimizer creates its slot variables here
      optimizer.minimize(loss, true)?.dispose();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 100; i++) optimizer.minimize(loss);
      expect(tf.memory().numTensors).toBe(before);
      const last = tf.tidy(() => loss().dataSync()[0]!);
      expect(last).toBeLessThan(first);
      optimizer.dispose();
      tf.dispose([inputs, teacher, targets, w1, w2, step]);
    });
  }

  test('conv2d with quantized filters and activations (cpu: the stock wasm backend has no Conv2DBackpropFilter)', () => {
    if (backend === 'wasm') return; // see environment-notes §1; the benchmark registers one for wasm
    const images = tf.tensor4d(randomNormal(8 * 8 * 8 * 3, 11), [8, 8, 8, 3]);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4);
    const f1 = tf.variable(tf.tensor4d(randomNormal(3 * 3 * 3 * 8, 12, 0.3), [3, 3, 3, 8]));
    const f2 = tf.variable(tf.tensor4d(randomNormal(3 * 3 * 8 * 8, 13, 0.3), [3, 3, 8, 8]));
    const head = tf.variable(tf.tensor2d(randomNormal(8 * 4, 14, 0.3), [8, 4]));
    const optimizer = tf.train.sgd(0.05);
    const loss = (): tf.Scalar => {
      const h1 = tf.relu(tf.conv2d(images, f1, 1, 'same'));
      const h2 = tf.conv2d(steDoReFaActivations(h1, { bits: 2 }), steDoReFaWeights(f2, { bits: 2 }), 1, 'same');
      const pooled = tf.mean(steBinary(h2), [1, 2]);
      return tf.losses.softmaxCrossEntropy(labels, tf.matMul(pooled, head));
    };
    optimizer.minimize(loss, true)?.dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) optimizer.minimize(loss);
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    tf.dispose([images, labels, f1, f2, head]);
  }, 240_000); // the stock cpu Conv2DBackpropFilter is very slow, more so on a loaded machine
});
