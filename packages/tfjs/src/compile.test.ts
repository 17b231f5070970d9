// compileGraph against the pure-TS reference forward of @quantprune/graph, on wasm and cpu.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createModel, forward, getParam, GraphBuilder, inferShapes, loadWeights, paramNames, readSafetensors, type Graph } from '@quantprune/graph';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { compileGraph, type CompiledModel } from './compile.ts';
import { randomArray, relativeError, rng } from './test-backends.ts';
import { cifarTestImages, DATA_DIR, randomizeParams, toNhwc } from './test-models.ts';

/** The compiled model's inference output for an NCHW batch. */
function run(model: CompiledModel, input: Float32Array, n: number, training = false): Float32Array {
  const shape = inferShapes(model.graph).get(model.graph.layers[0]!.name)!;
  return tf.tidy(() => {
    const x = shape.length === 3 ? tf.tensor4d(toNhwc(input, n, shape[0]!, shape[1]!, shape[2]!), [n, shape[1]!, shape[2]!, shape[0]!]) : tf.tensor2d(input, [n, shape[0]!]);
    return model.apply(x as tf.Tensor4D, training).dataSync() as Float32Array;
  });
}

function compiledForward(graph: Graph, input: Float32Array, n: number): Float32Array {
  const model = compileGraph(graph);
  try {
    return run(model, input, n);
  } finally {
    model.dispose();
  }
}

