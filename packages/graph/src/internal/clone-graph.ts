import type { Graph, Layer, Tensor } from '../types.ts';

/**
 * A deep copy of a graph: new layer objects, tensors and masks. A tensor shared by several layers (tied
 * weights) is copied once and stays shared in the copy.
 */
export function cloneGraph(graph: Graph): Graph {
  const copies = new Map<Tensor, Tensor>();
  const copy = (t: Tensor): Tensor => {
    let c = copies.get(t);
    if (c === undefined) {
      c = { shape: [...t.shape], data: t.data.slice() };
      copies.set(t, c);
    }
    return c;
  };
  const layers = graph.layers.map((layer): Layer => {
    const l = { ...layer, inputs: [...layer.inputs] } as Layer & Record<string, unknown>;
    for (const key of ['weight', 'bias', 'runningMean', 'runningVar'] as const) {
      const t = l[key] as Tensor | undefined;
      if (t !== undefined) l[key] = copy(t);
    }
    for (const key of ['mask', 'channelMask'] as const) {
      const m = l[key] as Uint8Array | undefined;
      if (m !== undefined) l[key] = m.slice();
    }
    return l;
  });
  return { name: graph.name, layers, output: graph.output };
}
