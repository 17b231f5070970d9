import { accountSize, resnet18ImagenetLayers } from '@quantprune/formats';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './builder.ts';
import { applyChannelMasks } from './channel-removal.ts';
import { channelGroups } from './coupling.ts';
import { applyPrecision, type PrecisionOptions, type PrecisionPreset } from './precision.ts';
import { countMacs, countParams, summarize, toLayerSpecs } from './summary.ts';
import type { Conv2dLayer, DenseLayer, Graph } from './types.ts';
import { createModel, type ZooName } from './zoo/zoo.ts';

const bits = (model: ZooName, preset: PrecisionPreset, options: PrecisionOptions = {}): number =>
  summarize(applyPrecision(createModel(model), preset, options), { convention: 'paper-a' }).totals.bits;

describe('paper-a totals of papers.md §A.5 (unpruned)', () => {
  it('ResNet-18 ImageNet (Paper A variant)', () => {
    expect(bits('resnet18-imagenet-paper-a', 'bnn')).toBe(28_182_016); // §A.5 "BNN ResNet-18, FLReal=True"
    expect(bits('resnet18-imagenet-paper-a', 'dorefa')).toBe(39_167_488); // §A.5 "DoReFa W2, downsample 1-bit"
    expect(bits('resnet18-imagenet-paper-a', 'bnn', { firstLast: 'quantized' })).toBe(12_082_368); // §A.5 "FLReal=False"
  });

  it('wide ResNet-14 CIFAR', () => {
    expect(bits('resnet14-cifar', 'bnn')).toBe(4_677_632); // §A.5 "BNN, FLReal=True"
    expect(bits('resnet14-cifar', 'bnn', { firstLast: 'quantized' })).toBe(4_512_112); // §A.5 "BNN, FLReal=False"
    expect(bits('resnet14-cifar', 'dorefa')).toBe(8_940_032); // §A.5 "DoReFa W2, FLReal=True"
  });

  it('VGG-11 CIFAR', () => {
    expect(bits('vgg11-cifar', 'bnn')).toBe(9_646_080); // §A.5 "BNN, FLReal=True (first conv still binary)"
    expect(bits('vgg11-cifar', 'bnn', { firstLast: 'quantized' })).toBe(9_488_000); // §A.5 "BNN, FLReal=False"
    expect(bits('vgg11-cifar', 'dorefa')).toBe(18_863_808); // §A.5 "DoReFa W2, FLReal=True"
  });

  it('the zoo graph gives the same layer list as @quantprune/formats’ reference', () => {
    const specs = toLayerSpecs(applyPrecision(createModel('resnet18-imagenet-paper-a'), 'dorefa'));
    const reference = accountSize(resnet18ImagenetLayers({ bodyBits: 2, downsampleBits: 1, prelu: true }), 'paper-a');
    const ours = accountSize(specs, 'paper-a');
    const rename = (n: string): string => n.replace(/\.prelu$/, '.relu');
    expect(new Map(ours.rows.map((r) => [r.name, r.bits]))).toEqual(new Map(reference.rows.map((r) => [rename(r.name), r.bits])));
  });

  it('xnor adds a 32-bit scale per output channel', () => {
    const delta = bits('resnet18-imagenet-paper-a', 'xnor') - bits('resnet18-imagenet-paper-a', 'bnn');
    // 16 block convs: 4 × 64 + 4 × 128 + 4 × 256 + 4 × 512 output channels (downsample convs stay bnn)
    expect(delta).toBe(32 * 4 * (64 + 128 + 256 + 512));
  });
});

describe('summarize', () => {
  it('lists per-layer rows and totals consistent with accountSize', () => {
    const g = applyPrecision(createModel('resnet20-cifar'), 'bnn');
    const s = summarize(g, { convention: 'paper-a' });
    expect(s.model).toBe('resnet20-cifar');
    const row = (n: string): (typeof s.rows)[number] => s.rows.find((r) => r.name === n)!;
    expect(row('conv1')).toMatchObject({ kind: 'conv2d', shape: [16, 3, 3, 3], params: 432, precision: 'fp32/fp32', weightBits: 32, bits: 432 * 32, sparsity: 0, macs: 432 * 1024 });
    expect(row('layer2.0.conv1')).toMatchObject({ precision: 'binary-1/binary-1', weightBits: 1, bits: 4608, bytes: 576, macs: 4608 * 256 });
    expect(row('bn1')).toMatchObject({ kind: 'batchnorm', shape: [16], params: 32, bits: 1024, macs: 0 });
    expect(row('linear')).toMatchObject({ params: 650, bits: 650 * 32 });
    expect(s.totals.bits).toBe(s.rows.reduce((a, r) => a + r.bits, 0));
    expect(s.totals.mib).toBeCloseTo(s.totals.bits / 8 / 2 ** 20, 12);
    expect(s.totals.macs).toBe(countMacs(g));
    // paper-a counts BN γ, β (no running stats): the same as torch's parameter count here
    expect(s.totals.params).toBe(countParams(g));
  });

  it('weights-only lists conv and dense layers only', () => {
    const s = summarize(createModel('lenet5'), { convention: 'weights-only' });
    expect(s.rows.map((r) => r.name)).toEqual(['conv1', 'conv2', 'fc1', 'fc2']);
    expect(s.totals.bits).toBe(13_776_000); // papers.md §B.3.6: 430,500 × 32
  });
});

