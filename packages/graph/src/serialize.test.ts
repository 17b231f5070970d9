import { affineQuantization, decodeContainer, encodeContainer, FormatError, type TensorInput } from '@quantprune/formats';
import { describe, expect, test } from 'vitest';
import { GraphError } from './errors.ts';
import { forward } from './forward.ts';
import { loadGraph, saveGraph } from './serialize.ts';
import { graphOf, plainChain, randomArray, resnetCifar, rng } from './test-graphs.ts';
import type { BatchNormLayer, Conv2dLayer, DenseLayer, Graph, Layer } from './types.ts';

/** A graph using every layer kind and annotation. */
function everything(): Graph {
  const g = plainChain(3);
  const conv1 = g.layers[1] as Conv2dLayer;
  conv1.mask = Uint8Array.from(conv1.weight.data, (v) => (v > -0.5 ? 1 : 0));
  conv1.channelMask = Uint8Array.of(1, 1, 0, 1, 1, 1);
  conv1.weightQuantizer = { name: 'xnor', bits: 1, options: { signOfZero: 1 } };
  conv1.activationQuantizer = { name: 'dorefa', bits: 2, options: { variant: 'clip' } };
  const fc = g.layers[g.layers.length - 1] as DenseLayer;
  fc.weightQuantizer = { name: 'uniform', bits: 8 };
  const bn2 = g.layers[5] as BatchNormLayer;
  g.layers[5] = { ...bn2, weight: undefined, bias: undefined } as BatchNormLayer; // non-affine
  const extra: Layer[] = [
    { kind: 'hardtanh', name: 'ht', inputs: ['fc'], min: -1, max: 1 },
    { kind: 'sign', name: 'sg', inputs: ['ht'] },
    { kind: 'add', name: 'sum', inputs: ['sg', 'fc'] },
  ];
  return { ...g, layers: [...g.layers, ...extra], output: 'sum' };
}

/** Re-encodes a file with its metadata edited (and tensors possibly replaced). */
function rewrite(bytes: Uint8Array, edit: (meta: Record<string, any>) => void, tensors?: (t: TensorInput[]) => TensorInput[]): Uint8Array {
  const c = decodeContainer(bytes);
  const meta = structuredClone(c.metadata) as Record<string, any>;
  edit(meta);
  let list: TensorInput[] = c.tensors.map((t) =>
    t.quantization === null ? { name: t.name, shape: t.shape, data: t.values() } : { name: t.name, shape: t.shape, codes: t.codes()!, quantization: t.quantization },
  );
  if (tensors) list = tensors(list);
  return encodeContainer(list, { metadata: meta });
}

