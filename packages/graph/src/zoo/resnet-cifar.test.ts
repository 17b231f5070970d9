import { describe, expect, it } from 'vitest';
import { paramNames } from '../param-names.ts';
import { inferShapes } from '../shape-inference.ts';
import { countMacs, countParams } from '../summary.ts';
import type { ShortcutPadLayer } from '../types.ts';
import { validateGraph } from '../validate.ts';
import { createModel } from './zoo.ts';

/** Parameters of a CIFAR ResNet with n blocks per stage, summed layer by layer. */
function expectedParams(n: number, optionB: boolean): number {
  let p = 3 * 16 * 9 + 2 * 16; // stem conv + bn1
  let inPlanes = 16;
  for (const planes of [16, 32, 64]) {
    for (let b = 0; b < n; b++) {
      p += inPlanes * planes * 9 + planes * planes * 9 + 4 * planes; // two convs, two BNs
      if (optionB && inPlanes !== planes) p += inPlanes * planes + 2 * planes;
      inPlanes = planes;
    }
  }
  return p + 64 * 10 + 10;
}

describe('resnet20/32/44/56-cifar', () => {
  // akamaster/pytorch_resnet_cifar10 README: 0.27 M, 0.46 M, 0.66 M, 0.85 M parameters
  const cases = [
    ['resnet20-cifar', 3, 269_722],
    ['resnet32-cifar', 5, 464_154],
    ['resnet44-cifar', 7, 658_586],
    ['resnet56-cifar', 9, 853_018],
  ] as const;

  it.each(cases)('%s (n = %i) has %i parameters with option A', (name, n, params) => {
    const g = createModel(name);
    validateGraph(g);
    expect(expectedParams(n, false)).toBe(params);
    expect(countParams(g)).toBe(params);
    expect(inferShapes(g).get(g.output)).toEqual([10]);
    expect(g.layers.filter((l) => l.kind === 'conv2d')).toHaveLength(6 * n + 1);
  });

  it('uses option-A zero-pad shortcuts with planes/4 channels each side', () => {
    const g = createModel('resnet20-cifar');
    const pads = g.layers.filter((l): l is ShortcutPadLayer => l.kind === 'shortcut-pad');
    expect(pads.map((l) => [l.name, l.stride, l.before, l.after])).toEqual([
      ['layer2.0.shortcut', 2, 8, 8],
      ['layer3.0.shortcut', 2, 16, 16],
    ]);
    expect(inferShapes(g).get('layer2.0.shortcut')).toEqual([32, 16, 16]);
    // He et al. 2016 / ptflops: ResNet-20 ≈ 40.55 M MACs (conv + linear)
    expect(countMacs(g)).toBe(40_551_040);
  });

  it('uses 1×1 conv + BN shortcuts with option B', () => {
    const g = createModel('resnet56-cifar', { shortcut: 'B' });
    validateGraph(g);
    expect(countParams(g)).toBe(expectedParams(9, true));
    expect(paramNames(g)).toContain('layer3.0.shortcut.0.weight');
    expect(paramNames(g)).toContain('layer3.0.shortcut.1.running_var');
  });

  it('names parameters as the akamaster state dict', () => {
    const names = paramNames(createModel('resnet20-cifar'));
    // 19 convs + 19 BNs × 4 + linear weight and bias
    expect(names).toHaveLength(19 + 19 * 4 + 2);
    expect(names.slice(0, 6)).toEqual(['conv1.weight', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var', 'layer1.0.conv1.weight']);
    expect(names.slice(-2)).toEqual(['linear.weight', 'linear.bias']);
  });
});
