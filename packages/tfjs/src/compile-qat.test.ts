// Quantization-aware compiled layers against the quantizers' core functions + the reference forward.
import * as tf from '@tensorflow/tfjs-core';
import { applyPrecision, createModel, forward, GraphBuilder, type Conv2dLayer, type DenseLayer, type Graph, type QuantizerSpec } from '@quantprune/graph';
import {
  quantizeBinary,
  quantizeDoReFaActivations,
  quantizeDoReFaWeights,
  quantizeLsq,
  quantizeUniform,
  quantizeXnorWeights,
} from '@quantprune/quantizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { compileGraph } from './compile.ts';
import { randomArray, relativeError, rng } from './test-backends.ts';
import { toNhwc } from './test-models.ts';

/** The core (Float32Array) quantizer for a spec, on a row-major tensor of `shape` (IR layout). */
function coreQuantize(spec: QuantizerSpec, x: Float32Array, shape: readonly number[], weights: boolean): Float32Array {
  const o = spec.options ?? {};
  switch (spec.name) {
    case 'binary':
      return quantizeBinary(x, { signOfZero: (o['signOfZero'] as 0 | 1 | undefined) ?? 1 }).values;
    case 'xnor':
      return quantizeXnorWeights(x, { shape, axis: o['axis'] as number, signOfZero: (o['signOfZero'] as 0 | 1 | undefined) ?? 1 }).values;
    case 'dorefa':
      if (weights) return quantizeDoReFaWeights(x, { bits: spec.bits }).values;
      return quantizeDoReFaActivations(x, { bits: spec.bits, variant: (o['variant'] as 'tanh' | 'clip' | undefined) ?? 'clip', ...(o['clipValue'] !== undefined ? { clipValue: o['clipValue'] as number } : {}) }).values;
    case 'uniform':
      return quantizeUniform(x, { bits: spec.bits, shape, ...(o['axis'] !== undefined ? { axis: o['axis'] as number } : {}), scheme: (o['scheme'] as 'affine' | 'symmetric' | undefined) ?? 'affine' }).values;
    case 'lsq':
      return quantizeLsq(x, o['step'] as number, { bits: spec.bits, signed: (o['signed'] as boolean | undefined) ?? weights }).values;
  }
}

const CASES: readonly [string, QuantizerSpec, QuantizerSpec][] = [
  ['bnn (sign(0) = 0)', { name: 'binary', bits: 1, options: { signOfZero: 0, gate: 'identity' } }, { name: 'binary', bits: 1, options: { signOfZero: 0, gate: 'hardtanh' } }],
  ['binary sign(0) = +1', { name: 'binary', bits: 1 }, { name: 'binary', bits: 1 }],
  ['xnor per output channel', { name: 'xnor', bits: 1, options: { signOfZero: 0, axis: 0 } }, { name: 'binary', bits: 1, options: { signOfZero: 0 } }],
  ['dorefa W2A2 (tanh activations)', { name: 'dorefa', bits: 2 }, { name: 'dorefa', bits: 2, options: { variant: 'tanh' } }],
  ['dorefa W3A3 (clip activations)', { name: 'dorefa', bits: 3 }, { name: 'dorefa', bits: 3, options: { variant: 'clip' } }],
  ['dorefa W2A2 (clip activations, α = 0.7)', { name: 'dorefa', bits: 2 }, { name: 'dorefa', bits: 2, options: { variant: 'clip', clipValue: 0.7 } }],
  ['uniform symmetric per channel W4, affine A8', { name: 'uniform', bits: 4, options: { scheme: 'symmetric', axis: 0 } }, { name: 'uniform', bits: 8 }],
  ['lsq W3 / unsigned A2', { name: 'lsq', bits: 3, options: { step: 0.05 } }, { name: 'lsq', bits: 2, options: { signed: false, step: 0.2 } }],
];

/** A one-layer graph (conv or dense) with the given annotations, and its input size per sample. */
function oneLayer(kind: 'conv' | 'dense', w: QuantizerSpec, a: QuantizerSpec): { graph: Graph; shape: number[] } {
  const b = new GraphBuilder(`one-${kind}`, { seed: 2 });
  if (kind === 'conv') {
    const x = b.input([3, 6, 5]);
    b.flatten('flatten', b.conv2d('layer', x, { inChannels: 3, outChannels: 4, kernel: 3, padding: 1, bias: true }));
  } else {
    b.dense('layer', b.input([12]), { inFeatures: 12, outFeatures: 5 });
  }
  const graph = b.build();
  const layer = graph.layers.find((l) => l.name === 'layer') as Conv2dLayer | DenseLayer;
  layer.weightQuantizer = w;
  layer.activationQuantizer = a;
  return { graph, shape: kind === 'conv' ? [3, 6, 5] : [12] };
}

