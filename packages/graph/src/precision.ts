/**
 * Precision presets: the quantizer annotations Paper A's code gives each layer (shared/reference/papers.md
 * §A.3.2–A.3.3, `models/binarized_modules.py` and `models/resnet_binary.py` of luis-guerraf/pruning_quantized_networks).
 *
 * | preset | weights of quantized layers | their input activations |
 * |---|---|---|
 * | `fp32` | none | none |
 * | `bnn` (BinaryNet, W1A1) | `binary` 1 bit: sign (sign(0) = 0, torch.sign), identity STE | `binary`: sign, hardtanh STE (gradient · 1{abs(a) ≤ 1}) |
 * | `xnor` | `xnor` 1 bit: sign · mean abs(w) per output channel (axis 0), identity STE | `binary` as bnn (the code's XNOR activation scaling K is commented out) |
 * | `dorefa` (W2A2) | `dorefa` 2 bits, tanh-normalised, round with identity STE | `dorefa` 2 bits, variant `tanh` (Paper A's `DoReFa_A`) |
 *
 * Which layers (all presets but `fp32`):
 * - a layer that reads the image (its input is the input layer, through flatten/pooling only) gets no
 *   activation quantizer — the code skips 3-channel inputs;
 * - `firstLast: 'fp32'` (default, the code's `FLReal = True`): the first layer(s) — those reading the image —
 *   and the classifier (the last conv/dense layer) stay full precision. Exception: in `vgg11-cifar` the first
 *   conv is always quantized (`vgg11_binary.py` only switches the classifier);
 * - `firstLast: 'quantized'` (`FLReal = False`): the stem is quantized too (weights only), and the classifier is
 *   quantized and followed by a BatchNorm1d, as the code's `BinarizeLinear` + `BatchNorm1d` (`bn3`, affine, in
 *   the Paper A ResNets; `classifier.1`, affine = false, in VGG-11; `<classifier>_bn`, affine, in other graphs).
 *   The code supports only BinaryNet for a quantized classifier (it asserts on XNOR and DoReFa); here `xnor` and
 *   `dorefa` quantize it with the preset's quantizers — an extension;
 * - `bnn` and `xnor` add a BatchNorm after each binarized layer that has none (`insertBatchNorm`; LeNet-5 and
 *   LeNet-300-100 get them, the papers' ResNets and VGG-11 have them already);
 * - residual projections (1×1 convs whose output reaches an `add` through at most a BatchNorm: `downsample.0`,
 *   `shortcut.0`) keep the bnn quantizers under `xnor` and `dorefa`, because the code never passes the network
 *   type to them (1 bit in the size count even in DoReFa runs). Under `fp32` everything is full precision.
 */
import { cloneGraph } from './internal/clone-graph.ts';
import type { BatchNormLayer, Conv2dLayer, DenseLayer, Graph, Layer, QuantizerSpec } from './types.ts';

/** The precision preset names. */
export const PRECISION_PRESETS: readonly ['fp32', 'bnn', 'xnor', 'dorefa'] = ['fp32', 'bnn', 'xnor', 'dorefa'];

/** A precision preset. */
export type PrecisionPreset = (typeof PRECISION_PRESETS)[number];

/** Options of {@link applyPrecision}. */
export interface PrecisionOptions {
  /** Whether the first layer and the classifier stay full precision (Paper A's `FLReal`). @default 'fp32' */
  readonly firstLast?: 'fp32' | 'quantized';
  /**
   * Add a BatchNorm (affine, named `<layer>_bn`) right after every quantized conv/dense layer, other than the
   * classifier, whose output does not already meet one (through activations and pooling at most). Binary activations need it: their hardtanh
   * straight-through gate passes gradient only where |x| ≤ 1, and an un-normalised sum of ±1 products is far
   * larger (BinaryNet and Larq put a BatchNorm after every binarized layer). Models built with BatchNorm
   * (the ResNets, VGG-11) are unchanged. Caffe's LeNet-5 under `bnn`, 3 epochs on MNIST: 94.8 % without,
   * 98 % after one epoch with.
   * @default true for `bnn` and `xnor`, false for `dorefa`
   */
  readonly insertBatchNorm?: boolean;
}

