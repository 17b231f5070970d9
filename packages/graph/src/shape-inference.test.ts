import { describe, expect, test } from 'vitest';
import { GraphError } from './errors.ts';
import { convOutputSize, inferShapes } from './shape-inference.ts';
import { conv, dense, graphOf, plainChain, residualBlock, rng } from './test-graphs.ts';
import type { Graph, Layer } from './types.ts';

const input = (shape: number[]): Layer => ({ kind: 'input', name: 'x', inputs: [], shape });

function shapesOf(layers: Layer[]): Record<string, readonly number[]> {
  return Object.fromEntries(inferShapes(graphOf(layers)));
}

function errorOf(g: Graph): GraphError {
  try {
    inferShapes(g);
  } catch (e) {
    if (e instanceof GraphError) return e;
    throw e;
  }
  throw new Error('inferShapes did not throw');
}

describe('convOutputSize', () => {
  test.each([
    // [H, k, s, pt, pb, d, expected] — torch.nn.Conv2d docs formula, computed by hand
    [32, 3, 1, 1, 1, 1, 32],
    [32, 3, 2, 1, 1, 1, 16],
    [224, 7, 2, 3, 3, 1, 112],
    [112, 3, 2, 1, 1, 1, 56], // ResNet max-pool
    [7, 3, 1, 0, 0, 2, 3], // dilated: effective kernel 5
    [5, 2, 2, 0, 0, 1, 2], // floor mode drops the last column
    [5, 3, 2, 0, 1, 1, 2], // asymmetric padding
    [2, 5, 1, 0, 0, 1, -2],
  ])('H=%i k=%i s=%i pad=%i/%i d=%i → %i', (h, k, s, pt, pb, d, expected) => {
    expect(convOutputSize(h, k, s, pt, pb, d)).toBe(expected);
  });
});

