import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { memoryDataset, type ImageDataset } from '@quantprune/data';
import { getParam, GraphBuilder, type Conv2dLayer, type Graph, type StepInfo } from '@quantprune/graph';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from './checkpoint.ts';
import { softOrthogonality } from './losses.ts';
import { lineProgress } from './progress.ts';
import { rng } from './test-backends.ts';
import { createTrainer, type TrainerOptions } from './trainer.ts';

/**
 * A 4-class toy problem on 6×6 grey images: class k lights up quadrant k (plus seeded noise), so a tiny convnet
 * learns it in tens of steps.
 */
function toyDataset(count: number, seed: number, split: 'train' | 'test'): ImageDataset {
  const rand = rng(seed);
  const labels = new Uint8Array(count);
  const pixels = new Uint8Array(count * 36);
  for (let i = 0; i < count; i++) {
    const k = i % 4;
    labels[i] = k;
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 6; x++) {
        const inside = (y < 3) === (k < 2) && (x < 3) === (k % 2 === 0);
        pixels[i * 36 + y * 6 + x] = Math.min(255, Math.floor((inside ? 140 : 40) + 100 * rand()));
      }
    }
  }
  return memoryDataset({ name: 'toy', split, height: 6, width: 6, channels: 1, classes: 4, labels, pixels });
}

/** conv 4@3×3 → BN → ReLU → flatten → dense 4 (BN exercises running statistics in checkpoints). */
function toyGraph(seed = 1): Graph {
  const b = new GraphBuilder('toy', { seed });
  let x = b.input([1, 6, 6]);
  x = b.conv2d('conv', x, { inChannels: 1, outChannels: 4, kernel: 3, bias: false });
  x = b.batchnorm('bn', x, { channels: 4 });
  x = b.relu('relu', x);
  x = b.flatten('flat', x);
  return b.build(b.dense('fc', x, { inFeatures: 64, outFeatures: 4 }));
}

