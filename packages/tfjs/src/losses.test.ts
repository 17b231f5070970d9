import * as tf from '@tensorflow/tfjs-core';
import { memoryDataset } from '@quantprune/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateClassifier } from './evaluate.ts';
import { crossEntropyPerExample, distillationLoss, proximalPenalty, softmaxCrossEntropy, softOrthogonality } from './losses.ts';
import { BACKENDS, useBackend } from './test-backends.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

describe.each(BACKENDS)('softmaxCrossEntropy on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  afterAll(async () => {
    await useBackend('cpu');
  });

  it('matches a float64 reference and has gradient (softmax − onehot) / N', () => {
    const logits = [
      [2, -1, 0.5],
      [-3, 4, 1],
    ];
    const labels = [0, 2];
    const ref = logits.map((row, i) => {
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      return lse - row[labels[i]!]!;
    });
    const x = tf.tensor2d(logits);
    const y = tf.tensor1d(labels, 'int32');
    const per = crossEntropyPerExample(x, y).arraySync();
    per.forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 5));
    expect(softmaxCrossEntropy(x, y).arraySync()).toBeCloseTo((ref[0]! + ref[1]!) / 2, 5);
    const g = tf.grad((l: tf.Tensor) => softmaxCrossEntropy(l, y))(x).arraySync() as number[][];
    logits.forEach((row, i) => {
      const z = row.reduce((s, v) => s + Math.exp(v), 0);
      row.forEach((v, j) => expect(g[i]![j]!).toBeCloseTo((Math.exp(v) / z - (j === labels[i] ? 1 : 0)) / 2, 5));
    });
    expect(softmaxCrossEntropy(tf.zeros([1, 2]), tf.tensor1d([1], 'int32')).arraySync()).toBeCloseTo(Math.LN2, 6); // log 2
    expect(() => crossEntropyPerExample(x, tf.tensor1d([0], 'int32'))).toThrow(/labels \[N\]/);
  });
});

describe('distillationLoss (Hinton et al. 2015)', () => {
  const student = [[1, 2, 0.5], [-1, 0, 3]];
  const teacher = [[2, 1, 0], [0, 0, 4]];

  /** float64 T²·mean KL(softmax(t/T) ‖ softmax(s/T)) and its gradient T·(softmax(s/T) − softmax(t/T))/N. */
  function reference(T: number): { loss: number; grad: number[][] } {
    const softmax = (z: number[]): number[] => {
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp((v - m) / T));
      const sum = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / sum);
    };
    let loss = 0;
    const grad = student.map((s, n) => {
      const p = softmax(teacher[n]!);
      const q = softmax(s);
      loss += p.reduce((a, pi, i) => a + pi * Math.log(pi / q[i]!), 0);
      return q.map((qi, i) => (T * (qi - p[i]!)) / student.length);
    });
    return { loss: (T * T * loss) / student.length, grad };
  }

  it('matches a float64 reference, with gradient T·(softmax(s/T) − softmax(t/T))/N', () => {
    for (const T of [1, 4]) {
      const want = reference(T);
      const t = tf.tensor2d(teacher);
      const s = tf.variable(tf.tensor2d(student));
      const { value, grads } = tf.variableGrads(() => distillationLoss(s, t, T), [s]);
      expect(value.dataSync()[0]).toBeCloseTo(want.loss, 5); // float32 log-softmax: 1e-5 absolute
      const g = grads[s.name]!.arraySync() as number[][];
      g.flat().forEach((v, i) => expect(v).toBeCloseTo(want.grad.flat()[i]!, 5));
      tf.dispose([value, ...Object.values(grads), t, s]);
    }
    expect(distillationLoss(tf.tensor2d(teacher), tf.tensor2d(teacher), 2).dataSync()[0]).toBeCloseTo(0, 6);
  });

  it('rejects mismatched shapes and a bad temperature', () => {
    expect(() => distillationLoss(tf.zeros([2, 3]), tf.zeros([2, 4]), 1)).toThrow(/both be \[N, C\]/);
    expect(() => distillationLoss(tf.zeros([2, 3]), tf.zeros([2, 3]), 0)).toThrow(/temperature must be finite and > 0, got 0/);
  });
});

