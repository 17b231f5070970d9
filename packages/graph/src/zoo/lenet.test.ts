import { describe, expect, it } from 'vitest';
import { inferShapes } from '../shape-inference.ts';
import { countMacs, countParams } from '../summary.ts';
import { validateGraph } from '../validate.ts';
import { lenet5Layers, referenceShapes, weightShapes } from './test-zoo.ts';
import { createModel } from './zoo.ts';

describe('lenet5', () => {
  const g = createModel('lenet5');

  it('is Caffe LeNet-5: 430,500 weights, 431,080 parameters', () => {
    validateGraph(g);
    // papers.md §B.3.6: conv1 500 + conv2 25,000 + fc1 400,000 + fc2 5,000 = 430,500 weights
    expect(weightShapes(g)).toEqual(referenceShapes(lenet5Layers()));
    // weights + biases 20 + 50 + 500 + 10
    expect(countParams(g)).toBe(430_500 + 580);
    const shapes = inferShapes(g);
    expect(shapes.get('conv1')).toEqual([20, 24, 24]);
    expect(shapes.get('pool2')).toEqual([50, 4, 4]);
    expect(shapes.get(g.output)).toEqual([10]);
    // MACs: 20·25·24² + 50·500·8² + 800·500 + 500·10
    expect(countMacs(g)).toBe(288_000 + 1_600_000 + 400_000 + 5_000);
  });

  it('takes numClasses', () => {
    expect(inferShapes(createModel('lenet5', { numClasses: 3 })).get('fc2')).toEqual([3]);
  });
});

describe('lenet300-100', () => {
  it('is 784-300-100-10 with 266,610 parameters', () => {
    const g = createModel('lenet300-100');
    validateGraph(g);
    expect(weightShapes(g)).toEqual([['fc1', [300, 784]], ['fc2', [100, 300]], ['fc3', [10, 100]]]);
    // 784·300 + 300 + 300·100 + 100 + 100·10 + 10
    expect(countParams(g)).toBe(266_610);
    expect(inferShapes(g).get(g.output)).toEqual([10]);
  });
});