/** conv(4→6) → BN → ReLU → conv(6→5) → flatten → dense, for mask tests. */
function maskedNet(): Graph {
  const b = new GraphBuilder('masked', { seed: 2 });
  let x = b.input([4, 6, 6]);
  x = b.conv2d('c1', x, { inChannels: 4, outChannels: 6, kernel: 3, padding: 1, bias: true });
  x = b.relu('r', b.batchnorm('bn', x, { channels: 6 }));
  x = b.conv2d('c2', x, { inChannels: 6, outChannels: 5, kernel: 3, stride: 2, padding: 1 });
  x = b.flatten('f', x);
  return b.build(b.dense('fc', x, { inFeatures: 5 * 3 * 3, outFeatures: 3 }));
}

describe('masks in toLayerSpecs and summarize', () => {
  it('counts masked channels as removed along the chain', () => {
    const g = maskedNet();
    const c1 = g.layers[1] as Conv2dLayer;
    const c2 = g.layers[4] as Conv2dLayer;
    c1.channelMask = Uint8Array.of(1, 0, 1, 1, 0, 1); // 4 of 6 kept
    c2.channelMask = Uint8Array.of(1, 1, 0, 1, 1); // 4 of 5 kept
    const specs = new Map(toLayerSpecs(g).map((s) => [s.name, s]));
    expect(specs.get('c1')!.shape).toEqual([4, 4, 3, 3]);
    expect(specs.get('bn')!.shape).toEqual([4]);
    expect(specs.get('c2')!.shape).toEqual([4, 4, 3, 3]);
    expect(specs.get('fc')!.shape).toEqual([3, 4 * 9]); // flatten spreads the 4 kept channels over 3×3
    const s = summarize(g, { convention: 'paper-a' });
    expect(s.rows.find((r) => r.name === 'c2')!.macs).toBe(4 * 4 * 9 * 3 * 3);
    expect(s.totals.macs).toBeLessThan(countMacs(g));
  });

  it('restricts element masks to the kept channels and reports sparsity', () => {
    const g = maskedNet();
    const c2 = g.layers[4] as Conv2dLayer;
    // keep only weight [o, i, 0, 0] for every o, i: 1 of 9 per kernel
    c2.mask = Uint8Array.from({ length: 5 * 6 * 9 }, (_, j) => (j % 9 === 0 ? 1 : 0));
    expect(summarize(g, { convention: 'weights-only' }).rows.find((r) => r.name === 'c2')!.sparsity).toBeCloseTo(8 / 9, 12);
    (g.layers[1] as Conv2dLayer).channelMask = Uint8Array.of(0, 1, 1, 1, 1, 1);
    const spec = toLayerSpecs(g).find((l) => l.name === 'c2')!;
    expect(spec.mask).toHaveLength(5 * 5 * 9);
    const s = summarize(g, { convention: 'weights-only' });
    expect(s.rows.find((r) => r.name === 'c2')!.bits).toBe(5 * 5 * 32); // one nonzero per kept kernel
    const fc = g.layers[6] as DenseLayer;
    fc.mask = new Uint8Array(3 * 45);
    expect(summarize(g, { convention: 'weights-only' }).rows.find((r) => r.name === 'fc')!.sparsity).toBe(1);
  });
});

describe('channel masks counted as removed = physical removal', () => {
  it.each(['resnet20-cifar', 'vgg11-cifar'] as const)('%s: summary of the masked graph equals the summary of applyChannelMasks', (name) => {
    const g = applyPrecision(createModel(name), 'bnn');
    // mask every third channel of every prunable group, on each of its producers
    for (const group of channelGroups(g).filter((gr) => gr.prunable)) {
      for (const p of group.producers) {
        const layer = g.layers.find((l) => l.name === p.layer) as Conv2dLayer | DenseLayer;
        layer.channelMask = Uint8Array.from({ length: p.channels }, (_, c) => ((p.offset + c) % 3 === 0 ? 0 : 1));
      }
    }
    const masked = summarize(g, { convention: 'paper-a' });
    const thin = summarize(applyChannelMasks(g), { convention: 'paper-a' });
    expect(masked.totals).toEqual(thin.totals);
    expect(masked.rows.map((r) => [r.name, r.shape])).toEqual(thin.rows.map((r) => [r.name, r.shape]));
    expect(masked.totals.bits).toBeLessThan(summarize(createModel(name), { convention: 'paper-a' }).totals.bits);
  });
});
