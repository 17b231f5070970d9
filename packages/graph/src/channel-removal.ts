/**
 * Physical channel removal: a thinner graph with every affected tensor sliced, following {@link channelGroups}.
 *
 * Masked semantics and equivalence. A `channelMask` makes a conv/dense output channel exactly 0 (weights and bias
 * zeroed, see {@link forward}), but a following BatchNorm adds its shift `β − γ·μ/√(var + ε)` to it. The thin
 * network computes exactly what the masked one computes when every removed channel carries 0 into the layers that
 * read it, which holds when:
 * - every producer of the group masks the channel (what {@link applyChannelMasks} requires), and
 * - every BatchNorm of the group has β = 0 and μ = 0 on it ({@link silenceMaskedChannels} sets that), and
 * - every activation on the way maps 0 to 0 (relu, prelu, hardtanh with min ≤ 0 ≤ max, pools, add; NOT `sign`,
 *   whose sign(0) is +1).
 */
import { channelGroups, type ChannelGroup, type ChannelSlice } from './coupling.ts';
import { GraphError } from './errors.ts';
import type { BatchNormLayer, Conv2dLayer, DenseLayer, Graph, Layer, Tensor } from './types.ts';
import { validateGraph } from './validate.ts';

/**
 * Removes channels and returns a NEW valid graph (the input graph is not modified and shares no buffer with it;
 * a tensor shared by several layers of the input is one shared tensor in the result too).
 *
 * Everything tied to a removed channel is sliced: conv/dense output channels (weight, bias, element `mask`,
 * `channelMask`), BatchNorm γ, β, running mean and variance, per-channel PReLU slopes, the input channels of the
 * following convs and the input features of dense layers after flatten or global pooling, every residual partner
 * (all producers of the group) and the zero channels of option-A shortcut-pads. Quantizer annotations are kept.
 *
 * @param graph - a valid graph
 * @param keep - per producer (conv2d or dense layer name, any producer of a group): one entry per output channel,
 *   1 = keep, 0 = remove. Positions of a group no entry covers are kept; entries covering the same position must agree.
 * @returns the thinner graph
 * @throws TypeError / RangeError for a mask that is not a Uint8Array of 0/1 of the producer's channel count or a
 *   name that is not a producer; GraphError when masks of one group disagree, when channels of a non-prunable group
 *   would be removed (the message gives the reason), or when a tensor would lose all its channels
 * @example
 * ```ts
 * const thin = removeChannels(graph, new Map([['layer1.0.conv1', Uint8Array.of(1, 0, 1, 1, …)]]));
 * ```
 */
export function removeChannels(graph: Graph, keep: ReadonlyMap<string, Uint8Array>): Graph {
  validateGraph(graph);
  if (!(keep instanceof Map)) throw new TypeError('removeChannels: keep must be a Map from producer name to Uint8Array');
  const groups = channelGroups(graph);
  const owner = new Map<string, { group: ChannelGroup; slice: ChannelSlice }>();
  for (const group of groups) for (const slice of group.producers) owner.set(slice.layer, { group, slice });
  const entries = new Map<ChannelGroup, [ChannelSlice, Uint8Array][]>();
  for (const [name, mask] of keep) {
    const o = owner.get(name);
    if (o === undefined) throw new RangeError(`removeChannels: "${name}" is not a conv2d or dense layer of graph "${graph.name}"`);
    if (!(mask instanceof Uint8Array)) throw new TypeError(`removeChannels: keep mask of "${name}" must be a Uint8Array`);
    if (mask.length !== o.slice.channels) {
      throw new RangeError(`removeChannels: keep mask of "${name}" has ${mask.length} entries but the layer has ${o.slice.channels} output channels`);
    }
    const badAt = mask.findIndex((v) => v > 1);
    if (badAt >= 0) throw new RangeError(`removeChannels: keep mask of "${name}" has ${mask[badAt]} at ${badAt}, entries must be 0 or 1`);
    entries.set(o.group, [...(entries.get(o.group) ?? []), [o.slice, mask]]);
  }
  const positions = new Map<ChannelGroup, Uint8Array>();
  for (const [group, list] of entries) {
    const merged = mergeMasks('removeChannels', 'keep mask', group, list);
    const zeroBy = list.find(([, m]) => m.includes(0));
    if (!group.prunable && zeroBy !== undefined) {
      throw new GraphError(`cannot remove channels of group "${group.id}": ${group.reason}`, zeroBy[0].layer);
    }
    positions.set(group, merged);
  }
  const tensorKeep = new Map<string, { keep: Uint8Array; spatial: number }>();
  for (const g of groups) {
    const k = positions.get(g);
    for (const t of g.tensors) {
      const sub = k === undefined ? new Uint8Array(t.channels).fill(1) : k.subarray(t.offset, t.offset + t.channels);
      if (!sub.includes(1)) throw new GraphError(`removing these channels of group "${g.id}" would leave no channel`, t.layer);
      tensorKeep.set(t.layer, { keep: sub, spatial: t.spatial });
    }
  }
  /** Keep flags along the first axis of a layer's output (channels expanded to features after flatten). */
  const axisKeep = (layer: string): Uint8Array | undefined => {
    const t = tensorKeep.get(layer)!;
    if (!t.keep.includes(0)) return undefined;
    if (t.spatial === 1) return t.keep;
    const out = new Uint8Array(t.keep.length * t.spatial);
    t.keep.forEach((v, c) => out.fill(v, c * t.spatial, (c + 1) * t.spatial));
    return out;
  };
  const slice = tensorSlicer();
  const layers = graph.layers.map((layer) => sliceLayer(layer, slice, axisKeep(layer.name), layer.inputs.length > 0 ? axisKeep(layer.inputs[0]!) : undefined));
  const result: Graph = { name: graph.name, layers, output: graph.output };
  validateGraph(result);
  return result;
}

