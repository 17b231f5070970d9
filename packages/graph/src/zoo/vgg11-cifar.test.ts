import { describe, expect, it } from 'vitest';
import { inferShapes } from '../shape-inference.ts';
import { countParams } from '../summary.ts';
import { validateGraph } from '../validate.ts';
import { weightShapes } from './test-zoo.ts';
import { createModel } from './zoo.ts';

describe('vgg11-cifar', () => {
  const g = createModel('vgg11-cifar');

  it('has the layers of vgg11_binary.py under their nn.Sequential names', () => {
    validateGraph(g);
    const convs = g.layers.filter((l) => l.kind === 'conv2d').map((l) => l.name);
    expect(convs).toEqual(['features.0', 'features.4', 'features.8', 'features.11', 'features.15', 'features.18', 'features.22', 'features.25']);
    expect(g.layers.filter((l) => l.kind === 'maxpool').map((l) => l.name)).toEqual(['features.1', 'features.5', 'features.12', 'features.19', 'features.26']);
    expect(g.layers.filter((l) => l.kind === 'hardtanh')).toHaveLength(8);
    expect(inferShapes(g).get('features.28')).toEqual([512, 1, 1]);
    expect(inferShapes(g).get(g.output)).toEqual([10]);
  });

  it('has 9,231,114 parameters (≈ 9.23 M, papers.md §A.5)', () => {
    const widths = [3, 64, 128, 256, 256, 512, 512, 512, 512];
    let perLayer = 0;
    for (let i = 1; i < widths.length; i++) perLayer += widths[i]! * widths[i - 1]! * 9 + widths[i]! + 2 * widths[i]!; // weight, bias, BN γ β
    perLayer += 512 * 10 + 10;
    expect(perLayer).toBe(9_231_114);
    expect(countParams(g)).toBe(perLayer);
    expect(weightShapes(g).filter(([, s]) => s.length === 4).reduce((a, [, s]) => a + s.reduce((x, y) => x * y, 1), 0)).toBe(9_217_728);
  });
});
