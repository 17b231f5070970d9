/**
 * A graph in one `.qpk` file (@quantprune/formats): topology as JSON in the container's header metadata, tensors
 * as container tensors.
 *
 * File layout:
 * - `metadata.format` = `"quantprune-graph"`, `metadata.version` = 1, `metadata.graph` = `{ name, output, layers }`;
 *   each layer is its IR object with every tensor field (`weight`, `bias`, `runningMean`, `runningVar`, `mask`,
 *   `channelMask`) replaced by the NAME of a container tensor; all other attributes and quantizer annotations
 *   verbatim;
 * - parameters are raw float32 tensors under their torch-style names ({@link paramNames}: `conv1.weight`,
 *   `bn1.running_mean`, …), so the file reads like a `state_dict`;
 * - element masks are `<layer>.weight_mask` and channel masks `<layer>.channel_mask` (torch's pruning naming),
 *   both stored as 1-bit unsigned affine codes (scale 1, zero point 0): 1 bit per entry.
 *
 * A tensor object shared by several layers (Paper A's one PReLU applied twice per block) is written once, under
 * the first layer's name, and every sharing layer references it; {@link loadGraph} gives them one shared object again.
 * {@link loadGraph} also accepts parameters in any encoding that decodes to float32 (quantized, sparse), so a
 * compressed export can be read back as floats.
 */
import { affineQuantization, decodeContainer, encodeContainer, type DecodedContainer, type TensorInput } from '@quantprune/formats';
import { GraphError } from './errors.ts';
import type { Graph, Layer, Tensor } from './types.ts';
import { validateGraph } from './validate.ts';

const FORMAT = 'quantprune-graph';
const VERSION = 1;
const TENSOR_FIELDS: Readonly<Partial<Record<string, string>>> = { weight: 'weight', bias: 'bias', runningMean: 'running_mean', runningVar: 'running_var' };
const MASK_FIELDS: Readonly<Partial<Record<string, string>>> = { mask: 'weight_mask', channelMask: 'channel_mask' };
const ANNOTATIONS = ['mask', 'channelMask', 'weightQuantizer', 'activationQuantizer'];
/** Attributes of each kind besides kind, name and inputs (`?` = optional). */
const ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  input: ['shape'],
  conv2d: ['inChannels', 'outChannels', 'kernel', 'stride', 'padding', 'dilation', 'groups', 'weight', 'bias?', ...ANNOTATIONS.map((a) => `${a}?`)],
  dense: ['inFeatures', 'outFeatures', 'weight', 'bias?', ...ANNOTATIONS.map((a) => `${a}?`)],
  batchnorm: ['channels', 'eps', 'momentum', 'weight?', 'bias?', 'runningMean', 'runningVar'],
  relu: [],
  prelu: ['weight'],
  hardtanh: ['min', 'max'],
  sign: [],
  maxpool: ['kernel', 'stride', 'padding'],
  avgpool: ['kernel', 'stride', 'padding'],
  globalavgpool: [],
  add: [],
  flatten: [],
  'shortcut-pad': ['stride', 'before', 'after'],
};

/** Options of {@link saveGraph}. */
export interface SaveGraphOptions {
  /** Extra JSON metadata (recipe, accuracy, …); the keys `format`, `version` and `graph` are reserved. */
  readonly metadata?: Record<string, unknown>;
}

/**
 * Writes a graph — topology, weights, BatchNorm statistics, masks and quantizer annotations — into a `.qpk` file.
 *
 * @param graph - a valid graph
 * @param options - extra metadata
 * @returns the file bytes
 * @throws GraphError for an invalid graph; RangeError when `options.metadata` uses a reserved key
 * @example
 * ```ts
 * writeFileSync('model.qpk', saveGraph(graph, { metadata: { top1: 0.9123 } }));
 * ```
 */
export function saveGraph(graph: Graph, options: SaveGraphOptions = {}): Uint8Array {
  validateGraph(graph);
  const extra = options.metadata ?? {};
  for (const key of ['format', 'version', 'graph']) {
    if (key in extra) throw new RangeError(`saveGraph: metadata key "${key}" is reserved`);
  }
  const tensors: TensorInput[] = [];
  const bit = affineQuantization(1, 1, 0);
  const written = new Map<object, string>();
  const layers = graph.layers.map((layer) => {
    const json: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      const tensorField = TENSOR_FIELDS[key] ?? MASK_FIELDS[key];
      if (tensorField !== undefined) {
        // A tensor object shared by several layers is written once and referenced by each.
        let name = written.get(value as object);
        if (name === undefined) {
          name = `${layer.name}.${tensorField}`;
          written.set(value as object, name);
          tensors.push(
            key in TENSOR_FIELDS
              ? { name, shape: (value as Tensor).shape, data: (value as Tensor).data }
              : { name, shape: [(value as Uint8Array).length], codes: value as Uint8Array, quantization: bit },
          );
        }
        json[key] = name;
      } else {
        json[key] = value;
      }
    }
    return json;
  });
  return encodeContainer(tensors, { metadata: { ...extra, format: FORMAT, version: VERSION, graph: { name: graph.name, output: graph.output, layers } } });
}

