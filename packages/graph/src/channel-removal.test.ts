import { describe, expect, test } from 'vitest';
import { applyChannelMasks, removeChannels, silenceMaskedChannels } from './channel-removal.ts';
import { channelGroups } from './coupling.ts';
import { GraphError } from './errors.ts';
import { forward } from './forward.ts';
import { paramNames } from './param-names.ts';
import { conv, dense, graphOf, plainChain, randomArray, residualBlock, resnetCifar, rng } from './test-graphs.ts';
import type { BatchNormLayer, Conv2dLayer, DenseLayer, Graph, InputLayer, Layer, PreluLayer, ShortcutPadLayer } from './types.ts';

const byName = <T extends Layer>(g: Graph, name: string): T => g.layers.find((l) => l.name === name) as T;

/** Puts one random keep mask per prunable group on every producer of it; returns the masks by group id. */
function maskAllGroups(g: Graph, seed: number, only?: string): Map<string, Uint8Array> {
  const r = rng(seed);
  const masks = new Map<string, Uint8Array>();
  for (const group of channelGroups(g)) {
    if (!group.prunable || (only !== undefined && group.id !== only)) continue;
    const m = Uint8Array.from({ length: group.channels }, () => (r() < 0.6 ? 1 : 0));
    m[0] = 1; // every tensor of these test groups covers position 0..: keep some channel of each
    m[group.channels - 1] = 1;
    if (!m.includes(0)) m[1] = 0;
    masks.set(group.id, m);
    for (const p of group.producers) (byName<Conv2dLayer>(g, p.layer)).channelMask = m.slice(p.offset, p.offset + p.channels);
  }
  return masks;
}

