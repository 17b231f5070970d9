/**
 * Counting and size summaries of a graph: parameters, multiply-accumulates, and the per-layer size table under
 * the accounting conventions of @quantprune/formats (`paper-a`, `weights-only`).
 */
import { accountSize, type AccountSizeOptions, type LayerSpec, type SizeConvention } from '@quantprune/formats';
import { inferShapes } from './shape-inference.ts';
import type { Conv2dLayer, Graph, Layer, LayerKind, QuantizerSpec, Tensor } from './types.ts';

/**
 * Learnable parameters, as torch's `sum(p.numel() for p in model.parameters())`: conv/dense weights and biases,
 * BatchNorm γ and β (running statistics are buffers, not parameters), PReLU slopes. A tensor shared by several
 * layers (Paper A's PReLU applied twice per block) counts once. Masks are ignored: this counts the graph as
 * stored (see {@link summarize} for masked channels counted as removed).
 *
 * @param graph - the model
 * @returns the number of parameters
 * @example
 * ```ts
 * countParams(createModel('resnet18-imagenet')); // 11689512
 * ```
 */
export function countParams(graph: Graph): number {
  const seen = new Set<Tensor>();
  let n = 0;
  const count = (t: Tensor | undefined): void => {
    if (t === undefined || seen.has(t)) return;
    seen.add(t);
    n += t.data.length;
  };
  for (const layer of graph.layers) {
    if (layer.kind === 'conv2d' || layer.kind === 'dense' || layer.kind === 'batchnorm') {
      count(layer.weight);
      count(layer.bias);
    } else if (layer.kind === 'prelu') {
      count(layer.weight);
    }
  }
  return n;
}

/**
 * Multiply-accumulates of one sample's forward pass through the conv and dense layers (the usual "MACs" of
 * FLOP counters; BatchNorm, activations, pooling and adds are not counted): conv `out · in/groups · kh · kw · Ho ·
 * Wo`, dense `in · out`. Counts the graph as stored (masks ignored).
 *
 * @param graph - the model
 * @returns MACs per sample
 * @throws GraphError when shapes cannot be inferred
 * @example
 * ```ts
 * countMacs(createModel('resnet18-imagenet')); // 1814073344
 * ```
 */
export function countMacs(graph: Graph): number {
  const shapes = inferShapes(graph);
  let macs = 0;
  for (const layer of graph.layers) {
    if (layer.kind === 'conv2d') macs += convMacs(layer, layer.outChannels, layer.inChannels, shapes.get(layer.name)!);
    else if (layer.kind === 'dense') macs += layer.inFeatures * layer.outFeatures;
  }
  return macs;
}

function convMacs(layer: Conv2dLayer, out: number, inChannels: number, outShape: readonly number[]): number {
  return out * (inChannels / layer.groups) * layer.kernel[0] * layer.kernel[1] * outShape[1]! * outShape[2]!;
}

/** Per-layer derived facts shared by {@link toLayerSpecs} and {@link summarize}. */
interface LayerFacts {
  readonly layer: Layer;
  readonly spec: LayerSpec;
  readonly macs: number;
}

/**
 * Which output channels (first dimension) of every layer survive the channel masks: conv/dense keep what their
 * `channelMask` keeps; shape-preserving layers pass their input's on; an `add` keeps a channel that ANY branch
 * keeps (it is removable only when every branch drops it); `flatten` spreads each channel's flag over its H·W
 * features; the zero channels of a `shortcut-pad` count as removable (0). `undefined` = every channel kept. For
 * consistent masks this is what `applyChannelMasks` removes physically.
 */
function keptChannels(graph: Graph, shapes: ReadonlyMap<string, readonly number[]>): Map<string, Uint8Array | undefined> {
  const kept = new Map<string, Uint8Array | undefined>();
  for (const layer of graph.layers) {
    const ins = layer.inputs.map((i) => kept.get(i));
    let k: Uint8Array | undefined;
    switch (layer.kind) {
      case 'input':
        k = undefined;
        break;
      case 'conv2d':
      case 'dense':
        k = layer.channelMask;
        break;
      case 'add':
        k = ins.some((m) => m === undefined) ? undefined : (ins as Uint8Array[]).reduce((a, m) => a.map((v, i) => v | m[i]!));
        break;
      case 'flatten': {
        const m = ins[0];
        const shape = shapes.get(layer.inputs[0]!)!;
        const per = shape.slice(1).reduce((a, b) => a * b, 1);
        k = m && per > 1 ? Uint8Array.from({ length: m.length * per }, (_, i) => m[Math.floor(i / per)]!) : m;
        break;
      }
      case 'shortcut-pad': {
        // Zero channels belong to no producer: the add they join keeps them only if another branch does.
        const c = shapes.get(layer.inputs[0]!)![0]!;
        k = new Uint8Array(layer.before + c + layer.after);
        k.set(ins[0] ?? new Uint8Array(c).fill(1), layer.before);
        break;
      }
      default:
        k = ins[0];
    }
    kept.set(layer.name, k);
  }
  return kept;
}

