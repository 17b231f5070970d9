// Test helpers (not tests) for the zoo: a model's layer kinds and weight shapes by name.
import { lenet5Layers, resnet18ImagenetLayers, type LayerSpec } from '@quantprune/formats';
import type { Graph } from '../types.ts';

/** conv/dense/batchnorm/prelu weight shapes by layer name (tied PReLUs once), in graph order. */
export function weightShapes(graph: Graph): [string, readonly number[]][] {
  const seen = new Set<object>();
  const rows: [string, readonly number[]][] = [];
  for (const l of graph.layers) {
    if (l.kind === 'conv2d' || l.kind === 'dense') rows.push([l.name, l.weight.shape]);
    else if (l.kind === 'batchnorm') rows.push([l.name, [l.channels]]);
    else if (l.kind === 'prelu' && !seen.has(l.weight)) {
      seen.add(l.weight);
      rows.push([l.name, l.weight.shape]);
    }
  }
  return rows;
}

/** The same table from a @quantprune/formats reference layer list. */
export function referenceShapes(layers: readonly LayerSpec[]): [string, readonly number[]][] {
  return layers.map((l) => [l.name, l.shape]);
}

export { lenet5Layers, resnet18ImagenetLayers };
