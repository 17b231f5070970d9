import { describe, expect, it } from 'vitest';
import { paramNames } from '../param-names.ts';
import { inferShapes } from '../shape-inference.ts';
import { countMacs, countParams } from '../summary.ts';
import { validateGraph } from '../validate.ts';
import { referenceShapes, resnet18ImagenetLayers, weightShapes } from './test-zoo.ts';
import { createModel } from './zoo.ts';

describe('resnet18-imagenet', () => {
  const g = createModel('resnet18-imagenet');

  it('has torchvision’s 11,689,512 parameters', () => {
    validateGraph(g);
    // torchvision.models.resnet18().parameters() sum: 11,689,512 (papers.md §A.5)
    expect(countParams(g)).toBe(11_689_512);
    // the same layers and shapes as @quantprune/formats' reference list (conv/BN/fc in torchvision order)
    const reference = referenceShapes(resnet18ImagenetLayers());
    expect(new Map(weightShapes(g))).toEqual(new Map(reference));
    expect(inferShapes(g).get(g.output)).toEqual([1000]);
    expect(inferShapes(g).get('layer4.1.relu_1')).toEqual([512, 7, 7]);
  });

  it('has torchvision’s state-dict names (minus num_batches_tracked)', () => {
    const names = paramNames(g);
    // 20 convs + 20 BNs × 4 + fc weight and bias = 102 of torchvision's 122 state-dict entries
    expect(names).toHaveLength(102);
    for (const n of ['conv1.weight', 'bn1.running_mean', 'layer1.0.conv1.weight', 'layer2.0.downsample.0.weight', 'layer2.0.downsample.1.bias', 'layer4.1.bn2.running_var', 'fc.weight', 'fc.bias']) {
      expect(names).toContain(n);
    }
  });

  it('has 1.814 G MACs (torchvision docs: 1.81 GFLOPS)', () => {
    expect(countMacs(g)).toBe(1_814_073_344);
  });
});
