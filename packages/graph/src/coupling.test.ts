import { describe, expect, test } from 'vitest';
import { channelGroups, type ChannelGroup } from './coupling.ts';
import { conv, dense, graphOf, plainChain, residualBlock, resnetCifar, rng } from './test-graphs.ts';
import type { Graph, Layer } from './types.ts';

const brief = (g: ChannelGroup) => ({
  id: g.id,
  channels: g.channels,
  prunable: g.prunable,
  producers: g.producers.map((p) => `${p.layer}@${p.offset}`),
  consumers: g.consumers.map((c) => `${c.role}:${c.layer}@${c.offset}${c.spatial > 1 ? `×${c.spatial}` : ''}`),
});

function everyLayerOnce(g: Graph, groups: ChannelGroup[]): void {
  const names = groups.flatMap((gr) => gr.tensors.map((t) => t.layer)).sort();
  expect(names).toEqual(g.layers.map((l) => l.name).sort());
}

describe('channelGroups', () => {
  test('plain chain: conv → BN → next conv; conv → BN → prelu → pool → flatten → dense', () => {
    const g = plainChain();
    const groups = channelGroups(g);
    everyLayerOnce(g, groups);
    expect(groups.map(brief)).toEqual([
      { id: 'x', channels: 3, prunable: false, producers: [], consumers: ['conv2d-input:conv1@0'] },
      { id: 'conv1', channels: 6, prunable: true, producers: ['conv1@0'], consumers: ['batchnorm:bn1@0', 'conv2d-input:conv2@0'] },
      // maxpool 4×4 → 2×2, flatten: each channel is 4 consecutive input features of fc
      { id: 'conv2', channels: 5, prunable: true, producers: ['conv2@0'], consumers: ['batchnorm:bn2@0', 'prelu:prelu2@0', 'dense-input:fc@0×4'] },
      { id: 'fc', channels: 4, prunable: false, producers: ['fc@0'], consumers: [] },
    ]);
    expect(groups[0]!.reason).toBe('carries the network input (layer "x")');
    expect(groups[3]!.reason).toBe('carries the network output (layer "fc")');
    expect(groups[1]!.reason).toBeUndefined();
  });

  test('identity shortcut: the stem and the block output are one group', () => {
    const groups = channelGroups(residualBlock('identity'));
    expect(groups.map(brief)[1]).toEqual({
      id: 'conv1', channels: 4, prunable: true, producers: ['conv1@0', 'block.conv2@0'],
      consumers: ['batchnorm:bn1@0', 'conv2d-input:block.conv1@0', 'batchnorm:block.bn2@0', 'dense-input:fc@0'],
    });
    expect(groups[1]!.tensors.map((t) => t.layer)).toEqual(['conv1', 'bn1', 'relu1', 'block.conv2', 'block.bn2', 'block.add', 'block.relu2', 'gap']);
  });

  test('1×1 downsample shortcut: the downsample conv joins the block output group; the stem feeds both', () => {
    const groups = channelGroups(residualBlock('conv')).map(brief);
    expect(groups[1]).toEqual({
      id: 'conv1', channels: 4, prunable: true, producers: ['conv1@0'],
      consumers: ['batchnorm:bn1@0', 'conv2d-input:block.conv1@0', 'conv2d-input:block.downsample.0@0'],
    });
    expect(groups[3]).toEqual({
      id: 'block.conv2', channels: 8, prunable: true, producers: ['block.conv2@0', 'block.downsample.0@0'],
      consumers: ['batchnorm:block.bn2@0', 'batchnorm:block.downsample.1@0', 'dense-input:fc@0'],
    });
  });

  test('option-A shortcut-pad maps the stem channels to the middle of the block group', () => {
    const groups = channelGroups(residualBlock('pad')).map(brief);
    expect(groups[1]).toEqual({
      id: 'conv1', channels: 8, prunable: true, producers: ['conv1@2', 'block.conv2@0'],
      consumers: ['batchnorm:bn1@2', 'conv2d-input:block.conv1@2', 'batchnorm:block.bn2@0', 'shortcut-pad:block.shortcut@2', 'dense-input:fc@0'],
    });
  });

  test('ResNet-20 option A: one residual group over all stages, nine block-internal groups', () => {
    const g = resnetCifar(1);
    const groups = channelGroups(g);
    everyLayerOnce(g, groups);
    expect(groups.map((x) => [x.id, x.channels, x.prunable])).toEqual([
      ['x', 3, false],
      ['conv1', 64, true],
      ...[1, 2, 3].flatMap((s) => [0, 1, 2].map((b) => [`layer${s}.${b}.conv1`, 8 << s, true])),
      ['linear', 10, false],
    ]);
    // stage 3 spans [0, 64), stage 2 sits at [16, 48) (pad 16 each side), stage 1 at [16 + 8, 16 + 24)
    expect(groups[1]!.producers.map((p) => [p.layer, p.offset, p.channels])).toEqual([
      ['conv1', 24, 16], ['layer1.0.conv2', 24, 16], ['layer1.1.conv2', 24, 16], ['layer1.2.conv2', 24, 16],
      ['layer2.0.conv2', 16, 32], ['layer2.1.conv2', 16, 32], ['layer2.2.conv2', 16, 32],
      ['layer3.0.conv2', 0, 64], ['layer3.1.conv2', 0, 64], ['layer3.2.conv2', 0, 64],
    ]);
  });

  test('ResNet-20 option B: one residual group per stage, the 1×1 downsample conv in the next stage’s group', () => {
    const groups = channelGroups(resnetCifar(1, 3, 'B'));
    expect(groups.filter((x) => x.producers.length > 1).map((x) => x.producers.map((p) => p.layer))).toEqual([
      ['conv1', 'layer1.0.conv2', 'layer1.1.conv2', 'layer1.2.conv2'],
      ['layer2.0.conv2', 'layer2.0.shortcut.0', 'layer2.1.conv2', 'layer2.2.conv2'],
      ['layer3.0.conv2', 'layer3.0.shortcut.0', 'layer3.1.conv2', 'layer3.2.conv2'],
    ]);
    expect(groups.length).toBe(1 + 3 + 9 + 1);
    expect(groups.every((x) => x.prunable === (x.id !== 'x' && x.id !== 'linear'))).toBe(true);
  });

  test('dense chain (LeNet-300-100 shape): hidden features are prunable groups', () => {
    const r = rng(3);
    const g = graphOf([
      { kind: 'input', name: 'x', inputs: [], shape: [1, 4, 4] },
      { kind: 'flatten', name: 'flat', inputs: ['x'] },
      dense('fc1', 'flat', 16, 12, r),
      { kind: 'relu', name: 'r1', inputs: ['fc1'] },
      dense('fc2', 'r1', 12, 8, r),
      { kind: 'relu', name: 'r2', inputs: ['fc2'] },
      dense('fc3', 'r2', 8, 3, r),
    ]);
    expect(channelGroups(g).map(brief)).toEqual([
      { id: 'x', channels: 1, prunable: false, producers: [], consumers: ['dense-input:fc1@0×16'] },
      { id: 'fc1', channels: 12, prunable: true, producers: ['fc1@0'], consumers: ['dense-input:fc2@0'] },
      { id: 'fc2', channels: 8, prunable: true, producers: ['fc2@0'], consumers: ['dense-input:fc3@0'] },
      { id: 'fc3', channels: 3, prunable: false, producers: ['fc3@0'], consumers: [] },
    ]);
  });

  test('grouped conv: neither its input nor its output channels are prunable; shared prelu is no consumer', () => {
    const r = rng(4);
    const g = graphOf([
      { kind: 'input', name: 'x', inputs: [], shape: [3, 6, 6] },
      conv('a', 'x', 3, 4, r, { padding: 1 }),
      conv('dw', 'a', 4, 4, r, { padding: 1, groups: 4 }),
      { kind: 'prelu', name: 'p', inputs: ['dw'], weight: { shape: [1], data: Float32Array.of(0.25) } },
      conv('b', 'p', 4, 5, r),
      { kind: 'globalavgpool', name: 'gap', inputs: ['b'] },
      dense('fc', 'gap', 5, 2, r),
    ]);
    const groups = channelGroups(g);
    const a = groups.find((x) => x.id === 'a')!;
    const dw = groups.find((x) => x.id === 'dw')!;
    expect(a.prunable).toBe(false);
    expect(a.reason).toBe('grouped conv "dw" (groups 4) cannot be sliced per channel');
    expect(dw.prunable).toBe(false);
    expect(dw.consumers.map((c) => c.role)).toEqual(['conv2d-input']);
    expect(groups.find((x) => x.id === 'b')!.prunable).toBe(true);
  });

  test('inconsistent ties: two shortcut-pads of one tensor at different offsets, added', () => {
    const r = rng(5);
    const layers: Layer[] = [
      { kind: 'input', name: 'x', inputs: [], shape: [3, 4, 4] },
      conv('c', 'x', 3, 2, r, { padding: 1 }),
      { kind: 'shortcut-pad', name: 'p1', inputs: ['c'], stride: 1, before: 1, after: 1 },
      { kind: 'shortcut-pad', name: 'p2', inputs: ['c'], stride: 1, before: 0, after: 2 },
      { kind: 'add', name: 'a', inputs: ['p1', 'p2'] },
      conv('d', 'a', 4, 2, r),
      { kind: 'flatten', name: 'f', inputs: ['d'] },
      dense('fc', 'f', 8, 2, r),
    ];
    const group = channelGroups(graphOf(layers)).find((x) => x.id === 'c')!;
    expect(group.prunable).toBe(false);
    expect(group.reason).toBe('layer "a" ties channels of this group to themselves at a different offset');
  });

  test('inconsistent ties: add of a flattened conv output and a dense output', () => {
    const r = rng(6);
    const layers: Layer[] = [
      { kind: 'input', name: 'x', inputs: [], shape: [2, 2, 2] },
      conv('c', 'x', 2, 2, r, { kernel: 1 }),
      { kind: 'flatten', name: 'f', inputs: ['c'] },
      dense('d', 'f', 8, 8, r),
      { kind: 'add', name: 'a', inputs: ['f', 'd'] },
      dense('fc', 'a', 8, 2, r),
    ];
    const group = channelGroups(graphOf(layers)).find((x) => x.id === 'c')!;
    expect(group.prunable).toBe(false);
    expect(group.reason).toBe('add "a" joins flattened tensors of different spatial sizes');
    expect(group.producers.map((p) => p.layer)).toEqual(['c', 'd']);
  });
});