const train = toyDataset(64, 3, 'train');
const test = toyDataset(32, 4, 'test');
const base = (extra: Partial<TrainerOptions> = {}): TrainerOptions => ({
  graph: toyGraph(),
  train,
  test,
  batchSize: 8,
  seed: 5,
  optimizer: { kind: 'adam' },
  schedule: { kind: 'constant', lr: 0.01 },
  progress: false,
  backend: 'cpu',
  readLossEvery: 1,
  ...extra,
});

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('createTrainer', () => {
  it('learns the toy problem and reports epochs through fit and a custom progress reporter', async () => {
    const lines: string[] = [];
    const trainer = await createTrainer(base({ epochs: 4, progress: lineProgress((l) => lines.push(l), 8), normalize: { mean: [0.5], std: [0.25] } }));
    expect(trainer.stepsPerEpoch).toBe(8);
    const before = await trainer.evaluate();
    const seen: number[] = [];
    const reports = await trainer.fit({ onEpoch: (r) => seen.push(r.epoch) });
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(reports.map((r) => r.epoch)).toEqual([0, 1, 2, 3]);
    expect(reports[3]!.train.meanLoss).toBeLessThan(reports[0]!.train.meanLoss);
    expect(reports[3]!.test!.top1).toBeGreaterThan(0.9);
    expect(before.top1).toBeLessThan(reports[3]!.test!.top1);
    expect(reports[3]!.test!.top5).toBe(1); // 4 classes: the label is always among the top 5
    expect(trainer.position).toEqual({ step: 32, epoch: 4, batch: 0 });
    expect(lines.filter((l) => l.startsWith('epoch 4/4  step 32/32'))).toHaveLength(1);
    trainer.dispose();
  });

  it('resumes a checkpointed run: the next losses equal those of the uninterrupted run, bit for bit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qp-resume-'));
    dirs.push(dir);
    const file = join(dir, 'run.qpt');
    const opts = base({ checkpoint: { file, every: 7 }, augment: { flip: true, crop: { padding: 1 } }, optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-3 } });
    const a = await createTrainer(opts);
    await a.train({ steps: 7 }); // checkpoint at step 7: epoch 0, batch 7 of 8
    const losses = (t: typeof a, steps: number): Promise<number[]> => {
      const out: number[] = [];
      return t.train({ steps, hooks: { onStep: (i: StepInfo) => void out.push(i.loss) } }).then(() => out);
    };
    const uninterrupted = await losses(a, 3); // steps 8, 9, 10: crosses into epoch 1
    const ckpt = await loadCheckpoint(file);
    expect(ckpt.position).toEqual({ step: 7, epoch: 0, batch: 7 });
    const b = await createTrainer({ ...opts, graph: toyGraph(99), checkpoint: undefined, resume: file, seed: 123 }); // seed and weights come from the checkpoint
    expect(b.position).toEqual({ step: 7, epoch: 0, batch: 7 });
    const resumed = await losses(b, 3);
    expect(resumed).toEqual(uninterrupted); // bit for bit: weights, optimiser state and batches restored exactly
    a.dispose();
    b.dispose();
  });

  it('implements the Trainer contract: weights in sync with the graph, masks, frozen elements, proximal terms, stop, no leaks', async () => {
    const graph = toyGraph();
    const conv = graph.layers.find((l): l is Conv2dLayer => l.name === 'conv')!;
    conv.mask = Uint8Array.from({ length: conv.weight.data.length }, (_, i) => (i % 3 === 0 ? 0 : 1));
    const trainer = await createTrainer(base({ graph }));
    await trainer.train({ steps: 1 }); // creates the optimiser's slot variables
    const tensors = tf.memory().numTensors;
    const w0 = trainer.readWeights();
    expect(w0.get('conv.weight')!.filter((_, i) => i % 3 === 0).every((v) => v === 0)).toBe(true);

    // frozen elements of fc.weight and a proximal pull of bn.bias
    const frozen = Uint8Array.from({ length: 256 }, (_, i) => (i < 128 ? 0 : 1));
    const target = Float32Array.from([3, 3, 3, 3]);
    let seen = 0;
    const report = await trainer.train({
      steps: 20,
      hooks: {
        gradientMasks: new Map([['fc.weight', frozen]]),
        proximal: [{ param: 'bn.bias', target, rho: 50 }],
        onStep: () => (++seen === 12 ? 'stop' : undefined),
      },
    });
    expect(report.steps).toBe(12);
    expect(seen).toBe(12);
    expect(tf.memory().numTensors).toBe(tensors);
    const w1 = trainer.readWeights();
    expect(w1.get('conv.weight')!.filter((_, i) => i % 3 === 0).every((v) => v === 0)).toBe(true); // pruned stay zero
    expect(w1.get('fc.weight')!.subarray(0, 128)).toEqual(w0.get('fc.weight')!.subarray(0, 128)); // frozen, bit for bit
    expect(w1.get('fc.weight')!.subarray(128)).not.toEqual(w0.get('fc.weight')!.subarray(128));
    // pulled towards 3 at nearly Adam's top speed (lr per step, 12 steps)
    w1.get('bn.bias')!.forEach((v, i) => expect(v - w0.get('bn.bias')![i]!).toBeGreaterThan(0.1));
    expect(trainer.graph.layers.find((l) => l.name === 'fc')!.kind).toBe('dense');
    expect(Array.from((trainer.graph.layers.find((l) => l.name === 'bn') as { bias: { data: Float32Array } }).bias.data)).toEqual(Array.from(w1.get('bn.bias')!));

    // writeWeights updates engine and graph; setGraph swaps the model
    trainer.writeWeights(new Map([['fc.bias', Float32Array.from([1, 2, 3, 4])]]));
    expect(Array.from(trainer.readWeights().get('fc.bias')!)).toEqual([1, 2, 3, 4]);
    trainer.setGraph(toyGraph(7));
    expect(trainer.graph.layers.find((l) => l.name === 'conv')).toBeDefined();
    await trainer.train({ steps: 2 });
    await expect(trainer.train({ steps: 1, hooks: { gradientMasks: new Map([['nope.weight', frozen]]) } })).rejects.toThrow(/not a parameter/);
    await expect(trainer.train({ steps: 1.5 })).rejects.toThrow(/steps must be an integer/);
    trainer.dispose();
    await expect(trainer.evaluate()).rejects.toThrow(/disposed/);
  });

  it('adds β·soft-orthogonality of every conv (OIHW view) to the loss', async () => {
    const lossAt = async (beta: number): Promise<number> => {
      const t = await createTrainer(base({ schedule: { kind: 'constant', lr: 0 }, softOrthogonality: beta }));
      let loss = Number.NaN;
      await t.train({ steps: 1, hooks: { onStep: (i) => void (loss = i.loss) } });
      t.dispose();
      return loss;
    };
    const w = toyGraph().layers.find((l): l is Conv2dLayer => l.name === 'conv')!.weight;
    const so = softOrthogonality(tf.tensor4d(w.data, w.shape as [number, number, number, number]), false).arraySync() as number;
    expect((await lossAt(2)) - (await lossAt(0))).toBeCloseTo(2 * so, 4);
  });

  it('distils from a teacher: the loss is (1 − w)·CE + w·KD, the teacher stays as it was', async () => {
    const teacher = toyGraph(9);
    const teacherWeights = getParam(teacher, 'fc.weight').data.slice();
    const lossAt = async (weight: number): Promise<number> => {
      const t = await createTrainer(base({ schedule: { kind: 'constant', lr: 0 }, distill: { teacher, temperature: 2, weight } }));
      let loss = Number.NaN;
      await t.train({ steps: 1, hooks: { onStep: (i) => void (loss = i.loss) } });
      t.dispose();
      return loss;
    };
    const [ce, kd, mixed] = [await lossAt(0), await lossAt(1), await lossAt(0.25)];
    expect(kd).toBeGreaterThan(0);
    expect(mixed).toBeCloseTo(0.75 * ce + 0.25 * kd, 5); // float32 sums
    const trained = await createTrainer(base({ distill: { teacher } }));
    await trained.train({ steps: 3 });
    trained.dispose();
    expect(getParam(teacher, 'fc.weight').data).toEqual(teacherWeights);
    await expect(createTrainer(base({ distill: { teacher, weight: 2 } }))).rejects.toThrow(/distill.weight must be in \[0, 1\], got 2/);
    await expect(createTrainer(base({ distill: { teacher, temperature: 0 } }))).rejects.toThrow(/distill.temperature must be finite and > 0, got 0/);
  });

  it('re-estimates BatchNorm statistics without touching weights or the training position', async () => {
    const t = await createTrainer(base());
    await t.train({ steps: 2 });
    const before = t.readWeights();
    expect(t.recalibrateBatchNorm({ batches: 3 })).toBe(24);
    const after = t.readWeights();
    expect(t.position.step).toBe(2);
    expect(after.get('conv.weight')).toEqual(before.get('conv.weight'));
    expect(after.get('bn.running_mean')).not.toEqual(before.get('bn.running_mean'));
    t.dispose();
  });

  it('rejects bad options', async () => {
    await expect(createTrainer(base({ batchSize: 100 }))).rejects.toThrow(/larger than the 64 training examples/);
    await expect(createTrainer(base({ seed: -1 }))).rejects.toThrow(/seed/);
    await expect(createTrainer(base({ schedule: { kind: 'cosine', lr: 0.1, totalSteps: 0 } }))).rejects.toThrow(/totalSteps/);
  });
});
