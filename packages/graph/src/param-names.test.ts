import { describe, expect, test } from 'vitest';
import { getParam, paramNames, setParam } from './param-names.ts';
import { plainChain } from './test-graphs.ts';
import type { BatchNormLayer, Conv2dLayer } from './types.ts';

describe('paramNames / getParam / setParam', () => {
  test('torch-style names in layer order', () => {
    const g = plainChain();
    expect(paramNames(g)).toEqual([
      'conv1.weight', 'conv1.bias',
      'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var',
      'conv2.weight',
      'bn2.weight', 'bn2.bias', 'bn2.running_mean', 'bn2.running_var',
      'prelu2.weight',
      'fc.weight', 'fc.bias',
    ]);
  });

  test('non-affine batchnorm and layer names with dots', () => {
    const g = plainChain();
    const b = g.layers[2] as BatchNormLayer;
    g.layers[2] = { ...b, name: 'layer1.0.bn1', weight: undefined, bias: undefined } as BatchNormLayer;
    expect(paramNames(g).filter((n) => n.startsWith('layer1'))).toEqual(['layer1.0.bn1.running_mean', 'layer1.0.bn1.running_var']);
    expect(getParam(g, 'layer1.0.bn1.running_var')).toBe(b.runningVar);
  });

  test('getParam returns the graph tensor; setParam copies', () => {
    const g = plainChain();
    const conv = g.layers[1] as Conv2dLayer;
    expect(getParam(g, 'conv1.weight')).toBe(conv.weight);
    expect(getParam(g, 'bn1.running_mean')).toBe((g.layers[2] as BatchNormLayer).runningMean);
    const values = new Float32Array(6).map((_, i) => i);
    setParam(g, 'conv1.bias', values);
    values[0] = 99;
    expect(Array.from(conv.bias!.data)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(conv.bias!.shape).toEqual([6]);
  });

  test.each([
    ['getParam', 'nope.weight', /^getParam: no layer "nope" in graph "test" for parameter "nope.weight"$/],
    ['getParam', 'conv2.bias', /^getParam: conv2d layer "conv2" has no parameter "bias"$/],
    ['getParam', 'relu1.weight', /^getParam: relu layer "relu1" has no parameter "weight"$/],
    ['getParam', 'conv1.kernel', /^getParam: "conv1.kernel" is not a parameter name/],
    ['getParam', 'weight', /^getParam: "weight" is not a parameter name/],
    ['setParam', 'conv1.running_mean', /^setParam: conv2d layer "conv1" has no parameter "running_mean"$/],
  ])('%s(%s) throws', (fn, name, message) => {
    const g = plainChain();
    expect(() => (fn === 'getParam' ? getParam(g, name) : setParam(g, name, new Float32Array(6)))).toThrow(RangeError);
    expect(() => (fn === 'getParam' ? getParam(g, name) : setParam(g, name, new Float32Array(6)))).toThrow(message);
  });

  test('setParam checks type and length', () => {
    const g = plainChain();
    expect(() => setParam(g, 'conv1.bias', new Float32Array(5))).toThrow(/^setParam: "conv1.bias" has shape \[6\] \(6 values\), got 5 values$/);
    expect(() => setParam(g, 'conv1.bias', [1, 2, 3, 4, 5, 6] as unknown as Float32Array)).toThrow(TypeError);
  });
});
