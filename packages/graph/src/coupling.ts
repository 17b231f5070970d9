/**
 * Channel coupling: which channels of a graph must be removed together.
 *
 * Every layer output carries channels along its first axis (features for `[F]` tensors). Channels are tied by these
 * rules, applied to the whole graph:
 * 1. `conv2d` and `dense` PRODUCE new channels (their output channels / features).
 * 2. `batchnorm`, `relu`, `prelu`, `hardtanh`, `sign`, `maxpool`, `avgpool` and `globalavgpool` pass channel c of
 *    their input to channel c of their output.
 * 3. `add` ties channel c of EVERY input (and of its output) together: all branches a residual join merges —
 *    convolutions, 1×1 downsample convolutions with their BatchNorm, identity shortcuts — form one group.
 * 4. `shortcut-pad` maps input channel c to output channel `before + c`; its zero channels belong to no producer.
 *    So an option-A ResNet is ONE group spanning its stages: stage 3's 64 channels, with stage 2's 32 at
 *    offsets [16, 48) and stage 1's 16 at [24, 40) — removing channel 30 of the group removes it everywhere.
 * 5. `flatten` of `[C, H, W]` keeps channel c as the H·W consecutive features `[c·H·W, (c + 1)·H·W)`
 *    (`spatial` = H·W), so a dense layer after flatten loses whole blocks of input features.
 *
 * A group is a set of tied channel positions with an index space of `channels` positions. Each tensor carrying
 * the group occupies `[offset, offset + channels)` of it. Removing position i of a group removes, for every member:
 * - producers: output channel i − offset of the conv/dense weight, bias and masks;
 * - consumers: BatchNorm γ, β, running mean and variance; per-channel PReLU slopes; input channel i − offset of
 *   a following conv (weight axis 1); input features `[(i − offset)·spatial, …)` of a following dense layer;
 *   the `before`/`after` zero channels of a shortcut-pad (positions in its padding) or the channel it copies.
 *
 * A group is NOT prunable (with a reason) when it carries the network output (the output shape would change), the
 * network input, or the input or output of a grouped conv (`groups` > 1, whose channel-to-group mapping cannot be
 * sliced per channel), or when its channels are tied inconsistently (the same channel reached at two different
 * offsets, e.g. through two shortcut-pads, or an `add` of flattened tensors with different spatial sizes).
 */
import { inferShapes } from './shape-inference.ts';
import type { Graph } from './types.ts';

/** Where a tensor's channels sit in its group. */
export interface ChannelSlice {
  /** The layer whose output (for consumers: whose input) this is. */
  readonly layer: string;
  /** Group position of the tensor's channel 0. */
  readonly offset: number;
  /** Channels of the group the tensor carries. */
  readonly channels: number;
  /** Elements per channel along the tensor's first axis: 1, or H·W after flattening `[C, H, W]`. */
  readonly spatial: number;
}

/** How a consumer is sliced when channels of its INPUT are removed. */
export type ConsumerRole = 'batchnorm' | 'prelu' | 'conv2d-input' | 'dense-input' | 'shortcut-pad';

/** A layer whose parameters or attributes change when the group's channels are removed; the slice is its input. */
export interface ChannelConsumer extends ChannelSlice {
  readonly role: ConsumerRole;
}

/** Channels that must be removed together (see this module's documentation for the rules). */
export interface ChannelGroup {
  /** Stable identifier: the first producer's name in graph order (or the first tensor's when none). */
  readonly id: string;
  /** Size of the group's index space. */
  readonly channels: number;
  /** conv2d / dense layers producing the group's channels. */
  readonly producers: readonly ChannelSlice[];
  /** Layers to slice on removal (BatchNorm, per-channel PReLU, next convs and dense layers, shortcut-pads). */
  readonly consumers: readonly ChannelConsumer[];
  /** Every layer output carrying the group, in graph order. */
  readonly tensors: readonly ChannelSlice[];
  readonly prunable: boolean;
  /** Why the group is not prunable (several reasons joined by "; "), undefined when prunable. */
  readonly reason?: string;
}

interface Node {
  readonly el: number;
  readonly off: number;
  readonly channels: number;
  readonly spatial: number;
}

/**
 * Finds the channel groups of a graph.
 *
 * @param graph - a graph with consistent shapes (see {@link inferShapes})
 * @returns the groups, ordered by their first tensor in graph order; together their `tensors` list every layer
 * @throws GraphError when shapes cannot be inferred
 * @example
 * ```ts
 * channelGroups(resnet20).filter((g) => g.prunable).map((g) => g.id);
 * // ['layer1.0.conv1', 'layer1.1.conv1', …] — the block-internal channels; the residual stream reaches the output
 * ```
 */
