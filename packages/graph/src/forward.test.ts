import { describe, expect, test } from 'vitest';
import { GraphError } from './errors.ts';
import { forward } from './forward.ts';
import { conv, graphOf, naiveConv, plainChain, randomArray, resnetCifar, rng, tensor } from './test-graphs.ts';
import type { BatchNormLayer, Conv2dLayer, DenseLayer, Layer, Pad4, PoolLayer } from './types.ts';

// Float32 results of float64 accumulation: hand-computed values are exact or within 1e-6 relative.
const x123 = Float32Array.from({ length: 9 }, (_, i) => i + 1); // [[1,2,3],[4,5,6],[7,8,9]]
const inp = (shape: number[]): Layer => ({ kind: 'input', name: 'x', inputs: [], shape });

function conv1(weight: number[], k: [number, number], o: Partial<Conv2dLayer> & { inC?: number; outC?: number } = {}): Conv2dLayer {
  const inC = o.inC ?? 1;
  const outC = o.outC ?? 1;
  const groups = o.groups ?? 1;
  return {
    kind: 'conv2d', name: 'c', inputs: ['x'], inChannels: inC, outChannels: outC, kernel: k,
    stride: o.stride ?? [1, 1], padding: o.padding ?? [0, 0, 0, 0], dilation: o.dilation ?? [1, 1], groups,
    weight: tensor([outC, inC / groups, k[0], k[1]], weight),
    ...(o.bias ? { bias: o.bias } : {}),
  };
}

const run = (layers: Layer[], x: Float32Array, batch = 1): number[] => Array.from(forward(graphOf(layers), x, batch));