function count(keep: Uint8Array | undefined, n: number): number {
  return keep === undefined ? n : keep.reduce((a, b) => a + b, 0);
}

/** Copies `data` viewed as `[a, b, r]`, keeping the rows of axis 0 and 1 whose flag is 1 (all when undefined). */
function gather<T extends Float32Array | Uint8Array>(data: T, a: number, b: number, keep0: Uint8Array | undefined, keep1: Uint8Array | undefined): T {
  const r = data.length / (a * b);
  const out = new (data.constructor as new (n: number) => T)(count(keep0, a) * count(keep1, b) * r);
  let k = 0;
  for (let i = 0; i < a; i++) {
    if (keep0 !== undefined && keep0[i] === 0) continue;
    for (let j = 0; j < b; j++) {
      if (keep1 !== undefined && keep1[j] === 0) continue;
      const src = (i * b + j) * r;
      out.set(data.subarray(src, src + r), k);
      k += r;
    }
  }
  return out;
}

type Slicer = (layer: string, t: Tensor, keep0: Uint8Array | undefined, keep1?: Uint8Array) => Tensor;

/**
 * Slices tensors, once per tensor object: layers that share one Tensor (Paper A's single PReLU applied twice per
 * block) share the sliced copy too.
 */
function tensorSlicer(): Slicer {
  const done = new Map<Tensor, { key: string; out: Tensor; layer: string }>();
  return (layer, t, keep0, keep1) => {
    const key = `${keep0?.join('') ?? '*'}|${keep1?.join('') ?? '*'}`;
    const prev = done.get(t);
    if (prev !== undefined) {
      if (prev.key !== key) throw new GraphError(`shares a tensor with layer "${prev.layer}" that the removal would slice differently`, layer);
      return prev.out;
    }
    const out = sliceTensor(t, keep0, keep1);
    done.set(t, { key, out, layer });
    return out;
  };
}

function sliceTensor(t: Tensor, keep0: Uint8Array | undefined, keep1?: Uint8Array): Tensor {
  const shape = [...t.shape];
  const a = shape[0]!;
  const b = shape.length > 1 ? shape[1]! : 1;
  shape[0] = count(keep0, a);
  if (shape.length > 1) shape[1] = count(keep1, b);
  return { shape, data: gather(t.data, a, b, keep0, keep1) };
}

function sliceLayer(layer: Layer, slicer: Slicer, out: Uint8Array | undefined, inp: Uint8Array | undefined): Layer {
  const cut = (t: Tensor, keep0: Uint8Array | undefined, keep1?: Uint8Array): Tensor => slicer(layer.name, t, keep0, keep1);
  switch (layer.kind) {
    case 'conv2d':
    case 'dense': {
      // A grouped conv's channels are never removed (its groups are not prunable): its input flags are all ones.
      const inW = layer.kind === 'conv2d' && layer.groups > 1 ? undefined : inp;
      const sliced: Conv2dLayer | DenseLayer = { ...layer, weight: cut(layer.weight, out, inW) };
      const [o, i] = sliced.weight.shape as [number, number];
      if (sliced.kind === 'conv2d') Object.assign(sliced, { outChannels: o, inChannels: i * sliced.groups });
      else Object.assign(sliced, { outFeatures: o, inFeatures: i });
      if (layer.bias !== undefined) sliced.bias = cut(layer.bias, out);
      if (layer.mask !== undefined) sliced.mask = gather(layer.mask, layer.weight.shape[0]!, layer.weight.shape[1]!, out, inW);
      if (layer.channelMask !== undefined) sliced.channelMask = gather(layer.channelMask, layer.channelMask.length, 1, out, undefined);
      return sliced;
    }
    case 'batchnorm': {
      const bn: BatchNormLayer = {
        ...layer,
        channels: count(out, layer.channels),
        runningMean: cut(layer.runningMean, out),
        runningVar: cut(layer.runningVar, out),
      };
      if (layer.weight !== undefined) bn.weight = cut(layer.weight, out);
      if (layer.bias !== undefined) bn.bias = cut(layer.bias, out);
      return bn;
    }
    case 'prelu':
      return { ...layer, weight: cut(layer.weight, layer.weight.data.length > 1 ? out : undefined) };
    case 'shortcut-pad': {
      if (out === undefined) return { ...layer };
      const inChannels = out.length - layer.before - layer.after;
      return { ...layer, before: count(out.subarray(0, layer.before), layer.before), after: count(out.subarray(layer.before + inChannels), layer.after) };
    }
    case 'input':
      return { ...layer, shape: [...layer.shape] };
    default:
      return { ...layer };
  }
}

