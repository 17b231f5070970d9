import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './builder.ts';
import type { BatchNormLayer, Conv2dLayer, DenseLayer, PreluLayer } from './types.ts';
import { validateGraph } from './validate.ts';

function moments(x: Float32Array): { mean: number; std: number; maxAbs: number } {
  let s = 0;
  let s2 = 0;
  let m = 0;
  for (const v of x) {
    s += v;
    s2 += v * v;
    m = Math.max(m, Math.abs(v));
  }
  const mean = s / x.length;
  return { mean, std: Math.sqrt(s2 / x.length - mean * mean), maxAbs: m };
}

function smallNet(seed: number): ReturnType<GraphBuilder['build']> {
  const b = new GraphBuilder('net', { seed });
  let x = b.input([8, 16, 16]);
  x = b.conv2d('conv', x, { inChannels: 8, outChannels: 64, kernel: 3, padding: 1, bias: true });
  x = b.batchnorm('bn', x, { channels: 64 });
  x = b.prelu('act', x);
  x = b.prelu('act_1', x, { tiedTo: 'act' });
  x = b.flatten('flatten', b.globalAvgPool('gap', x));
  return b.build(b.dense('fc', x, { inFeatures: 64, outFeatures: 500 }));
}

describe('GraphBuilder', () => {
  it('builds a valid graph with torch-style initialisation', () => {
    const g = smallNet(3);
    validateGraph(g);
    expect(g.layers.map((l) => l.name)).toEqual(['input', 'conv', 'bn', 'act', 'act_1', 'gap', 'flatten', 'fc']);
    expect(g.output).toBe('fc');
    const conv = g.layers[1] as Conv2dLayer;
    expect(conv.weight.shape).toEqual([64, 8, 3, 3]);
    // Kaiming-normal fan_out: std √(2 / (64·3·3)) = 0.0589; 4,608 samples → relative standard error ≈ 1 %.
    const w = moments(conv.weight.data);
    expect(Math.abs(w.mean)).toBeLessThan(0.004);
    expect(w.std / Math.sqrt(2 / 576)).toBeCloseTo(1, 1);
    // conv bias: U(±1/√fan_in), fan_in = 8·3·3 = 72
    expect(moments(conv.bias!.data).maxAbs).toBeLessThanOrEqual(1 / Math.sqrt(72));
    // dense: U(±1/√64) = U(±0.125); std of U(±a) is a/√3
    const fc = g.layers[7] as DenseLayer;
    const d = moments(fc.weight.data);
    expect(d.maxAbs).toBeLessThanOrEqual(0.125);
    expect(d.std / (0.125 / Math.sqrt(3))).toBeCloseTo(1, 1);
    expect(moments(fc.bias!.data).maxAbs).toBeLessThanOrEqual(0.125);
    const bn = g.layers[2] as BatchNormLayer;
    expect([bn.weight!.data[0], bn.bias!.data[0], bn.runningMean.data[0], bn.runningVar.data[0], bn.eps, bn.momentum]).toEqual([1, 0, 0, 1, 1e-5, 0.1]);
    expect(Array.from((g.layers[3] as PreluLayer).weight.data)).toEqual([0.25]);
  });

  it('ties a prelu to an earlier one by sharing its tensor', () => {
    const g = smallNet(1);
    expect((g.layers[4] as PreluLayer).weight).toBe((g.layers[3] as PreluLayer).weight);
  });

  it('is deterministic per seed', () => {
    const a = (smallNet(5).layers[1] as Conv2dLayer).weight.data;
    expect((smallNet(5).layers[1] as Conv2dLayer).weight.data).toEqual(a);
    expect((smallNet(6).layers[1] as Conv2dLayer).weight.data).not.toEqual(a);
  });

  it('rejects bad arguments with RangeErrors naming the method', () => {
    const b = new GraphBuilder('bad');
    const x = b.input([3, 8, 8]);
    expect(() => b.input([3, 0])).toThrow(/GraphBuilder.input: shape must be positive integers, got \[3, 0\]/);
    expect(() => b.conv2d('c', x, { inChannels: 3, outChannels: 4, kernel: 3, groups: 2 })).toThrow(/groups 2 must divide/);
    expect(() => b.conv2d('c', 'nope', { inChannels: 3, outChannels: 4, kernel: 3 })).toThrow(/layer "c" reads unknown layer "nope"/);
    expect(() => b.conv2d('c', x, { inChannels: 3, outChannels: 4, kernel: 3, padding: -1 })).toThrow(/padding must be non-negative/);
    b.relu('r', x);
    expect(() => b.relu('r', x)).toThrow(/duplicate layer name "r"/);
    expect(() => b.prelu('p', x, { tiedTo: 'r' })).toThrow(/tiedTo "r" is not an earlier prelu layer/);
    expect(() => b.add('a', [x])).toThrow(/needs at least 2 inputs/);
    expect(() => b.hardtanh('h', x, 1, 1)).toThrow(/min 1 must be below max 1/);
    expect(() => b.build('missing')).toThrow(/unknown output layer "missing"/);
    expect(() => new GraphBuilder('g', { seed: 0.5 })).toThrow(RangeError);
  });
});
