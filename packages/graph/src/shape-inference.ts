/**
 * Shape inference: the per-sample output shape of every layer, with PyTorch semantics.
 *
 * | layer | input | output |
 * |---|---|---|
 * | `input` | — | its `shape` |
 * | `conv2d` | `[inChannels, H, W]` | `[outChannels, Ho, Wo]`, `Ho = ⌊(H + pt + pb − d·(k − 1) − 1) / s⌋ + 1` |
 * | `maxpool`, `avgpool` | `[C, H, W]` | `[C, Ho, Wo]` (same formula, d = 1, floor mode; each pad must be < kernel) |
 * | `globalavgpool` | `[C, H, W]` | `[C]` (no trailing 1×1: a dense layer may follow directly) |
 * | `dense` | `[inFeatures]` (exactly rank 1: put a `flatten` before it) | `[outFeatures]` |
 * | `batchnorm` | `[channels, …]` | same |
 * | `prelu` | `[C, …]` with slopes `[1]` or `[C]` | same |
 * | `relu`, `hardtanh`, `sign` | any | same |
 * | `add` | two or more equal shapes | that shape |
 * | `flatten` | any | `[product]` |
 * | `shortcut-pad` | `[C, H, W]` | `[before + C + after, ⌈H / s⌉, ⌈W / s⌉]` (`x[:, ::s, ::s]`, zero channels) |
 */
import { GraphError } from './errors.ts';
import type { Graph, Layer, Pad4 } from './types.ts';

/**
 * Output length of a convolution or pooling window along one axis (PyTorch, floor mode).
 *
 * @param size - input length
 * @param kernel - window length
 * @param stride - step
 * @param padBefore - zero padding before the first element
 * @param padAfter - zero padding after the last element
 * @param dilation - spacing of the window's taps (1 = dense)
 * @returns `⌊(size + padBefore + padAfter − dilation·(kernel − 1) − 1) / stride⌋ + 1`, which may be ≤ 0 when the
 *   window does not fit
 */
export function convOutputSize(size: number, kernel: number, stride: number, padBefore: number, padAfter: number, dilation = 1): number {
  return Math.floor((size + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride) + 1;
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function isPositiveInt(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) > 0;
}

function checkPair(layer: Layer, what: string, v: readonly number[] | undefined, min: number): readonly [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || v.some((x) => !Number.isSafeInteger(x) || x < min)) {
    throw new GraphError(`${what} must be two integers ≥ ${min}, got ${JSON.stringify(v)}`, layer.name);
  }
  return v as unknown as readonly [number, number];
}

function checkPad(layer: Layer, p: Pad4 | undefined): Pad4 {
  if (!Array.isArray(p) || p.length !== 4 || p.some((x) => !Number.isSafeInteger(x) || x < 0)) {
    throw new GraphError(`padding must be four non-negative integers [top, bottom, left, right], got ${JSON.stringify(p)}`, layer.name);
  }
  return p;
}

/**
 * Infers the per-sample output shape of every layer (see the table in this module's documentation).
 *
 * Only what shapes depend on is checked here — arity, input names, window attributes, channel and feature counts;
 * {@link validateGraph} additionally checks weight tensors, masks and groups.
 *
 * @param graph - layers in topological order
 * @returns a map from layer name to its output shape, in layer order
 * @throws GraphError naming the layer, its inputs' shapes and the mismatch (for example a conv whose input
 *   has the wrong channel count, an `add` of different shapes, a dense layer not preceded by `flatten`)
 * @example
 * ```ts
 * inferShapes(graph).get('fc'); // [10]
 * ```
 */
export function inferShapes(graph: Graph): Map<string, readonly number[]> {
  const shapes = new Map<string, readonly number[]>();
  for (const layer of graph.layers) {
    if (shapes.has(layer.name)) throw new GraphError('duplicate layer name (names must be unique)', layer.name);
    shapes.set(layer.name, layerShape(layer, shapes));
  }
  return shapes;
}