/**
 * Merges the 0/1 masks of several producers of one group into one flag per group position (positions no mask
 * covers are kept).
 * @throws GraphError when two masks disagree on a position
 */
function mergeMasks(fn: string, what: string, group: ChannelGroup, masks: readonly (readonly [ChannelSlice, Uint8Array])[]): Uint8Array {
  const merged = new Int8Array(group.channels).fill(-1);
  const who = new Array<string>(group.channels).fill('');
  for (const [p, m] of masks) {
    for (let c = 0; c < p.channels; c++) {
      const at = p.offset + c;
      if (merged[at] !== -1 && merged[at] !== m[c]) {
        throw new GraphError(
          `${fn}: ${what} of "${p.layer}" (channel ${c}: ${m[c]}) disagrees with "${who[at]}" (${merged[at]}) on position ${at} of channel group "${group.id}"; ` +
            'channels of one group are removed together (see channelGroups)',
          p.layer,
        );
      }
      merged[at] = m[c]!;
      who[at] = p.layer;
    }
  }
  return Uint8Array.from(merged, (v) => (v === 0 ? 0 : 1));
}

/**
 * For every channel group with a masked channel, the combined `channelMask` of its producers (a producer without
 * `channelMask` keeps all its channels).
 */
function groupMasks(fn: string, graph: Graph): { group: ChannelGroup; mask: Uint8Array }[] {
  validateGraph(graph);
  const byName = new Map(graph.layers.map((l) => [l.name, l]));
  const result: { group: ChannelGroup; mask: Uint8Array }[] = [];
  for (const group of channelGroups(graph)) {
    const masks = group.producers.map((p) => [p, (byName.get(p.layer) as Conv2dLayer | DenseLayer).channelMask ?? new Uint8Array(p.channels).fill(1)] as const);
    if (masks.some(([, m]) => m.includes(0))) result.push({ group, mask: mergeMasks(fn, 'channelMask', group, masks) });
  }
  return result;
}

/**
 * Removes the channels that the conv/dense `channelMask` annotations mark as pruned and returns the thinner graph
 * (via {@link removeChannels}); the returned graph has no `channelMask` annotations left.
 *
 * @param graph - a valid graph with channel masks; every producer of a group must carry the same mask on the
 *   positions it covers (a producer without `channelMask` keeps all its channels)
 * @returns the thinner graph (a copy, also when nothing is masked)
 * @throws GraphError when masks within one group conflict, or a non-prunable group (see {@link channelGroups}) has
 *   masked channels
 */
export function applyChannelMasks(graph: Graph): Graph {
  const keep = new Map<string, Uint8Array>();
  for (const { group, mask } of groupMasks('applyChannelMasks', graph)) {
    for (const p of group.producers) keep.set(p.layer, mask.slice(p.offset, p.offset + p.channels));
  }
  const thin = removeChannels(graph, keep);
  for (const layer of thin.layers) if (layer.kind === 'conv2d' || layer.kind === 'dense') delete layer.channelMask;
  return thin;
}

/**
 * Makes the masked channels of a graph carry exactly 0: returns a copy in which every BatchNorm of a channel
 * group has β = 0 and running mean = 0 on the group's masked positions, so that its output there is
 * `γ·(0 − 0)/√(var + ε) + 0 = 0`. With it, {@link forward} of the masked graph equals forward of
 * {@link applyChannelMasks}'s thin graph (as long as no `sign` layer sits on a masked channel).
 *
 * @param graph - a valid graph with channel masks (same consistency rules as {@link applyChannelMasks})
 * @returns a copy of the graph with those BatchNorm entries zeroed
 * @throws GraphError when masks within one group conflict
 */
export function silenceMaskedChannels(graph: Graph): Graph {
  const zero = new Map<string, Uint8Array>();
  for (const { group, mask } of groupMasks('silenceMaskedChannels', graph)) {
    for (const t of group.tensors) {
      const sub = mask.subarray(t.offset, t.offset + t.channels);
      const features = new Uint8Array(t.channels * t.spatial);
      sub.forEach((v, c) => features.fill(v, c * t.spatial, (c + 1) * t.spatial));
      zero.set(t.layer, features);
    }
  }
  const slice = tensorSlicer();
  const layers = graph.layers.map((layer): Layer => {
    const l = sliceLayer(layer, slice, undefined, undefined); // a deep copy
    const m = zero.get(layer.name);
    if (l.kind === 'batchnorm' && m !== undefined) {
      m.forEach((v, c) => {
        if (v === 0) {
          l.runningMean.data[c] = 0;
          if (l.bias !== undefined) l.bias.data[c] = 0;
        }
      });
    }
    return l;
  });
  return { name: graph.name, layers, output: graph.output };
}
