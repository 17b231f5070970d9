/**
 * Torch-style parameter names: `<layer name>.weight`, `.bias`, `.running_mean`, `.running_var`.
 *
 * | layer | parameters, in this order |
 * |---|---|
 * | `conv2d`, `dense` | `weight`, `bias` (when present) |
 * | `batchnorm` | `weight` (γ) and `bias` (β) when affine, `running_mean`, `running_var` |
 * | `prelu` | `weight` (slopes) |
 *
 * These are the names of `state_dict()` in PyTorch for the same modules (minus `num_batches_tracked`), the keys of
 * {@link WeightMap} in the {@link Trainer} interface, and the tensor names of {@link saveGraph} files.
 */
import type { Graph, Layer, Tensor } from './types.ts';

const SUFFIXES = ['weight', 'bias', 'running_mean', 'running_var'] as const;
type Suffix = (typeof SUFFIXES)[number];

function layerParam(layer: Layer, suffix: Suffix): Tensor | undefined {
  switch (layer.kind) {
    case 'conv2d':
    case 'dense':
      return suffix === 'weight' ? layer.weight : suffix === 'bias' ? layer.bias : undefined;
    case 'batchnorm':
      return suffix === 'weight' ? layer.weight : suffix === 'bias' ? layer.bias : suffix === 'running_mean' ? layer.runningMean : layer.runningVar;
    case 'prelu':
      return suffix === 'weight' ? layer.weight : undefined;
    default:
      return undefined;
  }
}

/**
 * The parameter names of a graph, layer by layer in graph order.
 *
 * @param graph - the model
 * @returns names such as `conv1.weight`, `bn1.running_var`
 * @example
 * ```ts
 * paramNames(graph).slice(0, 5); // ['conv1.weight', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var']
 * ```
 */
export function paramNames(graph: Graph): string[] {
  const names: string[] = [];
  for (const layer of graph.layers) {
    for (const s of SUFFIXES) if (layerParam(layer, s) !== undefined) names.push(`${layer.name}.${s}`);
  }
  return names;
}

function resolve(fn: string, graph: Graph, name: string): Tensor {
  if (typeof name !== 'string') throw new TypeError(`${fn}: name must be a string, got ${typeof name}`);
  const dot = name.lastIndexOf('.');
  const layerName = name.slice(0, Math.max(dot, 0));
  const suffix = name.slice(dot + 1);
  const layer = graph.layers.find((l) => l.name === layerName);
  if (dot <= 0 || !(SUFFIXES as readonly string[]).includes(suffix)) {
    throw new RangeError(`${fn}: "${name}" is not a parameter name (expected "<layer>.${SUFFIXES.join('|')}")`);
  }
  if (layer === undefined) throw new RangeError(`${fn}: no layer "${layerName}" in graph "${graph.name}" for parameter "${name}"`);
  const t = layerParam(layer, suffix as Suffix);
  if (t === undefined) throw new RangeError(`${fn}: ${layer.kind} layer "${layerName}" has no parameter "${suffix}"`);
  return t;
}

/**
 * The tensor behind a parameter name (the graph's own object, not a copy).
 *
 * @param graph - the model
 * @param name - a name from {@link paramNames}
 * @returns the tensor
 * @throws RangeError naming the parameter when the layer or the parameter does not exist
 */
export function getParam(graph: Graph, name: string): Tensor {
  return resolve('getParam', graph, name);
}

/**
 * Replaces a parameter's values with a copy of `data` (the shape is unchanged; the new buffer is not shared with
 * `data` nor with any other graph).
 *
 * @param graph - the model, modified in place
 * @param name - a name from {@link paramNames}
 * @param data - new values, row-major, exactly as many as the tensor has
 * @throws RangeError when the parameter does not exist or `data` has the wrong length; TypeError when `data` is
 *   not a Float32Array
 */
export function setParam(graph: Graph, name: string, data: Float32Array): void {
  const t = resolve('setParam', graph, name);
  if (!(data instanceof Float32Array)) throw new TypeError(`setParam: data for "${name}" must be a Float32Array`);
  if (data.length !== t.data.length) {
    throw new RangeError(`setParam: "${name}" has shape [${t.shape.join(', ')}] (${t.data.length} values), got ${data.length} values`);
  }
  t.data = Float32Array.from(data);
}