function layerShape(layer: Layer, shapes: ReadonlyMap<string, readonly number[]>): readonly number[] {
  const name = layer.name;
  const inputs = Array.isArray(layer.inputs) ? layer.inputs : [];
  if (layer.kind === 'input') {
    if (inputs.length !== 0) throw new GraphError(`an input layer takes no inputs, got ${JSON.stringify(inputs)}`, name);
    if (!Array.isArray(layer.shape) || layer.shape.length === 0 || !layer.shape.every(isPositiveInt)) {
      throw new GraphError(`input shape must be a non-empty list of positive integers, got ${JSON.stringify(layer.shape)}`, name);
    }
    return [...layer.shape];
  }
  const arity = layer.kind === 'add' ? 'two or more' : 'exactly one';
  if (layer.kind === 'add' ? inputs.length < 2 : inputs.length !== 1) {
    throw new GraphError(`${layer.kind} takes ${arity} input(s), got ${JSON.stringify(inputs)}`, name);
  }
  const ins = inputs.map((i) => {
    const s = shapes.get(i);
    if (s === undefined) {
      throw new GraphError(`input "${i}" is not an earlier layer (layers must be listed in topological order)`, name);
    }
    return s;
  });
  const x = ins[0]!;
  const src = `its input "${inputs[0]}" produces ${fmt(x)}`;
  const needCHW = (): [number, number, number] => {
    if (x.length !== 3) throw new GraphError(`${layer.kind} needs a [C, H, W] input but ${src}`, name);
    return x as unknown as [number, number, number];
  };
  switch (layer.kind) {
    case 'conv2d': {
      const [c, h, w] = needCHW();
      if (!isPositiveInt(layer.inChannels) || !isPositiveInt(layer.outChannels)) {
        throw new GraphError(`inChannels and outChannels must be positive integers, got ${layer.inChannels} and ${layer.outChannels}`, name);
      }
      if (c !== layer.inChannels) throw new GraphError(`conv2d expects ${layer.inChannels} input channels but ${src}`, name);
      const k = checkPair(layer, 'kernel', layer.kernel, 1);
      const s = checkPair(layer, 'stride', layer.stride, 1);
      const d = checkPair(layer, 'dilation', layer.dilation, 1);
      const p = checkPad(layer, layer.padding);
      const ho = convOutputSize(h, k[0], s[0], p[0], p[1], d[0]);
      const wo = convOutputSize(w, k[1], s[1], p[2], p[3], d[1]);
      if (ho < 1 || wo < 1) {
        throw new GraphError(`the ${k[0]}×${k[1]} kernel (dilation ${d.join('×')}, padding ${fmt(p)}) does not fit: ${src}`, name);
      }
      return [layer.outChannels, ho, wo];
    }
    case 'maxpool':
    case 'avgpool': {
      const [c, h, w] = needCHW();
      const k = checkPair(layer, 'kernel', layer.kernel, 1);
      const s = checkPair(layer, 'stride', layer.stride, 1);
      const p = checkPad(layer, layer.padding);
      if (p[0] >= k[0] || p[1] >= k[0] || p[2] >= k[1] || p[3] >= k[1]) {
        throw new GraphError(`each padding ${fmt(p)} must be smaller than the kernel ${k.join('×')} (a window must see at least one input element)`, name);
      }
      const ho = convOutputSize(h, k[0], s[0], p[0], p[1]);
      const wo = convOutputSize(w, k[1], s[1], p[2], p[3]);
      if (ho < 1 || wo < 1) throw new GraphError(`the ${k[0]}×${k[1]} window does not fit: ${src}`, name);
      return [c, ho, wo];
    }
    case 'globalavgpool':
      return [needCHW()[0]];
    case 'dense': {
      if (!isPositiveInt(layer.inFeatures) || !isPositiveInt(layer.outFeatures)) {
        throw new GraphError(`inFeatures and outFeatures must be positive integers, got ${layer.inFeatures} and ${layer.outFeatures}`, name);
      }
      if (x.length !== 1 || x[0] !== layer.inFeatures) {
        const hint = x.length === 1 ? '' : ' (add a flatten layer before it)';
        throw new GraphError(`dense expects an input of [${layer.inFeatures}] but ${src}${hint}`, name);
      }
      return [layer.outFeatures];
    }
    case 'batchnorm':
      if (x[0] !== layer.channels) throw new GraphError(`batchnorm has ${layer.channels} channels but ${src}`, name);
      return x;
    case 'prelu': {
      const n = layer.weight?.shape?.[0];
      if (layer.weight?.shape?.length !== 1 || (n !== 1 && n !== x[0])) {
        throw new GraphError(`prelu slopes must have shape [1] or [${x[0]}] but have ${JSON.stringify(layer.weight?.shape)}; ${src}`, name);
      }
      return x;
    }
    case 'relu':
    case 'hardtanh':
    case 'sign':
      return x;
    case 'add':
      ins.forEach((s, i) => {
        if (s.length !== x.length || s.some((v, j) => v !== x[j])) {
          const all = inputs.map((n, j) => `"${n}" ${fmt(ins[j]!)}`).join(', ');
          throw new GraphError(`add needs equal shapes but input ${i} differs: ${all}`, name);
        }
      });
      return x;
    case 'flatten':
      return [x.reduce((a, b) => a * b, 1)];
    case 'shortcut-pad': {
      const [c, h, w] = needCHW();
      if (!isPositiveInt(layer.stride) || !Number.isSafeInteger(layer.before) || layer.before < 0 || !Number.isSafeInteger(layer.after) || layer.after < 0) {
        throw new GraphError(`shortcut-pad needs a positive integer stride and non-negative integer before/after, got ${layer.stride}, ${layer.before}, ${layer.after}`, name);
      }
      return [layer.before + c + layer.after, Math.ceil(h / layer.stride), Math.ceil(w / layer.stride)];
    }
    default:
      throw new GraphError(`unknown layer kind ${JSON.stringify((layer as { kind: unknown }).kind)}`, name);
  }
}