function countOnes(m: Uint8Array | undefined, all: number): number {
  if (m === undefined) return all;
  let n = 0;
  for (const v of m) if (v) n++;
  return n;
}

/** The element mask restricted to kept rows (output channels) and kept columns (input channels). */
function sliceMask(mask: Uint8Array, rows: Uint8Array | undefined, cols: Uint8Array | undefined, nRows: number, nCols: number, inner: number): Uint8Array {
  if (rows === undefined && cols === undefined) return mask;
  const out: number[] = [];
  for (let r = 0; r < nRows; r++) {
    if (rows && !rows[r]) continue;
    for (let c = 0; c < nCols; c++) {
      if (cols && !cols[c]) continue;
      const base = (r * nCols + c) * inner;
      for (let j = 0; j < inner; j++) out.push(mask[base + j]!);
    }
  }
  return Uint8Array.from(out);
}

function layerFacts(graph: Graph): LayerFacts[] {
  const shapes = inferShapes(graph);
  const kept = keptChannels(graph, shapes);
  const seenTensors = new Set<Tensor>();
  const facts: LayerFacts[] = [];
  for (const layer of graph.layers) {
    const inKept = layer.inputs.length > 0 ? kept.get(layer.inputs[0]!) : undefined;
    if (layer.kind === 'conv2d' || layer.kind === 'dense') {
      const isConv = layer.kind === 'conv2d';
      const out = isConv ? layer.outChannels : layer.outFeatures;
      const inAll = isConv ? layer.inChannels : layer.inFeatures;
      // Input channels of a grouped conv stay whole: removal across groups is not modelled.
      const cols = isConv && layer.groups > 1 ? undefined : inKept;
      const keptOut = countOnes(layer.channelMask, out);
      const keptIn = countOnes(cols, isConv ? inAll / layer.groups : inAll);
      const inner = isConv ? layer.kernel[0] * layer.kernel[1] : 1;
      const shape = isConv ? [keptOut, keptIn, layer.kernel[0], layer.kernel[1]] : [keptOut, keptIn];
      const wq = layer.weightQuantizer;
      const spec: LayerSpec = {
        name: layer.name,
        kind: isConv ? 'conv' : 'dense',
        shape,
        weightBits: wq ? wq.bits : 32,
        channelScales: wq?.name === 'xnor',
        bias: layer.bias !== undefined,
        ...(layer.mask ? { mask: sliceMask(layer.mask, layer.channelMask, cols, out, isConv ? inAll / layer.groups : inAll, inner) } : {}),
      };
      const macs = isConv ? convMacs(layer, keptOut, keptIn * layer.groups, shapes.get(layer.name)!) : keptOut * keptIn;
      facts.push({ layer, spec, macs });
    } else if (layer.kind === 'batchnorm') {
      facts.push({ layer, spec: { name: layer.name, kind: 'batchnorm', shape: [countOnes(inKept, layer.channels)] }, macs: 0 });
    } else if (layer.kind === 'prelu' && !seenTensors.has(layer.weight)) {
      seenTensors.add(layer.weight);
      const n = layer.weight.data.length;
      facts.push({ layer, spec: { name: layer.name, kind: 'prelu', shape: [n === 1 ? 1 : countOnes(inKept, n)] }, macs: 0 });
    }
  }
  return facts;
}

/**
 * The graph as a @quantprune/formats layer list, for `accountSize` and `planLayerTensors`: one entry per conv,
 * dense, BatchNorm and (distinct) PReLU tensor, in graph order.
 *
 * - `weightBits` is the weight quantizer's `bits` (32 without one); `channelScales` is set for `xnor`;
 *   `bias` when the layer has one;
 * - channel masks count as removed: a conv's shape loses its masked output channels and the input channels its
 *   producer masked (through BatchNorm, activations, pooling, flatten; an `add` keeps a channel any branch keeps),
 *   and a BatchNorm loses the masked channels of its input;
 * - an element `mask` is passed on (restricted to the kept channels), so `nonzeros` and relative-index counts
 *   follow from it.
 *
 * @param graph - the model
 * @returns the layer list
 * @throws GraphError when shapes cannot be inferred
 * @example
 * ```ts
 * accountSize(toLayerSpecs(applyPrecision(createModel('resnet18-imagenet-paper-a'), 'bnn')), 'paper-a').totalBits; // 28182016
 * ```
 */
