import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batches, memoryDataset } from '@quantprune/data';
import { getParam, GraphBuilder } from '@quantprune/graph';
import { compileGraph } from './compile.ts';
import { recalibrateBatchNorm } from './recalibrate-batch-norm.ts';
import { BACKENDS, useBackend } from './test-backends.ts';

// 2×2 RGB images with seeded pixel values; the BatchNorm reads the input directly, so its batch statistics are
// the per-channel statistics of the normalised pixels, which the test computes in float64.
const count = 50;
const pixels = Uint8Array.from({ length: count * 12 }, (_, i) => (i * 97 + ((i * i) % 31)) % 256);
const data = memoryDataset({ name: 'toy', split: 'train', height: 2, width: 2, channels: 3, classes: 2, labels: new Uint8Array(count), pixels });
const normalize = { mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] };

function bnModel(): ReturnType<typeof compileGraph> {
  const b = new GraphBuilder('bn-only', { seed: 1 });
  const x = b.flatten('flatten', b.batchnorm('bn', b.input([3, 2, 2]), { channels: 3, affine: true }));
  const g = b.build(b.dense('fc', x, { inFeatures: 12, outFeatures: 2 }));
  getParam(g, 'bn.running_mean').data.fill(5); // stale statistics the recalibration must forget entirely
  getParam(g, 'bn.running_var').data.fill(9);
  return compileGraph(g);
}

/** Average over batches of the per-channel batch mean and unbiased batch variance (float64). */
function expectedStats(batchCount: number, batchSize: number, seed: number): { mean: number[]; variance: number[] } {
  const mean = [0, 0, 0];
  const variance = [0, 0, 0];
  let seen = 0;
  for (let epoch = 0; seen < batchCount; epoch++) {
    for (const b of batches(data, { batchSize, layout: 'nhwc', shuffle: true, seed, epoch, dropLast: true, normalize })) {
      if (seen === batchCount) break;
      seen++;
      for (let c = 0; c < 3; c++) {
        const v: number[] = [];
        for (let i = c; i < b.images.length; i += 3) v.push(b.images[i]!);
        const m = v.reduce((s, a) => s + a, 0) / v.length;
        mean[c]! += m / batchCount;
        variance[c]! += v.reduce((s, a) => s + (a - m) ** 2, 0) / (v.length - 1) / batchCount;
      }
    }
  }
  return { mean, variance };
}

describe.each(BACKENDS)('recalibrateBatchNorm on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('sets running statistics to the average of the batch statistics, across epochs of the sample', () => {
    const model = bnModel();
    const weightsBefore = model.readWeights().get('fc.weight')!;
    const before = tf.memory().numTensors;
    // 7 batches of 16 from 50 examples: 3 per epoch (the remainder dropped), so the sample spans 3 epochs
    expect(recalibrateBatchNorm(model, data, { batches: 7, batchSize: 16, seed: 3, normalize })).toBe(112);
    expect(tf.memory().numTensors).toBe(before);
    const after = model.readWeights();
    const want = expectedStats(7, 16, 3);
    for (let c = 0; c < 3; c++) {
      // float32 running averages of float32 statistics: 1e-5 relative
      expect(after.get('bn.running_mean')![c]).toBeCloseTo(want.mean[c]!, 5);
      expect(after.get('bn.running_var')![c]! / want.variance[c]!).toBeCloseTo(1, 5);
    }
    expect(after.get('fc.weight')).toEqual(weightsBefore); // only statistics change
    model.dispose();
  });

  it('rejects a bad batch count and a dataset without a variance', () => {
    const model = bnModel();
    expect(() => recalibrateBatchNorm(model, data, { batches: 0 })).toThrow(/batches must be an integer ≥ 1, got 0/);
    const one = memoryDataset({ name: 'one', split: 'train', height: 2, width: 2, channels: 3, classes: 2, labels: new Uint8Array(1), pixels: new Uint8Array(12) });
    expect(() => recalibrateBatchNorm(model, one)).toThrow(/at least 2 examples, it has 1/);
    model.dispose();
  });
});

describe('CompiledModel.apply batchNormMomentum', () => {
  it('rejects a momentum outside (0, 1]', async () => {
    await useBackend('cpu');
    const model = bnModel();
    expect(() => model.apply(tf.zeros([2, 2, 2, 3]) as tf.Tensor4D, true, { batchNormMomentum: 0 })).toThrow(/batchNormMomentum must be in \(0, 1\], got 0/);
    model.dispose();
  });
});