/**
 * Reads a graph written by {@link saveGraph}. The container is validated by `decodeContainer` (magic, CRCs,
 * bounds), then the topology: known layer kinds, exactly the attributes each kind has, tensor references to
 * existing tensors, no unreferenced tensors, and finally {@link validateGraph}. Tensors are copied out of `bytes`.
 *
 * @param bytes - the file
 * @returns the graph
 * @throws FormatError (from @quantprune/formats) for a damaged container; GraphError for a container that holds no
 *   valid graph (message names the layer and what is wrong)
 */
export function loadGraph(bytes: Uint8Array): Graph {
  const c = decodeContainer(bytes);
  const meta = c.metadata;
  if (meta['format'] !== FORMAT) throw new GraphError(`not a quantprune graph file: metadata.format is ${JSON.stringify(meta['format'])}, expected "${FORMAT}"`);
  if (meta['version'] !== VERSION) throw new GraphError(`unsupported graph file version ${JSON.stringify(meta['version'])} (this reader understands ${VERSION})`);
  const g = meta['graph'];
  if (!isObject(g) || !Array.isArray(g['layers'])) throw new GraphError('metadata.graph must be an object with a layers array');
  if (typeof g['name'] !== 'string' || typeof g['output'] !== 'string') throw new GraphError('metadata.graph needs string name and output');
  const loaded = new Map<string, Tensor | Uint8Array>();
  const layers = (g['layers'] as unknown[]).map((raw, i) => readLayer(raw, i, c, loaded));
  const unused = c.tensors.find((t) => !loaded.has(t.name));
  if (unused !== undefined) throw new GraphError(`tensor "${unused.name}" is not referenced by any layer (file written by another tool?)`);
  const graph: Graph = { name: g['name'], layers, output: g['output'] };
  validateGraph(graph);
  return graph;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readLayer(raw: unknown, index: number, c: DecodedContainer, loaded: Map<string, Tensor | Uint8Array>): Layer {
  if (!isObject(raw)) throw new GraphError(`metadata.graph.layers[${index}] must be an object`);
  const name = raw['name'];
  if (typeof name !== 'string' || name === '') throw new GraphError(`metadata.graph.layers[${index}] needs a non-empty string name`);
  const kind = raw['kind'];
  const attributes = typeof kind === 'string' && Object.hasOwn(ATTRIBUTES, kind) ? ATTRIBUTES[kind]! : undefined;
  if (attributes === undefined) throw new GraphError(`unknown layer kind ${JSON.stringify(kind)}`, name);
  const allowed = new Set(['kind', 'name', 'inputs', ...attributes.map((a) => a.replace('?', ''))]);
  const extra = Object.keys(raw).find((k) => !allowed.has(k));
  if (extra !== undefined) throw new GraphError(`a ${kind} layer has no attribute "${extra}"`, name);
  for (const a of attributes) if (!a.endsWith('?') && !(a in raw)) throw new GraphError(`${kind} attribute "${a}" is missing`, name);
  const layer: Record<string, unknown> = { ...raw };
  for (const key of [...Object.keys(TENSOR_FIELDS), ...Object.keys(MASK_FIELDS)]) {
    if (!(key in raw)) continue;
    const ref = raw[key];
    const t = typeof ref === 'string' ? c.get(ref) : undefined;
    if (t === undefined) throw new GraphError(`${key} refers to ${JSON.stringify(ref)}, which is not a tensor of the file`, name);
    const isMask = key in MASK_FIELDS;
    let value = loaded.get(t.name);
    if (value === undefined) {
      value = isMask ? readMask(t, key, name) : readFloat(t, key, name);
      loaded.set(t.name, value); // layers referencing the same tensor share one object, as when saved
    }
    if (isMask !== (value instanceof Uint8Array)) throw new GraphError(`${key} refers to "${t.name}", which is also used as a ${isMask ? 'parameter' : 'mask'}`, name);
    layer[key] = value;
  }
  return layer as unknown as Layer;
}

type FileTensor = NonNullable<ReturnType<DecodedContainer['get']>>;

function readFloat(t: FileTensor, key: string, layer: string): Tensor {
  const values = t.values();
  if (!(values instanceof Float32Array)) throw new GraphError(`${key} tensor "${t.name}" decodes to ${t.encoding.dtype}, not float32`, layer);
  return { shape: [...t.shape], data: Float32Array.from(values) };
}

function readMask(t: FileTensor, key: string, layer: string): Uint8Array {
  const v = t.encoding.values;
  const codes = t.codes();
  if (v.kind !== 'affine' || v.bits !== 1 || v.signed || t.shape.length !== 1 || !(codes instanceof Uint8Array)) {
    throw new GraphError(`${key} tensor "${t.name}" must be a 1-D tensor of 1-bit unsigned codes`, layer);
  }
  return Uint8Array.from(codes);
}