const BINARY_WEIGHTS: QuantizerSpec = { name: 'binary', bits: 1, options: { signOfZero: 0, gate: 'identity' } };
const BINARY_ACTIVATIONS: QuantizerSpec = { name: 'binary', bits: 1, options: { signOfZero: 0, gate: 'hardtanh' } };
const XNOR_WEIGHTS: QuantizerSpec = { name: 'xnor', bits: 1, options: { signOfZero: 0, axis: 0, gate: 'identity' } };
const DOREFA_WEIGHTS: QuantizerSpec = { name: 'dorefa', bits: 2 };
const DOREFA_ACTIVATIONS: QuantizerSpec = { name: 'dorefa', bits: 2, options: { variant: 'tanh' } };

const QUANTIZERS: Record<Exclude<PrecisionPreset, 'fp32'>, { readonly weights: QuantizerSpec; readonly activations: QuantizerSpec }> = {
  bnn: { weights: BINARY_WEIGHTS, activations: BINARY_ACTIVATIONS },
  xnor: { weights: XNOR_WEIGHTS, activations: BINARY_ACTIVATIONS },
  dorefa: { weights: DOREFA_WEIGHTS, activations: DOREFA_ACTIVATIONS },
};

/** Models whose first conv is quantized whatever `firstLast` says. */
const FIRST_ALWAYS_QUANTIZED: ReadonlySet<string> = new Set(['vgg11-cifar']);

/** The BatchNorm1d after a quantized classifier, by model name (torch names of the authors' code). */
const CLASSIFIER_BN: Readonly<Record<string, { readonly name: string; readonly affine: boolean }>> = {
  'vgg11-cifar': { name: 'classifier.1', affine: false },
  'resnet14-cifar': { name: 'bn3', affine: true },
  'resnet18-imagenet-paper-a': { name: 'bn3', affine: true },
};

/** Activations and pooling: what may sit between a layer and "its" BatchNorm (Paper A: conv → PReLU → BN). */
const ELEMENTWISE: ReadonlySet<string> = new Set(['relu', 'prelu', 'hardtanh', 'maxpool', 'avgpool', 'flatten']);

/** Layers that only move or pool values, through which a layer still "reads the image". */
const PASS_THROUGH: ReadonlySet<string> = new Set(['flatten', 'maxpool', 'avgpool', 'globalavgpool']);

/**
 * Returns a copy of the graph with the preset's quantizer annotations (see this module's documentation for
 * which layer gets what). The input graph is not modified; weights are copied (tied tensors stay tied). Masks
 * are kept. Applying a preset replaces the quantizers of an earlier one; a classifier BatchNorm inserted by an
 * earlier `firstLast: 'quantized'` call stays.
 *
 * @param graph - a full-precision graph, typically from `createModel`
 * @param preset - `fp32`, `bnn`, `xnor` or `dorefa`
 * @param options - `firstLast`
 * @returns the annotated copy
 * @throws RangeError for an unknown preset or `firstLast` value, or when the classifier BatchNorm's name is taken
 * @example
 * ```ts
 * const bnn = applyPrecision(createModel('resnet18-imagenet-paper-a'), 'bnn');
 * summarize(bnn, { convention: 'paper-a' }).totals.bits; // 28182016
 * ```
 */