describe('inferShapes', () => {
  test('plain chain', () => {
    expect(Object.fromEntries(inferShapes(plainChain()))).toEqual({
      x: [3, 8, 8],
      conv1: [6, 8, 8],
      bn1: [6, 8, 8],
      relu1: [6, 8, 8],
      conv2: [5, 4, 4],
      bn2: [5, 4, 4],
      prelu2: [5, 4, 4],
      pool: [5, 2, 2],
      flat: [20],
      fc: [4],
    });
  });

  test('residual blocks: identity, 1×1 downsample and option-A pad shortcuts', () => {
    expect(inferShapes(residualBlock('identity')).get('block.add')).toEqual([4, 8, 8]);
    expect(inferShapes(residualBlock('conv')).get('block.downsample.1')).toEqual([8, 4, 4]);
    const pad = inferShapes(residualBlock('pad'));
    expect(pad.get('block.shortcut')).toEqual([8, 4, 4]);
    expect(pad.get('gap')).toEqual([8]);
    expect(pad.get('fc')).toEqual([3]);
  });

  test('conv with dilation, stride, groups and asymmetric padding; pools; odd shortcut-pad', () => {
    const r = rng(3);
    const s = shapesOf([
      input([4, 9, 7]),
      conv('c', 'x', 4, 6, r, { dilation: 2, stride: 2, groups: 2, padding: [0, 1, 2, 0] }),
      { kind: 'avgpool', name: 'ap', inputs: ['c'], kernel: [3, 3], stride: [1, 1], padding: [1, 1, 1, 1] },
      { kind: 'maxpool', name: 'mp', inputs: ['ap'], kernel: [2, 2], stride: [2, 2], padding: [0, 0, 0, 0] },
      { kind: 'shortcut-pad', name: 'sp', inputs: ['c'], stride: 2, before: 1, after: 2 },
    ]);
    // c: H = ⌊(9 + 0 + 1 − 4 − 1)/2⌋ + 1 = 3, W = ⌊(7 + 2 + 0 − 4 − 1)/2⌋ + 1 = 3
    expect(s['c']).toEqual([6, 3, 3]);
    expect(s['ap']).toEqual([6, 3, 3]);
    expect(s['mp']).toEqual([6, 1, 1]);
    // x[:, ::2, ::2] of 3×3 keeps rows 0 and 2: ⌈3/2⌉ = 2
    expect(s['sp']).toEqual([9, 2, 2]);
  });

  test('batchnorm and prelu on features, flatten of flat input', () => {
    const r = rng(4);
    const s = shapesOf([
      input([6]),
      { kind: 'flatten', name: 'f', inputs: ['x'] },
      { kind: 'batchnorm', name: 'bn', inputs: ['f'], channels: 6, eps: 1e-5, momentum: 0.1, runningMean: { shape: [6], data: new Float32Array(6) }, runningVar: { shape: [6], data: new Float32Array(6).fill(1) } },
      { kind: 'prelu', name: 'p', inputs: ['bn'], weight: { shape: [1], data: Float32Array.of(0.25) } },
      { kind: 'hardtanh', name: 'h', inputs: ['p'], min: -1, max: 1 },
      { kind: 'sign', name: 's', inputs: ['h'] },
      dense('fc', 's', 6, 2, r),
    ]);
    expect(s['fc']).toEqual([2]);
    expect(s['bn']).toEqual([6]);
  });

  const r = rng(5);
  const bad: [string, Layer[], RegExp][] = [
    ['conv channel mismatch', [input([3, 8, 8]), conv('c', 'x', 4, 8, r)], /^layer "c": conv2d expects 4 input channels but its input "x" produces \[3, 8, 8\]$/],
    ['conv on flat input', [input([12]), conv('c', 'x', 3, 8, r)], /^layer "c": conv2d needs a \[C, H, W\] input but its input "x" produces \[12\]$/],
    ['kernel too large', [input([3, 2, 2]), conv('c', 'x', 3, 8, r, { kernel: 5 })], /^layer "c": the 5×5 kernel .* does not fit: its input "x" produces \[3, 2, 2\]$/],
    ['dense after conv without flatten', [input([3, 2, 2]), dense('fc', 'x', 12, 2, r)], /^layer "fc": dense expects an input of \[12\] but its input "x" produces \[3, 2, 2\] \(add a flatten layer before it\)$/],
    ['dense feature mismatch', [input([10]), dense('fc', 'x', 12, 2, r)], /^layer "fc": dense expects an input of \[12\] but its input "x" produces \[10\]$/],
    ['add of different shapes', [input([3, 4, 4]), conv('c', 'x', 3, 5, r, { padding: 1 }), { kind: 'add', name: 'a', inputs: ['x', 'c'] }], /^layer "a": add needs equal shapes but input 1 differs: "x" \[3, 4, 4\], "c" \[5, 4, 4\]$/],
    ['add with one input', [input([3]), { kind: 'add', name: 'a', inputs: ['x'] }], /^layer "a": add takes two or more input\(s\)/],
    ['relu with two inputs', [input([3]), { kind: 'relu', name: 'r', inputs: ['x', 'x'] }], /^layer "r": relu takes exactly one input/],
    ['unknown input', [input([3]), { kind: 'relu', name: 'r', inputs: ['y'] }], /^layer "r": input "y" is not an earlier layer/],
    ['forward reference', [input([3]), { kind: 'relu', name: 'r', inputs: ['s'] }, { kind: 'relu', name: 's', inputs: ['x'] }], /^layer "r": input "s" is not an earlier layer \(layers must be listed in topological order\)$/],
    ['self reference', [input([3]), { kind: 'relu', name: 'r', inputs: ['r'] }], /^layer "r": input "r" is not an earlier layer/],
    ['duplicate name', [input([3]), { kind: 'relu', name: 'x', inputs: ['x'] }], /^layer "x": duplicate layer name/],
    ['bn channels', [input([3, 2, 2]), { kind: 'batchnorm', name: 'b', inputs: ['x'], channels: 4, eps: 1e-5, momentum: 0.1, runningMean: { shape: [4], data: new Float32Array(4) }, runningVar: { shape: [4], data: new Float32Array(4) } }], /^layer "b": batchnorm has 4 channels but its input "x" produces \[3, 2, 2\]$/],
    ['prelu slopes', [input([3, 2, 2]), { kind: 'prelu', name: 'p', inputs: ['x'], weight: { shape: [2], data: new Float32Array(2) } }], /^layer "p": prelu slopes must have shape \[1\] or \[3\] but have \[2\]/],
    ['pool padding ≥ kernel', [input([3, 4, 4]), { kind: 'maxpool', name: 'm', inputs: ['x'], kernel: [2, 2], stride: [2, 2], padding: [2, 0, 0, 0] }], /^layer "m": each padding \[2, 0, 0, 0\] must be smaller than the kernel 2×2/],
    ['zero stride', [input([3, 4, 4]), conv('c', 'x', 3, 3, r, { stride: 0 })], /^layer "c": stride must be two integers ≥ 1, got \[0,0\]$/],
    ['negative padding', [input([3, 4, 4]), conv('c', 'x', 3, 3, r, { padding: -1 })], /^layer "c": padding must be four non-negative integers/],
    ['gap of flat input', [input([3]), { kind: 'globalavgpool', name: 'g', inputs: ['x'] }], /^layer "g": globalavgpool needs a \[C, H, W\] input but its input "x" produces \[3\]$/],
    ['input with inputs', [{ kind: 'input', name: 'x', inputs: ['y'], shape: [3] }], /^layer "x": an input layer takes no inputs/],
    ['input shape with zero', [input([3, 0, 2])], /^layer "x": input shape must be a non-empty list of positive integers, got \[3,0,2\]$/],
    ['shortcut-pad negative', [input([3, 4, 4]), { kind: 'shortcut-pad', name: 's', inputs: ['x'], stride: 2, before: -1, after: 1 }], /^layer "s": shortcut-pad needs/],
    ['unknown kind', [input([3]), { kind: 'softmax', name: 's', inputs: ['x'] } as unknown as Layer], /^layer "s": unknown layer kind "softmax"$/],
  ];
  test.each(bad)('%s', (_, layers, message) => {
    const e = errorOf(graphOf(layers));
    expect(e.message).toMatch(message);
    expect(e.layer).toBe(e.message.match(/^layer "([^"]*)"/)![1]);
    expect(e.name).toBe('GraphError');
  });
});
