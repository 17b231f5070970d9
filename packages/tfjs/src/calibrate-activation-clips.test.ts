import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryDataset } from '@quantprune/data';
import { GraphBuilder, type Conv2dLayer, type Graph, type QuantizerSpec } from '@quantprune/graph';
import { calibrateDoReFaActivationClip } from '@quantprune/quantizers';
import { calibrateActivationClips } from './calibrate-activation-clips.ts';
import { calibrationBatches } from './calibration-batches.ts';
import { BACKENDS, useBackend } from './test-backends.ts';

// 2×2 RGB images; channels 0 and 1 normalise to ≤ 0, channel 2 to [0, 10]: only channel 2 has anything to clip.
const count = 40;
const pixels = Uint8Array.from({ length: count * 12 }, (_, i) => (i * 89 + ((i * i) % 37)) % 256);
const data = memoryDataset({ name: 'toy', split: 'train', height: 2, width: 2, channels: 3, classes: 2, labels: new Uint8Array(count), pixels });
const normalize = { mean: [1, 1, 0], std: [1, 1, 0.1] };
const clip = (bits: number): QuantizerSpec => ({ name: 'dorefa', bits, options: { variant: 'clip' } });

const conv = (g: Graph, name: string): Conv2dLayer => g.layers.find((l) => l.name === name) as Conv2dLayer;

/** input → conv `a` (1×1, DoReFa clip on its input) → conv `b` (tanh variant on its input) → flatten → dense. */
function model(): Graph {
  const b = new GraphBuilder('clip-toy', { seed: 2 });
  const a = b.conv2d('a', b.input([3, 2, 2]), { inChannels: 3, outChannels: 3, kernel: 1 });
  const c = b.conv2d('b', b.relu('relu', a), { inChannels: 3, outChannels: 2, kernel: 1 });
  const g = b.build(b.dense('fc', b.flatten('flatten', c), { inFeatures: 8, outFeatures: 2 }));
  conv(g, 'a').activationQuantizer = clip(2);
  conv(g, 'b').activationQuantizer = { name: 'dorefa', bits: 2, options: { variant: 'tanh' } };
  return g;
}

describe.each(BACKENDS)('calibrateActivationClips on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('sets the MSE-optimal α of the sampled inputs on DoReFa clip quantizers only', async () => {
    const g = model();
    const before = tf.memory().numTensors;
    const result = await calibrateActivationClips(g, data, { batches: 3, batchSize: 16, seed: 5, normalize, backend });
    expect(tf.memory().numTensors).toBe(before);
    expect([...result.keys()]).toEqual(['a']);
    // no subsampling at this size: the samples are exactly the normalised pixels of the same 3 batches
    const inputs = [...calibrationBatches('test', data, 3, { batchSize: 16, seed: 5, normalize })].map((b) => b.images);
    const all = Float32Array.from(inputs.flatMap((x) => Array.from(x)));
    const want = calibrateDoReFaActivationClip(all, { bits: 2 });
    expect(result.get('a')).toEqual(want);
    expect(want.clipValue).toBeGreaterThan(1);
    expect(conv(g, 'a').activationQuantizer).toEqual({ name: 'dorefa', bits: 2, options: { variant: 'clip', clipValue: want.clipValue } });
    expect(conv(g, 'b').activationQuantizer).toEqual({ name: 'dorefa', bits: 2, options: { variant: 'tanh' } });
  });

  it('subsamples every channel (the stride skips factors of the channel count)', async () => {
    // 16 × 12 values per batch, 4 kept: a stride of 48 would read channel 0 only (all ≤ 0, so α would stay 1)
    const result = await calibrateActivationClips(model(), data, { batches: 2, batchSize: 16, samplesPerBatch: 4, normalize, backend });
    expect(result.get('a')!.clipValue).toBeGreaterThan(1);
  });

  it('returns an empty map when no layer has a DoReFa clip quantizer, and rejects bad options', async () => {
    const g = model();
    delete conv(g, 'a').activationQuantizer;
    expect((await calibrateActivationClips(g, data, { normalize, backend })).size).toBe(0);
    await expect(calibrateActivationClips(model(), data, { batches: 0, backend })).rejects.toThrow(/^calibrateActivationClips: batches must be an integer ≥ 1, got 0$/);
    await expect(calibrateActivationClips(model(), data, { samplesPerBatch: 0.5, backend })).rejects.toThrow(/samplesPerBatch must be an integer ≥ 1, got 0.5/);
  });
});