export function channelGroups(graph: Graph): ChannelGroup[] {
  const shapes = inferShapes(graph);
  const parent: number[] = [];
  const delta: number[] = [];
  const make = (): number => {
    parent.push(parent.length);
    delta.push(0);
    return parent.length - 1;
  };
  // Index y of element e is index y + d of the returned root.
  const find = (e: number): [number, number] => {
    let d = 0;
    let r = e;
    while (parent[r] !== r) {
      d += delta[r]!;
      r = parent[r]!;
    }
    return [r, d];
  };
  const bad: [number, string][] = [];
  const tie = (a: Node, b: Node, bOffset: number, where: string): void => {
    // Channel c of `a` is channel c + bOffset of `b`.
    const [ra, da] = find(a.el);
    const [rb, db] = find(b.el);
    const ia = a.off + da;
    const ib = b.off + bOffset + db;
    if (ra === rb) {
      if (ia !== ib) bad.push([ra, `layer "${where}" ties channels of this group to themselves at a different offset`]);
      return;
    }
    parent[ra] = rb;
    delta[ra] = ib - ia;
  };
  const nodes = new Map<string, Node>();
  const roles: { layer: string; input: string; role: ConsumerRole }[] = [];
  const producers: string[] = [];
  for (const layer of graph.layers) {
    const shape = shapes.get(layer.name)!;
    const input = nodes.get(layer.inputs[0] ?? '');
    const fresh = (): Node => ({ el: make(), off: 0, channels: shape[0]!, spatial: 1 });
    let node: Node;
    switch (layer.kind) {
      case 'input':
        node = fresh();
        bad.push([node.el, `carries the network input (layer "${layer.name}")`]);
        break;
      case 'conv2d':
      case 'dense':
        node = fresh();
        producers.push(layer.name);
        roles.push({ layer: layer.name, input: layer.inputs[0]!, role: layer.kind === 'conv2d' ? 'conv2d-input' : 'dense-input' });
        if (layer.kind === 'conv2d' && layer.groups > 1) {
          const why = `grouped conv "${layer.name}" (groups ${layer.groups}) cannot be sliced per channel`;
          bad.push([node.el, why], [input!.el, why]);
        }
        break;
      case 'shortcut-pad':
        node = fresh();
        tie(input!, node, layer.before, layer.name);
        roles.push({ layer: layer.name, input: layer.inputs[0]!, role: 'shortcut-pad' });
        break;
      case 'add':
        node = input!;
        for (const name of layer.inputs.slice(1)) {
          const other = nodes.get(name)!;
          if (other.spatial !== node.spatial) {
            bad.push([node.el, `add "${layer.name}" joins flattened tensors of different spatial sizes`], [other.el, `add "${layer.name}" joins flattened tensors of different spatial sizes`]);
          }
          tie(other, node, 0, layer.name);
        }
        break;
      case 'flatten': {
        const inShape = shapes.get(layer.inputs[0]!)!;
        node = { ...input!, spatial: input!.spatial * inShape.slice(1).reduce((a, b) => a * b, 1) };
        break;
      }
      case 'batchnorm':
      case 'prelu':
        if (layer.kind === 'batchnorm' || layer.weight.data.length > 1) roles.push({ layer: layer.name, input: layer.inputs[0]!, role: layer.kind });
        node = input!;
        break;
      default:
        node = input!;
    }
    nodes.set(layer.name, node);
  }
  bad.push([nodes.get(graph.output)!.el, `carries the network output (layer "${graph.output}")`]);

  // Gather groups by root, in graph order of their first tensor.
  const byRoot = new Map<number, { tensors: ChannelSlice[]; reasons: string[] }>();
  const absolute = (n: Node, layer: string): { root: number; slice: ChannelSlice } => {
    const [root, d] = find(n.el);
    return { root, slice: { layer, offset: n.off + d, channels: n.channels, spatial: n.spatial } };
  };
  for (const layer of graph.layers) {
    const { root, slice } = absolute(nodes.get(layer.name)!, layer.name);
    let g = byRoot.get(root);
    if (g === undefined) byRoot.set(root, (g = { tensors: [], reasons: [] }));
    g.tensors.push(slice);
  }
  for (const [el, why] of bad) {
    const g = byRoot.get(find(el)[0])!;
    if (!g.reasons.includes(why)) g.reasons.push(why);
  }
  const consumersByRoot = new Map<number, ChannelConsumer[]>();
  for (const r of roles) {
    const { root, slice } = absolute(nodes.get(r.input)!, r.layer);
    consumersByRoot.set(root, [...(consumersByRoot.get(root) ?? []), { ...slice, role: r.role }]);
  }
  const producerSet = new Set(producers);
  return [...byRoot].map(([root, g]) => {
    const min = Math.min(...g.tensors.map((t) => t.offset));
    const shift = <T extends ChannelSlice>(t: T): T => ({ ...t, offset: t.offset - min });
    const tensors = g.tensors.map(shift);
    const prods = tensors.filter((t) => producerSet.has(t.layer));
    const group: ChannelGroup = {
      id: (prods[0] ?? tensors[0]!).layer,
      channels: Math.max(...tensors.map((t) => t.offset + t.channels)),
      producers: prods,
      consumers: (consumersByRoot.get(root) ?? []).map(shift),
      tensors,
      prunable: g.reasons.length === 0,
    };
    return g.reasons.length === 0 ? group : { ...group, reason: g.reasons.join('; ') };
  });
}