describe('forward: hand-computed cases', () => {
  test('conv 2×2 valid', () => {
    // 1·1+2·2+4·3+5·4 = 37, 2·1+3·2+5·3+6·4 = 47, 4+10+21+32 = 67, 5+12+24+36 = 77
    expect(run([inp([1, 3, 3]), conv1([1, 2, 3, 4], [2, 2])], x123)).toEqual([37, 47, 67, 77]);
  });

  test('conv 3×3 ones, padding 1, stride 2, bias 0.5', () => {
    // windows centred at (0,0),(0,2),(2,0),(2,2): 1+2+4+5, 2+3+5+6, 4+5+7+8, 5+6+8+9, plus 0.5
    const c = conv1(Array(9).fill(1), [3, 3], { stride: [2, 2], padding: [1, 1, 1, 1], bias: tensor([1], [0.5]) });
    expect(run([inp([1, 3, 3]), c], x123)).toEqual([12.5, 16.5, 24.5, 28.5]);
  });

  test('conv asymmetric padding and rectangular kernel', () => {
    // 1×2 kernel [1, 10], padding left 1 only: row 0 → [0·1+1·10, 1+20, 2+30] = [10, 21, 32]
    const c = conv1([1, 10], [1, 2], { padding: [0, 0, 1, 0] });
    expect(run([inp([1, 3, 3]), c], x123).slice(0, 3)).toEqual([10, 21, 32]);
  });

  test('conv dilation 2', () => {
    // taps at (0,0),(0,2),(2,0),(2,2): 1·1 + 3·10 + 7·100 + 9·1000 = 9731
    expect(run([inp([1, 3, 3]), conv1([1, 10, 100, 1000], [2, 2], { dilation: [2, 2] })], x123)).toEqual([9731]);
  });

  test('conv groups 2 (channel multiplier 2)', () => {
    // group 0 sees channel 0 (3), group 1 sees channel 1 (5): [1·3, 2·3, 3·5, 4·5]
    expect(run([inp([2, 1, 1]), conv1([1, 2, 3, 4], [1, 1], { inC: 2, outC: 4, groups: 2 })], Float32Array.of(3, 5))).toEqual([3, 6, 15, 20]);
  });

  const pool = (kind: 'maxpool' | 'avgpool', k: number, s: number, p: number): PoolLayer => ({ kind, name: 'p', inputs: ['x'], kernel: [k, k], stride: [s, s], padding: [p, p, p, p] });

  test('maxpool pads with −∞ (a zero pad would win over negative inputs)', () => {
    // windows rows/cols {−1,0}×{−1,0}, {−1,0}×{1,2}, {1,2}×{−1,0}, {1,2}×{1,2} of −x: −1, −2, −4, −5
    const neg = x123.map((v) => -v);
    expect(run([inp([1, 3, 3]), pool('maxpool', 2, 2, 1)], neg)).toEqual([-1, -2, -4, -5]);
  });

  test('avgpool counts padding in the divisor (count_include_pad=True)', () => {
    // 1/4, (2+3)/4, (4+7)/4, (5+6+8+9)/4
    expect(run([inp([1, 3, 3]), pool('avgpool', 2, 2, 1)], x123)).toEqual([0.25, 1.25, 2.75, 7]);
    // 3×3 window at the corner: (1+2+4+5)/9; centre: 45/9
    const out = run([inp([1, 3, 3]), pool('avgpool', 3, 1, 1)], x123);
    expect(out[0]).toBeCloseTo(12 / 9, 6);
    expect(out[4]).toBe(5);
  });

  test('maxpool 3×3 stride 2 (floor mode drops the incomplete window)', () => {
    // 4×4 input 1..16, windows at rows/cols 0..2 only: max = 11
    expect(run([inp([1, 4, 4]), pool('maxpool', 3, 2, 0)], Float32Array.from({ length: 16 }, (_, i) => i + 1))).toEqual([11]);
  });

  test('batchnorm eval mode, affine and not', () => {
    // ch0: 2·(1 − 1)/√(3 + 1) + 0.5 = 0.5; ch1: 1·(2 − 0)/√(0 + 1) − 1 = 1
    const b: BatchNormLayer = {
      kind: 'batchnorm', name: 'bn', inputs: ['x'], channels: 2, eps: 1, momentum: 0.1,
      weight: tensor([2], [2, 1]), bias: tensor([2], [0.5, -1]), runningMean: tensor([2], [1, 0]), runningVar: tensor([2], [3, 0]),
    };
    expect(run([inp([2, 1, 1]), b], Float32Array.of(1, 2))).toEqual([0.5, 1]);
    // non-affine: (x − μ)/√(var + ε) = [(5 − 1)/2, 2/1]
    expect(run([inp([2]), { ...b, weight: undefined, bias: undefined }], Float32Array.of(5, 2))).toEqual([2, 2]);
  });

  test('prelu per channel and shared; relu, hardtanh, sign', () => {
    const x = Float32Array.of(-1, 2, -4, 3);
    expect(run([inp([2, 2]), { kind: 'prelu', name: 'p', inputs: ['x'], weight: tensor([2], [0.1, 0.5]) }], x)).toEqual([Math.fround(-0.1), 2, -2, 3]);
    expect(run([inp([4]), { kind: 'prelu', name: 'p', inputs: ['x'], weight: tensor([1], [0.25]) }], x)).toEqual([-0.25, 2, -1, 3]);
    expect(run([inp([4]), { kind: 'relu', name: 'r', inputs: ['x'] }], x)).toEqual([0, 2, 0, 3]);
    expect(run([inp([4]), { kind: 'hardtanh', name: 'h', inputs: ['x'], min: -1, max: 2.5 }], x)).toEqual([-1, 2, -1, 2.5]);
    expect(run([inp([3]), { kind: 'sign', name: 's', inputs: ['x'] }], Float32Array.of(-0.5, 0, 3))).toEqual([-1, 1, 1]);
  });

  test('add of three, global average pool, flatten + dense with batch 2', () => {
    const x = Float32Array.of(1, 2, 3, 4, 10, 20, 30, 40); // two samples of [1, 2, 2]
    expect(run([inp([1, 2, 2]), { kind: 'add', name: 'a', inputs: ['x', 'x', 'x'] }], x, 2)).toEqual(Array.from(x, (v) => 3 * v));
    expect(run([inp([2, 1, 2]), { kind: 'globalavgpool', name: 'g', inputs: ['x'] }], x, 2)).toEqual([1.5, 3.5, 15, 35]);
    const fc: DenseLayer = { kind: 'dense', name: 'fc', inputs: ['f'], inFeatures: 4, outFeatures: 2, weight: tensor([2, 4], [1, 0, 0, 1, 0, 1, 1, 0]), bias: tensor([2], [0.5, -0.5]) };
    // sample 1: [1+4, 2+3] + b; sample 2: [10+40, 20+30] + b
    expect(run([inp([1, 2, 2]), { kind: 'flatten', name: 'f', inputs: ['x'] }, fc], x, 2)).toEqual([5.5, 4.5, 50.5, 49.5]);
  });

  test('shortcut-pad: x[:, ::2, ::2] with zero channels before and after', () => {
    const x = Float32Array.from({ length: 18 }, (_, i) => i + 1); // [2, 3, 3]
    const out = run([inp([2, 3, 3]), { kind: 'shortcut-pad', name: 's', inputs: ['x'], stride: 2, before: 1, after: 2 }], x);
    expect(out).toEqual([0, 0, 0, 0, 1, 3, 7, 9, 10, 12, 16, 18, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  test('element mask and channel mask zero weights and the masked channel bias', () => {
    const c = conv1([1, 2, 3, 4, 5, 6, 7, 8], [2, 2], { outC: 2, bias: tensor([2], [0.5, 0.25]) });
    const base = run([inp([1, 2, 2]), c], Float32Array.of(1, 1, 1, 1));
    expect(base).toEqual([10.5, 26.25]);
    // mask out weight 0 (−1): 9.5; channel 1 masked: 0 (its bias too)
    const masked = { ...c, mask: Uint8Array.of(0, 1, 1, 1, 1, 1, 1, 1), channelMask: Uint8Array.of(1, 0) };
    expect(run([inp([1, 2, 2]), masked], Float32Array.of(1, 1, 1, 1))).toEqual([9.5, 0]);
    expect(Array.from(c.weight.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]); // not modified
  });
});

describe('forward: conv against a textbook implementation', () => {
  const configs: [string, number[], number, { kernel: number; stride: number; padding: Pad4; dilation: number; groups: number }][] = [
    ['3×3 s1 p1', [4, 7, 6], 5, { kernel: 3, stride: 1, padding: [1, 1, 1, 1], dilation: 1, groups: 1 }],
    ['3×3 s2 p1', [4, 7, 6], 6, { kernel: 3, stride: 2, padding: [1, 1, 1, 1], dilation: 1, groups: 2 }],
    ['1×1 s2', [3, 8, 8], 4, { kernel: 1, stride: 2, padding: [0, 0, 0, 0], dilation: 1, groups: 1 }],
    ['5×5 s3 asym', [2, 11, 9], 3, { kernel: 5, stride: 3, padding: [2, 0, 1, 2], dilation: 1, groups: 1 }],
    ['3×3 d2 asym', [2, 9, 10], 2, { kernel: 3, stride: 1, padding: [0, 2, 1, 0], dilation: 2, groups: 1 }],
    ['depthwise 3×3', [4, 5, 5], 4, { kernel: 3, stride: 1, padding: [1, 1, 1, 1], dilation: 1, groups: 4 }],
    ['7×7 s2 p3', [3, 16, 16], 4, { kernel: 7, stride: 2, padding: [3, 3, 3, 3], dilation: 1, groups: 1 }],
  ];
  test.each(configs)('%s', (_, shape, outC, o) => {
    const r = rng(11);
    const c = conv('c', 'x', shape[0]!, outC, r, { ...o, bias: true });
    const x = randomArray(3 * shape.reduce((a, b) => a * b, 1), r);
    const got = forward(graphOf([inp(shape), c]), x, 3);
    const want = naiveConv(x, 3, shape, c);
    expect(got.length).toBe(want.length);
    // float64 accumulation in both, different summation order: 1e-5 absolute on values of magnitude ≤ ~10
    got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-5));
  });
});

describe('forward: batches, intermediates, errors', () => {
  test('a batch equals its samples run one by one', () => {
    const g = plainChain();
    const x = randomArray(3 * 3 * 8 * 8, rng(5));
    const all = forward(g, x, 3);
    for (let s = 0; s < 3; s++) {
      expect(Array.from(forward(g, x.subarray(s * 192, (s + 1) * 192), 1))).toEqual(Array.from(all.subarray(s * 4, (s + 1) * 4)));
    }
  });

  test('intermediates hold every layer output with its shape', () => {
    const g = resnetCifar(3, 1);
    const inter = new Map<string, Float32Array>();
    const out = forward(g, randomArray(2 * 3 * 32 * 32, rng(6)), 2, { intermediates: inter });
    expect([...inter.keys()]).toEqual(g.layers.map((l) => l.name));
    expect(inter.get('linear')).toBe(out);
    expect(inter.get('layer2.0.shortcut')!.length).toBe(2 * 32 * 16 * 16);
    expect(inter.get('avgpool')!.length).toBe(2 * 64);
    // relu output is non-negative; add = bn2 + shortcut
    expect(inter.get('layer3.0.relu2')!.every((v) => v >= 0)).toBe(true);
    const add = inter.get('layer1.0.add')!;
    const sum = inter.get('layer1.0.bn2')!.map((v, i) => v + inter.get('relu')![i]!);
    expect(Array.from(add)).toEqual(Array.from(sum));
  });

  test('bad arguments', () => {
    const g = plainChain();
    expect(() => forward(g, new Float32Array(191), 1)).toThrow(/^forward: input has 191 values but batch 1 × \[3, 8, 8\] needs 192$/);
    expect(() => forward(g, new Float32Array(192), 0)).toThrow(/^forward: batch must be a positive integer, got 0$/);
    expect(() => forward(g, new Array(192).fill(0) as unknown as Float32Array, 1)).toThrow(TypeError);
    expect(() => forward({ ...g, output: 'nope' }, new Float32Array(192), 1)).toThrow(GraphError);
  });
});