describe('saveGraph / loadGraph', () => {
  test('round trip of every layer kind, masks, quantizers and metadata', () => {
    const g = everything();
    const bytes = saveGraph(g, { metadata: { top1: 0.5 } });
    const back = loadGraph(bytes);
    expect(back).toEqual(g);
    expect(back.layers[1]).not.toBe(g.layers[1]);
    // the file reads like a state_dict
    const c = decodeContainer(bytes);
    expect(c.tensors.map((t) => t.name).slice(0, 6)).toEqual(['conv1.weight', 'conv1.bias', 'conv1.weight_mask', 'conv1.channel_mask', 'bn1.weight', 'bn1.bias']);
    expect(c.get('conv1.weight_mask')!.encoding.values).toMatchObject({ kind: 'affine', bits: 1 });
    expect(c.get('conv1.weight_mask')!.length).toBe(32); // 8 bytes of scale and zero point + 162 bits in 21 bytes padded to 24
    expect(c.metadata['top1']).toBe(0.5);
    // loaded tensors do not alias the file
    bytes.fill(0);
    expect(back).toEqual(g);
  });

  test('a ResNet-20 survives the round trip bit for bit and computes the same output', () => {
    const g = resnetCifar(4);
    const back = loadGraph(saveGraph(g));
    const x = randomArray(3 * 32 * 32, rng(4));
    expect(Array.from(forward(back, x, 1))).toEqual(Array.from(forward(g, x, 1)));
  });

  test('a tensor shared by two layers is written once and shared again after loading', () => {
    const g = plainChain();
    const slope = { shape: [1], data: Float32Array.of(0.25) };
    g.layers.splice(4, 0, { kind: 'prelu', name: 'p1', inputs: ['relu1'], weight: slope });
    g.layers.splice(5, 0, { kind: 'prelu', name: 'p2', inputs: ['p1'], weight: slope });
    g.layers[6] = { ...(g.layers[6] as Conv2dLayer), inputs: ['p2'] };
    const bytes = saveGraph(g);
    expect(decodeContainer(bytes).tensors.filter((t) => t.name.startsWith('p')).map((t) => t.name)).toEqual(['p1.weight', 'prelu2.weight']);
    const back = loadGraph(bytes);
    expect(back).toEqual(g);
    const [p1, p2] = back.layers.slice(4, 6) as { weight: unknown }[];
    expect(p1!.weight).toBe(p2!.weight);
  });

  test('quantized or sparse parameters load as their float values', () => {
    const bytes = saveGraph(plainChain());
    const q = rewrite(bytes, () => {}, (list) =>
      list.map((t) => (t.name === 'fc.bias' ? { name: t.name, shape: t.shape, codes: [0, 1, 2, 3], quantization: affineQuantization(4, 0.5, 1) } : t)),
    );
    expect(Array.from((loadGraph(q).layers[9] as DenseLayer).bias!.data)).toEqual([-0.5, 0, 0.5, 1]);
  });

  test('container damage is a FormatError', () => {
    const bytes = saveGraph(plainChain());
    expect(() => loadGraph(bytes.subarray(0, bytes.length - 1))).toThrow(FormatError);
    expect(() => loadGraph(bytes.subarray(0, 10))).toThrow(FormatError);
    const flipped = bytes.slice();
    flipped[flipped.length - 3]! ^= 0x10; // inside the last payload
    expect(() => loadGraph(flipped)).toThrow(/payload CRC-32 mismatch/);
    const header = bytes.slice();
    header[40]! ^= 0x01;
    expect(() => loadGraph(header)).toThrow(/header CRC-32 mismatch/);
  });

  test('every single-byte corruption is either detected as FormatError / GraphError or harmless', () => {
    const g = everything();
    const bytes = saveGraph(g);
    const r = rng(77);
    let detected = 0;
    for (let i = 0; i < 300; i++) {
      const b = bytes.slice();
      const at = Math.floor(r() * b.length);
      b[at]! ^= 1 + Math.floor(r() * 255);
      try {
        // Only alignment padding is outside every CRC: a file that still loads is the same graph.
        expect(loadGraph(b)).toEqual(g);
      } catch (e) {
        expect(e instanceof FormatError || e instanceof GraphError).toBe(true);
        detected++;
      }
    }
    expect(detected).toBeGreaterThan(200);
  });

  const file = saveGraph(plainChain());
  const bad: [string, () => Uint8Array, RegExp][] = [
    ['not a graph file', () => encodeContainer([], { metadata: { model: 'x' } }), /^not a quantprune graph file: metadata.format is undefined/],
    ['future version', () => rewrite(file, (m) => void (m['version'] = 2)), /^unsupported graph file version 2/],
    ['layers missing', () => rewrite(file, (m) => void delete m['graph'].layers), /^metadata.graph must be an object with a layers array$/],
    ['unknown kind', () => rewrite(file, (m) => void (m['graph'].layers[3].kind = 'gelu')), /^layer "relu1": unknown layer kind "gelu"$/],
    ['extra attribute', () => rewrite(file, (m) => void (m['graph'].layers[3].alpha = 1)), /^layer "relu1": a relu layer has no attribute "alpha"$/],
    ['missing attribute', () => rewrite(file, (m) => void delete m['graph'].layers[1].stride), /^layer "conv1": conv2d attribute "stride" is missing$/],
    ['dangling tensor', () => rewrite(file, (m) => void (m['graph'].layers[1].weight = 'nope')), /^layer "conv1": weight refers to "nope", which is not a tensor of the file$/],
    ['unused tensor', () => rewrite(file, () => {}, (l) => [...l, { name: 'junk', shape: [1], data: new Float32Array(1) }]), /^tensor "junk" is not referenced by any layer/],
    ['int8 weight', () => rewrite(file, () => {}, (l) => l.map((t) => (t.name === 'fc.bias' ? { name: t.name, shape: [4], data: new Int8Array(4) } : t))), /^layer "fc": bias tensor "fc.bias" decodes to int8, not float32$/],
    ['mask not 1-bit', () => rewrite(file, (m) => void (m['graph'].layers[1].channelMask = 'cm'), (l) => [...l, { name: 'cm', shape: [6], data: new Float32Array(6) }]), /^layer "conv1": channelMask tensor "cm" must be a 1-D tensor of 1-bit unsigned codes$/],
    ['parameter used as mask', () => rewrite(file, (m) => void (m['graph'].layers[1].channelMask = 'conv1.bias')), /^layer "conv1": channelMask refers to "conv1.bias", which is also used as a parameter$/],
    ['wrong tensor shape', () => rewrite(file, () => {}, (l) => l.map((t) => (t.name === 'conv1.bias' ? { name: t.name, shape: [5], data: new Float32Array(5) } : t))), /^layer "conv1": bias has shape \[5\] but the layer's attributes need \[6\]$/],
    ['not topological', () => rewrite(file, (m) => void m['graph'].layers.reverse()), /comes later in graph.layers/],
    ['bad output', () => rewrite(file, (m) => void (m['graph'].output = 'zz')), /^graph.output "zz" does not name a layer$/],
  ];
  test.each(bad)('invalid topology: %s → GraphError', (_, make, message) => {
    const bytes = make();
    expect(() => loadGraph(bytes)).toThrow(GraphError);
    expect(() => loadGraph(bytes)).toThrow(message);
  });

  test('saveGraph rejects invalid graphs and reserved metadata keys', () => {
    expect(() => saveGraph({ ...plainChain(), output: 'zz' })).toThrow(GraphError);
    expect(() => saveGraph(plainChain(), { metadata: { graph: 1 } })).toThrow(/^saveGraph: metadata key "graph" is reserved$/);
    expect(graphOf).toBeTypeOf('function');
  });
});
