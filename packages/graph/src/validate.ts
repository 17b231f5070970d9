/**
 * Complete structural validation of a {@link Graph}: topology, attributes, every tensor and annotation, then
 * shapes ({@link inferShapes}).
 */
import { GraphError } from './errors.ts';
import { inferShapes } from './shape-inference.ts';
import type { Annotations, Graph, Layer, QuantizerSpec, Tensor } from './types.ts';

const KINDS: ReadonlySet<string> = new Set([
  'input', 'conv2d', 'dense', 'batchnorm', 'relu', 'prelu', 'hardtanh', 'sign',
  'maxpool', 'avgpool', 'globalavgpool', 'add', 'flatten', 'shortcut-pad',
]);
const QUANTIZERS: ReadonlySet<string> = new Set(['binary', 'xnor', 'dorefa', 'uniform', 'lsq']);

/**
 * Checks that a graph is well formed, in this order:
 * 1. `name` is a string, `layers` a non-empty array of objects with a known `kind`, a string `name` and an
 *    `inputs` array of strings;
 * 2. layer names are unique and non-empty, every input names an EARLIER layer (topological order), exactly one
 *    layer is an `input` (and it is the only layer without inputs), `output` names a layer;
 * 3. attributes: positive integer channel/feature counts, `groups` a positive integer dividing `inChannels` and
 *    `outChannels`, BatchNorm `eps` > 0 and `momentum` in [0, 1], hardtanh `min` < `max`;
 * 4. tensors: every `data` is a Float32Array of length product(shape), with the shape the attributes imply
 *    (conv `[out, in/groups, kh, kw]`, bias `[out]`, dense `[out, in]`, BatchNorm γ/β/mean/var `[channels]` with γ
 *    and β both present or both absent, running variances ≥ 0, prelu `[1]` or `[C]`);
 * 5. annotations of conv/dense: `mask` a Uint8Array of 0/1 with one entry per weight, `channelMask` a Uint8Array
 *    of 0/1 with one entry per output channel, quantizer specs with a known name and an integer bit-width in [1, 32];
 * 6. shapes ({@link inferShapes}).
 *
 * @param graph - the graph to check
 * @throws GraphError naming the first offending layer and what is wrong
 * @example
 * ```ts
 * validateGraph(graph); // throws GraphError: layer "layer1.0.bn1": runningMean has shape [15] but batchnorm has 16 channels
 * ```
 */
export function validateGraph(graph: Graph): void {
  if (typeof graph !== 'object' || graph === null) throw new GraphError(`a graph must be an object, got ${graph === null ? 'null' : typeof graph}`);
  if (typeof graph.name !== 'string') throw new GraphError(`graph.name must be a string, got ${typeof graph.name}`);
  if (!Array.isArray(graph.layers) || graph.layers.length === 0) throw new GraphError('graph.layers must be a non-empty array');
  const seen = new Set<string>();
  const inputLayers: string[] = [];
  graph.layers.forEach((layer, i) => {
    if (typeof layer !== 'object' || layer === null) throw new GraphError(`layer ${i} must be an object`);
    const name = (layer as { name: unknown }).name;
    if (typeof name !== 'string' || name === '') throw new GraphError(`layer ${i} must have a non-empty string name, got ${JSON.stringify(name)}`);
    if (!KINDS.has(layer.kind)) throw new GraphError(`unknown layer kind ${JSON.stringify(layer.kind)}`, name);
    if (seen.has(name)) throw new GraphError('duplicate layer name (names must be unique)', name);
    if (!Array.isArray(layer.inputs) || layer.inputs.some((x) => typeof x !== 'string')) {
      throw new GraphError('inputs must be an array of layer names', name);
    }
    for (const input of layer.inputs) {
      if (!seen.has(input)) {
        const later = graph.layers.slice(i).some((l) => l?.name === input);
        throw new GraphError(
          later
            ? `input "${input}" comes later in graph.layers (layers must be listed in topological order)`
            : `input "${input}" does not exist`,
          name,
        );
      }
    }
    if (layer.kind === 'input') inputLayers.push(name);
    else if (layer.inputs.length === 0) throw new GraphError(`a ${layer.kind} layer needs at least one input`, name);
    seen.add(name);
  });
  if (inputLayers.length !== 1) {
    throw new GraphError(`a graph needs exactly one input layer, found ${inputLayers.length}${inputLayers.length > 0 ? ` (${inputLayers.map((n) => `"${n}"`).join(', ')})` : ''}`);
  }
  if (typeof graph.output !== 'string' || !seen.has(graph.output)) {
    throw new GraphError(`graph.output ${JSON.stringify(graph.output)} does not name a layer`);
  }
  for (const layer of graph.layers) checkLayer(layer);
  inferShapes(graph);
}

function positiveInt(layer: Layer, what: string, v: unknown): number {
  if (!Number.isSafeInteger(v) || (v as number) <= 0) throw new GraphError(`${what} must be a positive integer, got ${JSON.stringify(v)}`, layer.name);
  return v as number;
}