function inputSize(g: Graph): number {
  return (g.layers[0] as InputLayer).shape.reduce((a, b) => a * b, 1);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

/** Thin vs masked (with silenced BN shifts): forward outputs and every intermediate of equal size agree. */
function expectThinEqualsMasked(g: Graph, seed: number, only?: string): Graph {
  maskAllGroups(g, seed, only);
  const masked = silenceMaskedChannels(g);
  const thin = applyChannelMasks(g);
  const x = randomArray(2 * inputSize(g), rng(seed + 100));
  const a = forward(masked, x, 2);
  const b = forward(thin, x, 2);
  const scale = Math.max(1, ...Array.from(a, Math.abs));
  // float32 outputs of float64 sums that differ only by exact-zero terms and summation order: ≤ 1e-5 relative
  expect(maxAbsDiff(a, b) / scale).toBeLessThan(1e-5);
  expect(thin.layers.every((l) => !('channelMask' in l) || l.channelMask === undefined)).toBe(true);
  return thin;
}

describe('removeChannels / applyChannelMasks: the thin network computes what the masked one computes', () => {
  test('plain chain (conv → BN → relu → conv → BN → prelu → pool → flatten → dense)', () => {
    const g = plainChain();
    const masks = maskAllGroups(g, 1);
    const thin = expectThinEqualsMasked(g, 1);
    const k1 = masks.get('conv1')!.reduce((a, b) => a + b, 0);
    const k2 = masks.get('conv2')!.reduce((a, b) => a + b, 0);
    expect(byName<Conv2dLayer>(thin, 'conv1').weight.shape).toEqual([k1, 3, 3, 3]);
    expect(byName<Conv2dLayer>(thin, 'conv1').bias!.shape).toEqual([k1]);
    expect(byName<BatchNormLayer>(thin, 'bn1').channels).toBe(k1);
    expect(byName<Conv2dLayer>(thin, 'conv2').weight.shape).toEqual([k2, k1, 3, 3]);
    expect(byName<{ weight: { shape: number[] } } & Layer>(thin, 'prelu2').weight.shape).toEqual([k2]);
    expect(byName<DenseLayer>(thin, 'fc').weight.shape).toEqual([4, 4 * k2]); // 2×2 features per channel
  });

  test('residual block with identity shortcut', () => {
    const g = residualBlock('identity');
    const thin = expectThinEqualsMasked(g, 2);
    const stem = byName<Conv2dLayer>(thin, 'conv1').outChannels;
    expect(byName<Conv2dLayer>(thin, 'block.conv2').outChannels).toBe(stem);
    expect(byName<DenseLayer>(thin, 'fc').inFeatures).toBe(stem);
  });

  test('residual block with 1×1 downsample', () => {
    const g = residualBlock('conv', 3, 6);
    const thin = expectThinEqualsMasked(g, 3);
    const out = byName<Conv2dLayer>(thin, 'block.conv2').outChannels;
    expect(byName<Conv2dLayer>(thin, 'block.downsample.0').outChannels).toBe(out);
    expect(byName<BatchNormLayer>(thin, 'block.downsample.1').channels).toBe(out);
    expect(byName<Conv2dLayer>(thin, 'block.downsample.0').inChannels).toBe(byName<Conv2dLayer>(thin, 'conv1').outChannels);
  });

  test('option-A shortcut-pad: removed padding positions shrink before/after', () => {
    const g = residualBlock('pad', 4, 4); // stem 4 channels at group positions [2, 6) of 8
    for (const [name, m] of [['conv1', [1, 0, 1, 1]], ['block.conv2', [0, 1, 1, 0, 1, 1, 1, 0]]] as const) {
      byName<Conv2dLayer>(g, name).channelMask = Uint8Array.from(m);
    }
    const masked = silenceMaskedChannels(g);
    const thin = applyChannelMasks(g);
    expect(byName<ShortcutPadLayer>(thin, 'block.shortcut')).toMatchObject({ before: 1, after: 1 });
    expect(byName<Conv2dLayer>(thin, 'conv1').outChannels).toBe(3);
    expect(byName<Conv2dLayer>(thin, 'block.conv2').outChannels).toBe(5); // 1 + 3 + 1
    const x = randomArray(3 * inputSize(g), rng(9));
    expect(maxAbsDiff(forward(masked, x, 3), forward(thin, x, 3))).toBeLessThan(1e-5);
  });

  test('dense after flatten, dense chain', () => {
    const r = rng(3);
    const g = graphOf([
      { kind: 'input', name: 'x', inputs: [], shape: [1, 4, 4] },
      { kind: 'flatten', name: 'flat', inputs: ['x'] },
      dense('fc1', 'flat', 16, 12, r),
      { kind: 'batchnorm', name: 'bn', inputs: ['fc1'], channels: 12, eps: 1e-5, momentum: 0.1, runningMean: { shape: [12], data: randomArray(12, r) }, runningVar: { shape: [12], data: randomArray(12, r, 0.5, 2) } },
      { kind: 'relu', name: 'r1', inputs: ['bn'] },
      dense('fc2', 'r1', 12, 8, r),
      { kind: 'relu', name: 'r2', inputs: ['fc2'] },
      dense('fc3', 'r2', 8, 3, r),
    ]);
    const thin = expectThinEqualsMasked(g, 5);
    expect(byName<DenseLayer>(thin, 'fc2').inFeatures).toBe(byName<DenseLayer>(thin, 'fc1').outFeatures);
    expect(byName<BatchNormLayer>(thin, 'bn').channels).toBe(byName<DenseLayer>(thin, 'fc1').outFeatures);
  });

  test.each([['A'], ['B']] as const)('ResNet-20 (option %s), every prunable group at once', (option) => {
    const g = resnetCifar(20, 3, option);
    const before = paramNames(g).length;
    const thin = expectThinEqualsMasked(g, 20);
    expect(paramNames(thin).length).toBe(before);
    // each stage's residual stream keeps the same width in every block
    for (const s of [1, 2, 3]) {
      const widths = [0, 1, 2].map((b) => byName<Conv2dLayer>(thin, `layer${s}.${b}.conv2`).outChannels);
      expect(new Set(widths).size).toBe(1);
    }
  });

  test('without silencing the BN shifts, masked and thin differ (the BN shift of a masked channel is not 0)', () => {
    const g = plainChain();
    byName<Conv2dLayer>(g, 'conv1').channelMask = Uint8Array.of(1, 1, 0, 1, 1, 1);
    const bn1 = byName<BatchNormLayer>(g, 'bn1');
    bn1.bias!.data[2] = 1; // shift β − γ·0/σ = 1 > 0 passes the relu into conv2
    bn1.runningMean.data[2] = 0;
    const x = randomArray(inputSize(g), rng(1));
    const thin = forward(applyChannelMasks(g), x, 1);
    expect(maxAbsDiff(forward(g, x, 1), thin)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(forward(silenceMaskedChannels(g), x, 1), thin)).toBeLessThan(1e-5);
  });
});

describe('removeChannels: slicing details', () => {
  test('one producer’s keep mask slices every residual partner, row by row', () => {
    const g = residualBlock('conv', 7, 4);
    const keep = Uint8Array.of(1, 0, 0, 1, 1, 1, 0, 1);
    const thin = removeChannels(g, new Map([['block.downsample.0', keep]]));
    const kept = [0, 3, 4, 5, 7];
    for (const name of ['block.conv2', 'block.downsample.0']) {
      const before = byName<Conv2dLayer>(g, name).weight;
      const after = byName<Conv2dLayer>(thin, name).weight;
      const per = before.data.length / 8;
      expect(Array.from(after.data)).toEqual(kept.flatMap((o) => Array.from(before.data.subarray(o * per, (o + 1) * per))));
    }
    const bn = byName<BatchNormLayer>(g, 'block.bn2');
    const bnThin = byName<BatchNormLayer>(thin, 'block.bn2');
    for (const key of ['weight', 'bias', 'runningMean', 'runningVar'] as const) {
      expect(Array.from(bnThin[key]!.data)).toEqual(kept.map((o) => bn[key]!.data[o]));
    }
    expect(Array.from(byName<DenseLayer>(thin, 'fc').weight.data)).toEqual(
      [0, 1, 2].flatMap((o) => kept.map((i) => byName<DenseLayer>(g, 'fc').weight.data[o * 8 + i])),
    );
  });

  test('element masks follow their weights; quantizer annotations are kept; the source graph is untouched', () => {
    const g = plainChain();
    const c2 = byName<Conv2dLayer>(g, 'conv2');
    c2.mask = Uint8Array.from(c2.weight.data, (v) => (v > 0 ? 1 : 0));
    c2.weightQuantizer = { name: 'dorefa', bits: 2 };
    c2.activationQuantizer = { name: 'dorefa', bits: 2 };
    const snapshot = JSON.stringify(g.layers.map((l) => ('weight' in l && l.weight ? Array.from(l.weight.data) : l.name)));
    const thin = removeChannels(g, new Map([['conv1', Uint8Array.of(1, 1, 0, 1, 0, 1)], ['conv2', Uint8Array.of(0, 1, 1, 1, 1)]]));
    const t2 = byName<Conv2dLayer>(thin, 'conv2');
    expect(t2.weight.shape).toEqual([4, 4, 3, 3]);
    expect(Array.from(t2.mask!)).toEqual(Array.from(t2.weight.data, (v) => (v > 0 ? 1 : 0)));
    expect(t2.weightQuantizer).toEqual({ name: 'dorefa', bits: 2 });
    expect(t2.activationQuantizer).toEqual({ name: 'dorefa', bits: 2 });
    t2.weight.data.fill(7);
    byName<BatchNormLayer>(thin, 'bn1').runningMean.data.fill(7);
    expect(JSON.stringify(g.layers.map((l) => ('weight' in l && l.weight ? Array.from(l.weight.data) : l.name)))).toBe(snapshot);
    expect(byName<BatchNormLayer>(g, 'bn1').runningMean.data.includes(7)).toBe(false);
  });

  test('a tensor shared by several layers stays shared, or the removal is refused when it would be sliced twice differently', () => {
    const r = rng(8);
    const slopes = { shape: [4], data: randomArray(4, r, 0, 0.5) };
    const g = graphOf([
      { kind: 'input', name: 'x', inputs: [], shape: [3, 6, 6] },
      conv('a', 'x', 3, 4, r, { padding: 1 }),
      { kind: 'prelu', name: 'pa', inputs: ['a'], weight: slopes },
      conv('b', 'pa', 4, 4, r, { padding: 1 }),
      { kind: 'prelu', name: 'pb', inputs: ['b'], weight: slopes },
      { kind: 'add', name: 'sum', inputs: ['pa', 'pb'] },
      { kind: 'globalavgpool', name: 'gap', inputs: ['sum'] },
      dense('fc', 'gap', 4, 2, r),
    ]);
    // a and b are one group (the add): both prelus are sliced alike and keep sharing one tensor
    const thin = removeChannels(g, new Map([['a', Uint8Array.of(1, 0, 1, 1)]]));
    expect(byName<PreluLayer>(thin, 'pa').weight).toBe(byName<PreluLayer>(thin, 'pb').weight);
    expect(Array.from(byName<PreluLayer>(thin, 'pa').weight.data)).toEqual([0, 2, 3].map((i) => slopes.data[i]));
    // without the add, b is its own group and the shared slopes would need two different slicings
    const h = graphOf([...g.layers.slice(0, 5), { kind: 'globalavgpool', name: 'gap', inputs: ['pb'] }, dense('fc', 'gap', 4, 2, r)]);
    expect(() => removeChannels(h, new Map([['a', Uint8Array.of(1, 0, 1, 1)]]))).toThrow(
      /^layer "pb": shares a tensor with layer "pa" that the removal would slice differently$/,
    );
  });

  test('keeping everything returns an equal copy', () => {
    const g = residualBlock('pad');
    const thin = removeChannels(g, new Map([['conv1', new Uint8Array(4).fill(1)]]));
    expect(thin).toEqual(g);
    expect(thin.layers[1]).not.toBe(g.layers[1]);
    expect(applyChannelMasks(g)).toEqual(g);
  });

  test('errors', () => {
    const g = residualBlock('conv', 7, 4);
    const rm = (entries: [string, Uint8Array][]) => () => removeChannels(g, new Map(entries));
    expect(rm([['fc', Uint8Array.of(1, 0, 1)]])).toThrow(GraphError);
    expect(rm([['fc', Uint8Array.of(1, 0, 1)]])).toThrow(/^layer "fc": cannot remove channels of group "fc": carries the network output \(layer "fc"\)$/);
    expect(rm([['relu1', Uint8Array.of(1)]])).toThrow(/^removeChannels: "relu1" is not a conv2d or dense layer of graph "test"$/);
    expect(rm([['conv1', Uint8Array.of(1, 0)]])).toThrow(/^removeChannels: keep mask of "conv1" has 2 entries but the layer has 4 output channels$/);
    expect(rm([['conv1', Uint8Array.of(1, 0, 2, 1)]])).toThrow(/^removeChannels: keep mask of "conv1" has 2 at 2, entries must be 0 or 1$/);
    expect(rm([['conv1', [1, 0, 1, 1] as unknown as Uint8Array]])).toThrow(TypeError);
    expect(rm([['conv1', new Uint8Array(4)]])).toThrow(/^layer "conv1": removing these channels of group "conv1" would leave no channel$/);
    expect(rm([['block.conv2', Uint8Array.of(1, 1, 0, 1, 1, 1, 1, 1)], ['block.downsample.0', Uint8Array.of(1, 1, 1, 1, 1, 1, 1, 1)]])).toThrow(
      /^layer "block.downsample.0": removeChannels: keep mask of "block.downsample.0" \(channel 2: 1\) disagrees with "block.conv2" \(0\) on position 2 of channel group "block.conv2"; channels of one group are removed together/,
    );
  });

  test('applyChannelMasks: a producer without a mask keeps everything, so it conflicts with a partner’s mask', () => {
    const g = residualBlock('conv', 7, 4);
    byName<Conv2dLayer>(g, 'block.conv2').channelMask = Uint8Array.of(1, 1, 0, 1, 1, 1, 1, 1);
    expect(() => applyChannelMasks(g)).toThrow(
      /^layer "block.downsample.0": applyChannelMasks: channelMask of "block.downsample.0" \(channel 2: 1\) disagrees with "block.conv2" \(0\) on position 2 of channel group "block.conv2"/,
    );
    expect(() => silenceMaskedChannels(g)).toThrow(GraphError);
    const h = plainChain();
    byName<DenseLayer>(h, 'fc').channelMask = Uint8Array.of(1, 0, 1, 1);
    expect(() => applyChannelMasks(h)).toThrow(/cannot remove channels of group "fc": carries the network output/);
  });
});