/** Bitwise equality of two float arrays (vitest's toEqual is slow on 100k-element typed arrays). */
function same(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

function inputSize(graph: Graph): number {
  return inferShapes(graph).get(graph.layers[0]!.name)!.reduce((a, b) => a * b, 1);
}

/** Every layer kind the IR has, with the awkward options: groups, dilation, asymmetric pads, 3-input add. */
function allKindsGraph(): Graph {
  const b = new GraphBuilder('all-kinds', { seed: 5 });
  let x = b.input([4, 15, 13]);
  x = b.conv2d('conv', x, { inChannels: 4, outChannels: 6, kernel: [3, 2], stride: [2, 1], padding: [1, 0, 2, 1], dilation: [1, 2], groups: 2, bias: true });
  x = b.prelu('prelu', b.batchnorm('bn', x, { channels: 6, affine: false }), { channels: 6 });
  x = b.maxpool('maxpool', x, { kernel: 3, stride: 2, padding: 1 });
  const h = b.hardtanh('hardtanh', b.conv2d('conv1x1', x, { inChannels: 6, outChannels: 6, kernel: 1 }), -0.5, 0.7);
  x = b.add('add', [x, h, b.sign('sign', x)]);
  x = b.avgpool('avgpool', x, { kernel: 2, stride: 1, padding: [1, 0, 0, 1] });
  x = b.shortcutPad('shortcut', x, { stride: 2, before: 1, after: 2 });
  x = b.relu('relu', b.prelu('prelu_shared', x));
  return b.build(b.dense('fc', b.flatten('flatten', x), { inFeatures: 9 * 2 * 4, outFeatures: 5 }));
}

const BACKENDS = ['wasm', 'cpu'] as const;

describe.each(BACKENDS)('compileGraph on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  // Tolerance: both sides float32 with different summation orders (the reference accumulates in float64);
  // ∞-norm relative error ≤ 1e-5 for these depths (measured ≤ 2e-6, see the README).
  const TOL = 1e-5;

  it.each([
    ['all-kinds', allKindsGraph, 3],
    ['lenet5', () => createModel('lenet5'), 4],
    ['resnet20-cifar (option A)', () => createModel('resnet20-cifar'), 2],
    ['resnet20-cifar (option B)', () => createModel('resnet20-cifar', { shortcut: 'B' }), 2],
  ] as const)('%s: inference equals the reference forward', (_name, make, n) => {
    const graph = randomizeParams(make(), 7);
    const input = randomArray(n * inputSize(graph), rng(8));
    const expected = forward(graph, input, n);
    expect(relativeError(compiledForward(graph, input, n), expected)).toBeLessThanOrEqual(TOL);
  });

  it.skipIf(!DATA_DIR)('pretrained ResNet-20: logits equal the reference forward on 8 real CIFAR-10 test images', () => {
    const file = join(DATA_DIR!, 'pretrained', 'resnet20-12fca82f.safetensors');
    const graph = loadWeights(createModel('resnet20-cifar'), readSafetensors(readFileSync(file), file));
    const { images } = cifarTestImages(DATA_DIR!, 8);
    const expected = forward(graph, images, 8);
    const got = compiledForward(graph, images, 8);
    expect(relativeError(got, expected)).toBeLessThanOrEqual(TOL);
    const argmax = (v: Float32Array, i: number): number => v.subarray(i * 10, i * 10 + 10).reduce((best, x, j, a) => (x > a[best]! ? j : best), 0);
    for (let i = 0; i < 8; i++) expect(argmax(got, i)).toBe(argmax(expected, i));
  });

  it('readWeights returns the graph parameters exactly; writeWeights and writeToGraph round-trip', () => {
    const graph = randomizeParams(createModel('resnet20-cifar', { shortcut: 'B' }), 3);
    const model = compileGraph(graph);
    const read = model.readWeights();
    expect([...read.keys()]).toEqual(paramNames(graph));
    for (const [name, data] of read) expect(same(data, getParam(graph, name).data), name).toBe(true);
    const changed = new Map([...read].map(([name, data]) => [name, data.map((v, i) => v + i * 1e-3)]));
    model.writeWeights(changed);
    for (const [name, data] of model.readWeights()) expect(same(data, changed.get(name)!), name).toBe(true);
    model.writeToGraph();
    for (const [name, data] of changed) expect(same(getParam(graph, name).data, data), name).toBe(true);
    expect(() => model.writeWeights(new Map([['nope.weight', new Float32Array(1)]]))).toThrow(/has no parameter "nope.weight"/);
    expect(() => model.writeWeights(new Map([['conv1.weight', new Float32Array(3)]]))).toThrow(/"conv1.weight" needs a Float32Array of 432 values \(shape \[16, 3, 3, 3\]\), got 3/);
    model.dispose();
  });

  it('training mode uses batch statistics and updates the running statistics', () => {
    const graph = randomizeParams(createModel('resnet20-cifar'), 4);
    const model = compileGraph(graph);
    const before = model.readWeights().get('bn1.running_mean')!;
    const input = randomArray(4 * 3072, rng(2));
    const inTraining = run(model, input, 4, true);
    const after = model.readWeights().get('bn1.running_mean')!;
    expect(after).not.toEqual(before);
    expect(relativeError(inTraining, forward(graph, input, 4))).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('keeps masked weights exactly zero through 10 SGD-with-momentum steps', () => {
    const graph = createModel('lenet5');
    const rand = rng(10);
    const conv2 = graph.layers.find((l) => l.name === 'conv2')!;
    const fc1 = graph.layers.find((l) => l.name === 'fc1')!;
    if (conv2.kind !== 'conv2d' || fc1.kind !== 'dense') throw new Error('unexpected lenet5 layout');
    conv2.mask = Uint8Array.from(conv2.weight.data, () => (rand() < 0.5 ? 0 : 1));
    fc1.channelMask = Uint8Array.from({ length: 500 }, (_, i) => (i % 3 === 0 ? 0 : 1));
    const model = compileGraph(graph);
    const optimizer = tf.train.momentum(0.01, 0.9);
    const x = tf.tensor4d(randomArray(8 * 784, rand), [8, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
    const initial = model.readWeights();
    for (let step = 0; step < 10; step++) {
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, true)) as tf.Scalar, false, model.trainableVariables as tf.Variable[]);
      model.applyMasks();
    }
    const w = model.readWeights();
    const conv2w = w.get('conv2.weight')!;
    const isPlusZero = (v: number): boolean => Object.is(v, 0);
    expect(conv2.mask.every((m, i) => m === 1 || isPlusZero(conv2w[i]!))).toBe(true);
    const fc1w = w.get('fc1.weight')!;
    const fc1b = w.get('fc1.bias')!;
    for (let o = 0; o < 500; o += 3) {
      expect(isPlusZero(fc1b[o]!)).toBe(true);
      expect(fc1w.subarray(o * 800, (o + 1) * 800).every(isPlusZero)).toBe(true);
    }
    expect(w.get('conv2.weight')!.every(Number.isFinite)).toBe(true);
    // training did move the kept weights
    expect(relativeError(w.get('fc1.weight')!, initial.get('fc1.weight')!)).toBeGreaterThan(1e-4);
    // maskGradients zeroes what a proximal term (‖W − 1‖², which reaches masked entries) would push
    const variable = model.variableByParam.get('conv2.weight')!;
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(tf.sub(variable, 1))) as tf.Scalar, [variable]);
    const masked = model.maskGradients(grads);
    const g = tf.transpose(masked[variable.name]!, [3, 2, 0, 1]).dataSync(); // HWIO → OIHW
    expect(conv2.mask.every((m, i) => (g[i] === 0) === (m === 0))).toBe(true);
    tf.dispose([x, y, value, ...Object.values(masked)]);
    optimizer.dispose();
    model.dispose();
  });

  it('shares one variable between tied parameters', () => {
    const b = new GraphBuilder('tied', { seed: 1 });
    let x = b.input([6]);
    x = b.prelu('act', b.dense('fc1', x, { inFeatures: 6, outFeatures: 6 }));
    x = b.prelu('act_1', b.dense('fc2', x, { inFeatures: 6, outFeatures: 6 }), { tiedTo: 'act' });
    const model = compileGraph(b.build());
    expect(model.variableByParam.get('act.weight')).toBe(model.variableByParam.get('act_1.weight'));
    expect(model.trainableVariables.filter((v) => v === model.variableByParam.get('act.weight'))).toHaveLength(1);
    model.dispose();
  });

  it('leaks no tensors over 100 training steps (every layer kind, masks, BN updates)', () => {
    const graph = allKindsGraph();
    const conv = graph.layers.find((l) => l.name === 'conv');
    if (conv?.kind === 'conv2d') conv.mask = Uint8Array.from(conv.weight.data, (_, i) => i % 2);
    const model = compileGraph(graph);
    const optimizer = tf.train.sgd(0.01);
    const x = tf.tensor4d(randomArray(4 * 4 * 15 * 13, rng(1)), [4, 15, 13, 4]);
    const y = tf.oneHot(tf.tensor1d([3, 1, 0, 4], 'int32'), 5);
    const step = (): void => {
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, true)) as tf.Scalar, true, model.trainableVariables as tf.Variable[]);
      loss?.dispose();
      model.applyMasks();
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });

  it('rejects inputs of the wrong shape and graphs without a vector output', () => {
    const model = compileGraph(createModel('lenet5'));
    expect(() => model.apply(tf.zeros([2, 1, 28, 28]) as tf.Tensor4D, false)).toThrow(/"lenet5" takes \[N, 28, 28, 1\] \(NHWC\), got \[2, 1, 28, 28\]/);
    model.dispose();
    const b = new GraphBuilder('conv-only');
    b.conv2d('conv', b.input([1, 4, 4]), { inChannels: 1, outChannels: 2, kernel: 3 });
    expect(() => compileGraph(b.build())).toThrow(/output layer "conv" of "conv-only" must give one vector per sample, got shape \[2, 2, 2\]/);
  });
});