function checkLayer(layer: Layer): void {
  switch (layer.kind) {
    case 'conv2d': {
      const out = positiveInt(layer, 'outChannels', layer.outChannels);
      const inC = positiveInt(layer, 'inChannels', layer.inChannels);
      const g = positiveInt(layer, 'groups', layer.groups);
      if (inC % g !== 0 || out % g !== 0) {
        throw new GraphError(`groups ${g} must divide both inChannels ${inC} and outChannels ${out}`, layer.name);
      }
      const k = layer.kernel;
      if (!Array.isArray(k) || k.length !== 2 || !k.every((v) => Number.isSafeInteger(v) && v > 0)) {
        throw new GraphError(`kernel must be two positive integers, got ${JSON.stringify(k)}`, layer.name);
      }
      checkTensor(layer, 'weight', layer.weight, [out, inC / g, k[0], k[1]]);
      if (layer.bias !== undefined) checkTensor(layer, 'bias', layer.bias, [out]);
      checkAnnotations(layer, layer, layer.weight.data.length, out);
      return;
    }
    case 'dense': {
      const out = positiveInt(layer, 'outFeatures', layer.outFeatures);
      const inF = positiveInt(layer, 'inFeatures', layer.inFeatures);
      checkTensor(layer, 'weight', layer.weight, [out, inF]);
      if (layer.bias !== undefined) checkTensor(layer, 'bias', layer.bias, [out]);
      checkAnnotations(layer, layer, layer.weight.data.length, out);
      return;
    }
    case 'batchnorm': {
      const c = positiveInt(layer, 'channels', layer.channels);
      if (!(Number.isFinite(layer.eps) && layer.eps > 0)) throw new GraphError(`eps must be a finite number > 0, got ${layer.eps}`, layer.name);
      if (!(layer.momentum >= 0 && layer.momentum <= 1)) throw new GraphError(`momentum must be in [0, 1], got ${layer.momentum}`, layer.name);
      if ((layer.weight === undefined) !== (layer.bias === undefined)) {
        throw new GraphError('weight (γ) and bias (β) must both be present (affine) or both absent', layer.name);
      }
      if (layer.weight !== undefined) checkTensor(layer, 'weight', layer.weight, [c]);
      if (layer.bias !== undefined) checkTensor(layer, 'bias', layer.bias, [c]);
      checkTensor(layer, 'runningMean', layer.runningMean, [c]);
      checkTensor(layer, 'runningVar', layer.runningVar, [c]);
      const bad = layer.runningVar.data.findIndex((v) => !(v >= 0));
      if (bad >= 0) throw new GraphError(`runningVar[${bad}] is ${layer.runningVar.data[bad]}, variances must be ≥ 0`, layer.name);
      return;
    }
    case 'prelu': {
      const shape = layer.weight?.shape;
      if (!Array.isArray(shape) || shape.length !== 1) {
        throw new GraphError(`prelu slopes must have shape [1] or [channels], got ${JSON.stringify(shape)}`, layer.name);
      }
      checkTensor(layer, 'weight', layer.weight, shape);
      return;
    }
    case 'hardtanh':
      if (!(Number.isFinite(layer.min) && Number.isFinite(layer.max) && layer.min < layer.max)) {
        throw new GraphError(`hardtanh needs finite min < max, got min ${layer.min} and max ${layer.max}`, layer.name);
      }
      return;
    default:
      return;
  }
}

function checkTensor(layer: Layer, what: string, t: Tensor | undefined, shape: readonly number[]): void {
  if (typeof t !== 'object' || t === null) throw new GraphError(`${what} is missing`, layer.name);
  if (!Array.isArray(t.shape) || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new GraphError(`${what} has shape ${JSON.stringify(t.shape)} but the layer's attributes need [${shape.join(', ')}]`, layer.name);
  }
  if (!(t.data instanceof Float32Array)) throw new GraphError(`${what}.data must be a Float32Array`, layer.name);
  const n = shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== n) throw new GraphError(`${what}.data has ${t.data.length} elements but shape [${shape.join(', ')}] needs ${n}`, layer.name);
}

function checkMask(layer: Layer, what: string, m: Uint8Array, n: number, unit: string): void {
  if (!(m instanceof Uint8Array)) throw new GraphError(`${what} must be a Uint8Array`, layer.name);
  if (m.length !== n) throw new GraphError(`${what} has ${m.length} entries but the layer has ${n} ${unit}`, layer.name);
  const bad = m.findIndex((v) => v > 1);
  if (bad >= 0) throw new GraphError(`${what}[${bad}] is ${m[bad]}, entries must be 0 (pruned) or 1 (kept)`, layer.name);
}

function checkAnnotations(layer: Layer, a: Annotations, weights: number, outputs: number): void {
  if (a.mask !== undefined) checkMask(layer, 'mask', a.mask, weights, 'weights');
  if (a.channelMask !== undefined) checkMask(layer, 'channelMask', a.channelMask, outputs, 'output channels');
  checkQuantizer(layer, 'weightQuantizer', a.weightQuantizer);
  checkQuantizer(layer, 'activationQuantizer', a.activationQuantizer);
}

function checkQuantizer(layer: Layer, what: string, q: QuantizerSpec | undefined): void {
  if (q === undefined) return;
  if (typeof q !== 'object' || q === null || !QUANTIZERS.has(q.name)) {
    throw new GraphError(`${what} must name one of ${[...QUANTIZERS].join(', ')}, got ${JSON.stringify(q?.name)}`, layer.name);
  }
  if (!Number.isInteger(q.bits) || q.bits < 1 || q.bits > 32) throw new GraphError(`${what}.bits must be an integer in [1, 32], got ${JSON.stringify(q.bits)}`, layer.name);
  if (q.options !== undefined && (typeof q.options !== 'object' || q.options === null || Array.isArray(q.options))) {
    throw new GraphError(`${what}.options must be an object`, layer.name);
  }
}
