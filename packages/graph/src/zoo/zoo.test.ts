import { describe, expect, it } from 'vitest';
import { inferShapes } from '../shape-inference.ts';
import type { Conv2dLayer } from '../types.ts';
import { validateGraph } from '../validate.ts';
import { createModel, ZOO_NAMES, type ZooName } from './zoo.ts';

describe('createModel', () => {
  it.each(ZOO_NAMES)('%s is valid, named after itself, and outputs [numClasses]', (name) => {
    const g = createModel(name, { numClasses: 7 });
    validateGraph(g);
    expect(g.name).toBe(name);
    expect(inferShapes(g).get(g.output)).toEqual([7]);
  });

  it('initialises from the seed', () => {
    const w = (seed: number): Float32Array => (createModel('resnet20-cifar', { seed }).layers[1] as Conv2dLayer).weight.data;
    expect(w(1)).toEqual(w(1));
    expect(w(1)).not.toEqual(w(2));
  });

  it('rejects unknown names and bad options', () => {
    expect(() => createModel('resnet19' as ZooName)).toThrow(/createModel: unknown model "resnet19"; models: lenet5, /);
    expect(() => createModel('lenet5', { numClasses: 0 })).toThrow(/numClasses must be a positive integer, got 0/);
    expect(() => createModel('resnet20-cifar', { shortcut: 'C' as 'A' })).toThrow(/shortcut must be 'A' or 'B'/);
    expect(() => createModel('resnet18-imagenet', { shortcut: 'B' })).toThrow(/shortcut applies to resnet20\/32\/44\/56-cifar only/);
    expect(() => createModel('lenet5', { seed: 1.5 })).toThrow(RangeError);
  });
});