export function toLayerSpecs(graph: Graph): LayerSpec[] {
  return layerFacts(graph).map((f) => f.spec);
}

/** One row of a {@link GraphSummary}. */
export interface SummaryRow {
  readonly name: string;
  /** The IR layer kind (`conv2d`, `dense`, `batchnorm`, `prelu`). */
  readonly kind: LayerKind;
  /** Weight shape after channel removal (conv `[out, in, kh, kw]`, dense `[out, in]`, BN/PReLU `[n]`). */
  readonly shape: readonly number[];
  /** Parameters counted by the convention (weights, XNOR scales, bias; BN counts γ and β per channel). */
  readonly params: number;
  /** `weights/activations`: `fp32` or `<quantizer>-<bits>`, e.g. `binary-1/binary-1`, `dorefa-2/dorefa-2`. */
  readonly precision: string;
  /** Bits per weight (32 = full precision). */
  readonly weightBits: number;
  /** Bits of this layer under the convention. */
  readonly bits: number;
  readonly bytes: number;
  /** Fraction of (kept-channel) weights zeroed by the element mask; 0 without one. */
  readonly sparsity: number;
  /** Multiply-accumulates per sample with masked channels removed (0 for BN and PReLU). */
  readonly macs: number;
}

/** A per-layer size table with totals, see {@link summarize}. */
export interface GraphSummary {
  readonly model: string;
  readonly convention: SizeConvention;
  readonly rows: readonly SummaryRow[];
  readonly totals: {
    readonly params: number;
    readonly bits: number;
    readonly bytes: number;
    /** 2^20 bytes (Paper A's "MB"). */
    readonly mib: number;
    /** 10^6 bytes. */
    readonly mb: number;
    readonly macs: number;
  };
  /** Some `weights-only` relative-index counts are lower bounds (a pruned layer without a mask). */
  readonly approximate: boolean;
}

/** Options of {@link summarize}. */
export interface SummarizeOptions extends AccountSizeOptions {
  /** `paper-a` (Paper A's model_profiling) or `weights-only` (Paper B's weight data). */
  readonly convention: SizeConvention;
}

function quantizerLabel(q: QuantizerSpec | undefined): string {
  return q ? `${q.name}-${q.bits}` : 'fp32';
}

/**
 * Per-layer size table of a graph under a size convention, with totals. Rows are the rows of
 * `accountSize(toLayerSpecs(graph), convention)` (so `weights-only` lists conv and dense layers only), joined with
 * the IR kind, precision, sparsity and MACs.
 *
 * @param graph - the model (quantizer annotations give the bit-widths, masks the removed channels and weights)
 * @param options - the convention and, for `weights-only`, index-bit counting
 * @returns rows and totals
 * @throws GraphError when shapes cannot be inferred; RangeError for an unknown convention
 * @example
 * ```ts
 * summarize(applyPrecision(createModel('resnet18-imagenet-paper-a'), 'dorefa'), { convention: 'paper-a' }).totals.bits; // 39167488
 * ```
 */
export function summarize(graph: Graph, options: SummarizeOptions): GraphSummary {
  const facts = layerFacts(graph);
  const report = accountSize(
    facts.map((f) => f.spec),
    options.convention,
    options.indexBits === undefined ? {} : { indexBits: options.indexBits },
  );
  const byName = new Map(facts.map((f) => [f.spec.name, f]));
  const rows = report.rows.map((r): SummaryRow => {
    const f = byName.get(r.name)!;
    const layer = f.layer;
    const weights = f.spec.shape.reduce((x, y) => x * y, 1);
    const nonzero = f.spec.mask ? countOnes(f.spec.mask, weights) : weights;
    return {
      name: r.name,
      kind: layer.kind,
      shape: r.shape,
      params: r.params,
      precision: layer.kind === 'conv2d' || layer.kind === 'dense' ? `${quantizerLabel(layer.weightQuantizer)}/${quantizerLabel(layer.activationQuantizer)}` : 'fp32',
      weightBits: r.weightBits,
      bits: r.bits,
      bytes: r.bits / 8,
      sparsity: weights === 0 ? 0 : 1 - nonzero / weights,
      macs: f.macs,
    };
  });
  return {
    model: graph.name,
    convention: report.convention,
    rows,
    totals: {
      params: report.totalParams,
      bits: report.totalBits,
      bytes: report.bytes,
      mib: report.mib,
      mb: report.mb,
      macs: facts.reduce((s, f) => s + f.macs, 0),
    },
    approximate: report.approximate,
  };
}
