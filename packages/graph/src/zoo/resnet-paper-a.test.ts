import { describe, expect, it } from 'vitest';
import { paramNames } from '../param-names.ts';
import { inferShapes } from '../shape-inference.ts';
import { countParams } from '../summary.ts';
import type { PreluLayer } from '../types.ts';
import { validateGraph } from '../validate.ts';
import { referenceShapes, resnet18ImagenetLayers, weightShapes } from './test-zoo.ts';
import { createModel } from './zoo.ts';

describe('resnet18-imagenet-paper-a', () => {
  const g = createModel('resnet18-imagenet-paper-a');

  it('has 11,689,520 parameters: torchvision’s plus one PReLU slope per block', () => {
    validateGraph(g);
    expect(countParams(g)).toBe(11_689_520); // papers.md §A.5
    const ours = new Map(weightShapes(g));
    const reference = referenceShapes(resnet18ImagenetLayers({ prelu: true }));
    // formats names the slope `<block>.prelu`; the torch module (and this graph) calls it `<block>.relu`
    expect(ours).toEqual(new Map(reference.map(([n, s]) => [n.replace(/\.prelu$/, '.relu'), s])));
    expect(inferShapes(g).get(g.output)).toEqual([1000]);
  });

  it('applies one shared PReLU after both convs, BN after the activation, no activation after the join', () => {
    const byName = new Map(g.layers.map((l) => [l.name, l]));
    const first = byName.get('layer3.0.relu') as PreluLayer;
    const second = byName.get('layer3.0.relu_1') as PreluLayer;
    expect(second.weight).toBe(first.weight);
    expect(first.inputs).toEqual(['layer3.0.conv1']);
    expect(byName.get('layer3.0.bn1')!.inputs).toEqual(['layer3.0.relu']);
    expect(byName.get('layer3.0.add')!.inputs).toEqual(['layer3.0.bn2', 'layer3.0.downsample.1']);
    expect(byName.get('layer3.1.conv1')!.inputs).toEqual(['layer3.0.add']);
    // stem: conv → ReLU → maxpool → BN; head: ReLU → pool → fc
    expect(['relu', 'maxpool', 'bn1'].map((n) => byName.get(n)!.inputs[0])).toEqual(['conv1', 'relu', 'maxpool']);
    expect(byName.get('relu_1')!.inputs).toEqual(['layer4.1.add']);
    // the torch state dict has one `relu.weight` per block
    expect(paramNames(g).filter((n) => n.endsWith('.relu.weight'))).toHaveLength(8);
  });
});

describe('resnet14-cifar', () => {
  const g = createModel('resnet14-cifar');

  it('is the wide ResNet-14 (80/160/320, 3×3 stem, no maxpool) with 4,337,376 parameters (≈ 4.34 M)', () => {
    validateGraph(g);
    // per layer: stem 3·80·9; layer1 4 × 80·80·9; layer2 80·160·9 + 3 × 160·160·9 + 1×1 80·160;
    // layer3 160·320·9 + 3 × 320·320·9 + 160·320; fc 320·10 + 10; BN 2 × (80 + 4·80 + 5·160 + 5·320); 6 PReLU
    const perLayer = 2_160 + 4 * 57_600 + (115_200 + 3 * 230_400 + 12_800) + (460_800 + 3 * 921_600 + 51_200) + 3_210 + 2 * 2_800 + 6;
    expect(perLayer).toBe(4_337_376);
    expect(countParams(g)).toBe(perLayer);
    expect(g.layers.some((l) => l.kind === 'maxpool')).toBe(false);
    expect(g.layers.filter((l) => l.kind === 'conv2d' && l.kernel[0] === 3)).toHaveLength(13); // + fc = 14
    expect(inferShapes(g).get('layer3.1.add')).toEqual([320, 8, 8]);
    expect(inferShapes(g).get(g.output)).toEqual([10]);
  });
});