describe('proximalPenalty', () => {
  it('is (ρ/2)·‖W − T‖² summed over terms, with gradient ρ·(W − T)', () => {
    const w = tf.tensor1d([1, 2, 3]);
    const t = tf.tensor1d([0, 2, 5]);
    const u = tf.tensor2d([[1, -1]]);
    const value = proximalPenalty([
      { value: w, target: t, rho: 0.5 },
      { value: u, target: tf.zeros([1, 2]), rho: 2 },
    ]).arraySync();
    expect(value).toBeCloseTo(0.25 * (1 + 0 + 4) + 1 * 2, 6);
    const g = tf.grad((v: tf.Tensor) => proximalPenalty([{ value: v, target: t, rho: 0.5 }]))(w).arraySync();
    expect(g).toEqual([0.5, 0, -1]);
    expect(proximalPenalty([]).arraySync()).toBe(0);
    expect(() => proximalPenalty([{ value: w, target: tf.zeros([2]), rho: 1 }])).toThrow(/target shape/);
    expect(() => proximalPenalty([{ value: w, target: t, rho: -1 }])).toThrow(/rho/);
  });
});

describe('softOrthogonality (papers.md §A.3.9)', () => {
  it('views OIHW row-major as [-1, C_out] and measures ‖WᵀW (/ n) − I‖_F', () => {
    // [2, 1, 1, 2] viewed as 2 × 2: rows (w000, w001), (w100, w101) — the raw view, not per filter
    const w = tf.tensor4d([1, 0, 0, 1], [2, 1, 1, 2]);
    expect(softOrthogonality(w, false).arraySync()).toBeCloseTo(0, 6);
    expect(softOrthogonality(w, true).arraySync()).toBeCloseTo(Math.SQRT2 / 2, 6); // ‖I/2 − I‖_F
    const v = tf.tensor4d([1, 1, 0, 0], [2, 1, 1, 2]); // rows (1, 1), (0, 0): WᵀW = [[1, 1], [1, 1]]
    expect(softOrthogonality(v, false).arraySync()).toBeCloseTo(Math.SQRT2, 6);
    expect(() => softOrthogonality(tf.zeros([2, 2]), false)).toThrow(/\[out, in, kh, kw\]/);
  });
});

describe('evaluateClassifier', () => {
  // 7 one-pixel images with values 0..6; class = value % 3; the "model" predicts class scores from the pixel.
  const ds = memoryDataset({
    name: 'toy',
    split: 'test',
    height: 1,
    width: 1,
    channels: 1,
    classes: 6,
    labels: Uint8Array.from([0, 1, 2, 0, 1, 2, 0]),
    pixels: Uint8Array.from([0, 1, 2, 3, 4, 5, 6]),
  });
  // logits of image v: class (v·255 mod 3)... scores built so that top-1 is right for v < 4 and top-5 always
  const model = (x: tf.Tensor4D): tf.Tensor =>
    tf.tidy(() => {
      const v = tf.round(tf.mul(tf.reshape(x, [-1, 1]), 255)); // back to 0..6
      const k = tf.sub(v, tf.mul(tf.floor(tf.div(v, 3)), 3)); // v mod 3 = the label
      const wrong = tf.cast(tf.greaterEqual(v, 4), 'float32'); // images 4, 5, 6 rank their label second
      const classes = tf.reshape(tf.range(0, 6), [1, 6]);
      const labelScore = tf.mul(tf.cast(tf.equal(classes, k), 'float32'), 2);
      const decoy = tf.mul(tf.cast(tf.equal(classes, 5), 'float32'), tf.mul(wrong, 3));
      return tf.add(labelScore, decoy);
    });

  it('counts top-1, top-5 and the mean loss over uneven batches without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const r = await evaluateClassifier(model, ds, { batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.examples).toBe(7);
    expect(r.top1).toBeCloseTo(4 / 7, 12);
    expect(r.top5).toBe(1);
    // loss: 4 examples with logits (2 at label, 0 × 5) and 3 with (2 at label, 3 at class 5, 0 × 4)
    const good = Math.log(Math.exp(2) + 5) - 2;
    const bad = Math.log(Math.exp(2) + Math.exp(3) + 4) - 2;
    expect(r.loss).toBeCloseTo((4 * good + 3 * bad) / 7, 5);
  });

  it('honours limit', async () => {
    const r = await evaluateClassifier(model, ds, { batchSize: 100, limit: 4 });
    expect([r.examples, r.top1]).toEqual([4, 1]);
  });
});