describe.each(['wasm', 'cpu'] as const)('QAT layers on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  describe.each(['conv', 'dense'] as const)('%s', (kind) => {
    it.each(CASES)('%s: forward equals the core quantizers + reference forward', (_name, wSpec, aSpec) => {
      const n = 3;
      const { graph, shape } = oneLayer(kind, wSpec, aSpec);
      const layer = graph.layers.find((l) => l.name === 'layer') as Conv2dLayer | DenseLayer;
      const input = randomArray(n * shape.reduce((p, d) => p * d, 1), rng(4), -1.5, 1.5);
      // reference: quantize input (NCHW batch) and weights (IR layout) with the core functions, then a float forward
      const plain = structuredClone(graph);
      const plainLayer = plain.layers.find((l) => l.name === 'layer') as Conv2dLayer | DenseLayer;
      delete plainLayer.weightQuantizer;
      delete plainLayer.activationQuantizer;
      plainLayer.weight.data = coreQuantize(wSpec, layer.weight.data, layer.weight.shape, true);
      const expected = forward(plain, coreQuantize(aSpec, input, [n, ...shape], false), n);

      const model = compileGraph(graph);
      const x = shape.length === 3 ? tf.tensor4d(toNhwc(input, n, shape[0]!, shape[1]!, shape[2]!), [n, shape[1]!, shape[2]!, shape[0]!]) : tf.tensor2d(input, [n, shape[0]!]);
      const got = tf.tidy(() => model.apply(x as tf.Tensor4D, false).dataSync());
      // quantized operands are identical; the float32 sums differ in order only
      expect(relativeError(got, expected)).toBeLessThanOrEqual(1e-5);
      // qat: false compiles the float network
      const fp = compileGraph(graph, { qat: false });
      const gotFp = tf.tidy(() => fp.apply(x as tf.Tensor4D, false).dataSync());
      expect(relativeError(gotFp, forward(graph, input, n))).toBeLessThanOrEqual(1e-5);
      tf.dispose(x);
      model.dispose();
      fp.dispose();
    });
  });

  it('LSQ steps are trainable variables and get gradients', () => {
    const { graph } = oneLayer('dense', { name: 'lsq', bits: 3 }, { name: 'lsq', bits: 2, options: { signed: false } });
    const model = compileGraph(graph);
    const fp = compileGraph(graph, { qat: false });
    expect(model.trainableVariables.length).toBe(fp.trainableVariables.length + 2);
    const x = tf.tensor2d(randomArray(4 * 12, rng(1)), [4, 12]);
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(model.apply(x, true))) as tf.Scalar, model.trainableVariables as tf.Variable[]);
    const steps = model.trainableVariables.filter((v) => v.name.endsWith('quantizer.step'));
    expect(steps).toHaveLength(2);
    for (const s of steps) expect(grads[s.name]!.dataSync()[0]).not.toBe(0);
    tf.dispose([x, value, ...Object.values(grads)]);
    model.dispose();
    fp.dispose();
  });

  it('bnn LeNet-5: quantized conv2/fc1 train, latent weights stay float, quantized weights are ±1', () => {
    const graph = applyPrecision(createModel('lenet5'), 'bnn');
    const model = compileGraph(graph);
    const x = tf.tensor4d(randomArray(4 * 784, rng(3)), [4, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d([1, 2, 3, 4], 'int32'), 10);
    const { grads, value } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, true)) as tf.Scalar, model.trainableVariables as tf.Variable[]);
    for (const param of ['conv1.weight', 'conv2.weight', 'fc1.weight', 'fc2.weight']) {
      const g = grads[model.variableByParam.get(param)!.name]!;
      expect(tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0])).toBeGreaterThan(0);
    }
    expect(new Set(model.readWeights().get('conv2.weight')).size).toBeGreaterThan(3); // latent, not binarized
    tf.dispose([x, y, value, ...Object.values(grads)]);
    model.dispose();
  });

  it('rejects xnor as an activation quantizer and unknown quantizers, leaking nothing', () => {
    const before = tf.memory().numTensors;
    expect(() => compileGraph(oneLayer('dense', { name: 'binary', bits: 1 }, { name: 'xnor', bits: 1 }).graph)).toThrow(/xnor is a weight quantizer/);
    expect(() => compileGraph(oneLayer('dense', { name: 'ternary' as 'binary', bits: 2 }, { name: 'binary', bits: 1 }).graph)).toThrow(/weightQuantizer/); // validateGraph
    expect(tf.memory().numTensors).toBe(before);
  });
});