export function applyPrecision(graph: Graph, preset: PrecisionPreset, options: PrecisionOptions = {}): Graph {
  if (!PRECISION_PRESETS.includes(preset)) {
    throw new RangeError(`applyPrecision: preset must be one of ${PRECISION_PRESETS.join(', ')}, got ${JSON.stringify(preset)}`);
  }
  const firstLast = options.firstLast ?? 'fp32';
  if (firstLast !== 'fp32' && firstLast !== 'quantized') {
    throw new RangeError(`applyPrecision: firstLast must be 'fp32' or 'quantized', got ${JSON.stringify(options.firstLast)}`);
  }
  const out = cloneGraph(graph);
  const byName = new Map(out.layers.map((l) => [l.name, l]));
  const consumers = new Map<string, Layer[]>();
  for (const l of out.layers) for (const i of l.inputs) consumers.set(i, [...(consumers.get(i) ?? []), l]);

  const readsImage = (layer: Layer): boolean => {
    let src = byName.get(layer.inputs[0]!);
    while (src !== undefined && PASS_THROUGH.has(src.kind)) src = byName.get(src.inputs[0]!);
    return src?.kind === 'input';
  };
  const isProjection = (layer: Layer): boolean => {
    if (layer.kind !== 'conv2d' || layer.kernel[0] !== 1 || layer.kernel[1] !== 1) return false;
    const next = consumers.get(layer.name) ?? [];
    return next.some((n) => n.kind === 'add' || (n.kind === 'batchnorm' && (consumers.get(n.name) ?? []).some((m) => m.kind === 'add')));
  };

  /** Whether every path from the layer's output meets a BatchNorm before anything but activations and pooling. */
  const normalized = (name: string): boolean => {
    const next = consumers.get(name) ?? [];
    return next.length > 0 && next.every((n) => n.kind === 'batchnorm' || (ELEMENTWISE.has(n.kind) && normalized(n.name)));
  };

  const weighted = out.layers.filter((l): l is Conv2dLayer | DenseLayer => l.kind === 'conv2d' || l.kind === 'dense');
  const classifier = weighted[weighted.length - 1];
  for (const layer of weighted) {
    delete layer.weightQuantizer;
    delete layer.activationQuantizer;
    if (preset === 'fp32') continue;
    const image = readsImage(layer);
    const keepFp32 =
      firstLast === 'fp32' && (layer === classifier || (image && !FIRST_ALWAYS_QUANTIZED.has(graph.name)));
    if (keepFp32) continue;
    const q = isProjection(layer) ? QUANTIZERS.bnn : QUANTIZERS[preset];
    layer.weightQuantizer = q.weights;
    if (!image) layer.activationQuantizer = q.activations;
  }
  let result = out;
  if (options.insertBatchNorm ?? (preset === 'bnn' || preset === 'xnor')) {
    for (const layer of weighted) {
      if (layer === classifier || layer.weightQuantizer === undefined || normalized(layer.name)) continue;
      result = withBatchNormAfter(result, layer.name, layer.kind === 'conv2d' ? layer.outChannels : layer.outFeatures, `${layer.name}_bn`, true);
    }
  }
  if (preset !== 'fp32' && firstLast === 'quantized' && classifier?.kind === 'dense') {
    return withClassifierBatchNorm(result, classifier, consumers.get(classifier.name) ?? []);
  }
  return result;
}

/** Inserts the BatchNorm1d after a quantized dense classifier unless one follows it already. */
function withClassifierBatchNorm(graph: Graph, classifier: DenseLayer, next: readonly Layer[]): Graph {
  if (next.length === 1 && next[0]!.kind === 'batchnorm') return graph;
  const { name, affine } = CLASSIFIER_BN[graph.name] ?? { name: `${classifier.name}_bn`, affine: true };
  return withBatchNormAfter(graph, classifier.name, classifier.outFeatures, name, affine, 'classifier ');
}

/** Inserts a fresh BatchNorm (γ 1, β 0, mean 0, variance 1) named `name` after layer `after`, rewiring its consumers. */
function withBatchNormAfter(graph: Graph, after: string, channels: number, name: string, affine: boolean, what = ''): Graph {
  if (graph.layers.some((l) => l.name === name)) {
    throw new RangeError(`applyPrecision: cannot add the ${what}BatchNorm "${name}": graph "${graph.name}" already has a layer of that name`);
  }
  const fill = (v: number): { shape: number[]; data: Float32Array } => ({ shape: [channels], data: new Float32Array(channels).fill(v) });
  const bn: BatchNormLayer = {
    kind: 'batchnorm',
    name,
    inputs: [after],
    channels,
    eps: 1e-5,
    momentum: 0.1,
    ...(affine ? { weight: fill(1), bias: fill(0) } : {}),
    runningMean: fill(0),
    runningVar: fill(1),
  };
  const layers = graph.layers.flatMap((l): Layer[] => {
    const rewired = l.inputs.includes(after) ? ({ ...l, inputs: l.inputs.map((i) => (i === after ? name : i)) } as Layer) : l;
    return l.name === after ? [l, bn] : [rewired];
  });
  return { name: graph.name, layers, output: graph.output === after ? name : graph.output };
}
