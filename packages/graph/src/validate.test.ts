import { describe, expect, test } from 'vitest';
import { GraphError } from './errors.ts';
import { bn, conv, dense, graphOf, plainChain, residualBlock, rng } from './test-graphs.ts';
import type { BatchNormLayer, Conv2dLayer, DenseLayer, Graph, HardtanhLayer, Layer } from './types.ts';
import { validateGraph } from './validate.ts';

function errorOf(g: Graph): GraphError {
  try {
    validateGraph(g);
  } catch (e) {
    if (e instanceof GraphError) return e;
    throw e;
  }
  throw new Error('validateGraph did not throw');
}

/** plainChain with one layer changed by `edit`. */
function edited(name: string, edit: (l: Layer) => Layer): Graph {
  const g = plainChain();
  return { ...g, layers: g.layers.map((l) => (l.name === name ? edit(l) : l)) };
}
const convEdit = (e: (l: Conv2dLayer) => Partial<Conv2dLayer>) => (l: Layer): Layer => ({ ...(l as Conv2dLayer), ...e(l as Conv2dLayer) });
const bnEdit = (e: (l: BatchNormLayer) => Partial<BatchNormLayer>) => (l: Layer): Layer => ({ ...(l as BatchNormLayer), ...e(l as BatchNormLayer) });

describe('validateGraph', () => {
  test('accepts the test graphs, with annotations', () => {
    validateGraph(plainChain());
    for (const s of ['identity', 'conv', 'pad'] as const) validateGraph(residualBlock(s));
    const g = plainChain();
    const c = g.layers[1] as Conv2dLayer;
    c.mask = new Uint8Array(c.weight.data.length).fill(1);
    c.channelMask = Uint8Array.of(1, 0, 1, 1, 1, 0);
    c.weightQuantizer = { name: 'dorefa', bits: 2 };
    c.activationQuantizer = { name: 'uniform', bits: 8, options: { scheme: 'affine' } };
    validateGraph(g);
  });

  test('a grouped (depthwise) conv', () => {
    const r = rng(1);
    validateGraph(graphOf([{ kind: 'input', name: 'x', inputs: [], shape: [4, 5, 5] }, conv('dw', 'x', 4, 8, r, { groups: 4 })]));
  });

  const r = rng(7);
  const bad: [string, () => Graph, RegExp][] = [
    ['empty graph', () => ({ name: 'g', layers: [], output: 'x' }), /^graph.layers must be a non-empty array$/],
    ['duplicate name', () => edited('relu1', (l) => ({ ...l, name: 'bn1' })), /^layer "bn1": duplicate layer name/],
    ['missing input', () => edited('relu1', (l) => ({ ...l, inputs: ['nope'] })), /^layer "relu1": input "nope" does not exist$/],
    ['not topological', () => edited('relu1', (l) => ({ ...l, inputs: ['conv2'] })), /^layer "relu1": input "conv2" comes later in graph.layers \(layers must be listed in topological order\)$/],
    ['two input layers', () => { const g = plainChain(); g.layers.push({ kind: 'input', name: 'y', inputs: [], shape: [1] }); return g; }, /^a graph needs exactly one input layer, found 2 \("x", "y"\)$/],
    ['no input layer', () => graphOf([{ kind: 'relu', name: 'r', inputs: [] }]), /^layer "r": a relu layer needs at least one input$/],
    ['unknown output', () => ({ ...plainChain(), output: 'softmax' }), /^graph.output "softmax" does not name a layer$/],
    ['unknown kind', () => edited('relu1', (l) => ({ ...l, kind: 'gelu' }) as unknown as Layer), /^layer "relu1": unknown layer kind "gelu"$/],
    ['conv weight shape', () => edited('conv1', convEdit((l) => ({ weight: { shape: [6, 3, 3, 2], data: l.weight.data } }))), /^layer "conv1": weight has shape \[6,3,3,2\] but the layer's attributes need \[6, 3, 3, 3\]$/],
    ['conv data length', () => edited('conv1', convEdit((l) => ({ weight: { shape: l.weight.shape, data: new Float32Array(5) } }))), /^layer "conv1": weight.data has 5 elements but shape \[6, 3, 3, 3\] needs 162$/],
    ['conv data not float32', () => edited('conv1', convEdit((l) => ({ weight: { shape: l.weight.shape, data: Array.from(l.weight.data) as unknown as Float32Array } }))), /^layer "conv1": weight.data must be a Float32Array$/],
    ['conv bias shape', () => edited('conv1', convEdit(() => ({ bias: { shape: [5], data: new Float32Array(5) } }))), /^layer "conv1": bias has shape \[5\] but .* need \[6\]$/],
    ['groups do not divide', () => edited('conv1', convEdit(() => ({ groups: 2 }))), /^layer "conv1": groups 2 must divide both inChannels 3 and outChannels 6$/],
    ['conv kernel', () => edited('conv1', convEdit(() => ({ kernel: [3, 0] }))), /^layer "conv1": kernel must be two positive integers, got \[3,0\]$/],
    ['groups zero', () => edited('conv1', convEdit(() => ({ groups: 0 }))), /^layer "conv1": groups must be a positive integer, got 0$/],
    ['mask length', () => edited('conv1', convEdit(() => ({ mask: new Uint8Array(3) }))), /^layer "conv1": mask has 3 entries but the layer has 162 weights$/],
    ['mask value', () => edited('conv1', convEdit((l) => ({ mask: new Uint8Array(l.weight.data.length).fill(2) }))), /^layer "conv1": mask\[0\] is 2, entries must be 0 \(pruned\) or 1 \(kept\)$/],
    ['mask type', () => edited('conv1', convEdit((l) => ({ mask: new Int8Array(l.weight.data.length) as unknown as Uint8Array }))), /^layer "conv1": mask must be a Uint8Array$/],
    ['channel mask length', () => edited('conv1', convEdit(() => ({ channelMask: new Uint8Array(5) }))), /^layer "conv1": channelMask has 5 entries but the layer has 6 output channels$/],
    ['quantizer name', () => edited('conv1', convEdit(() => ({ weightQuantizer: { name: 'ternary' as 'binary', bits: 2 } }))), /^layer "conv1": weightQuantizer must name one of binary, xnor, dorefa, uniform, lsq, got "ternary"$/],
    ['quantizer bits', () => edited('conv1', convEdit(() => ({ activationQuantizer: { name: 'uniform', bits: 0 } }))), /^layer "conv1": activationQuantizer.bits must be an integer in \[1, 32\], got 0$/],
    ['bn running var shape', () => edited('bn1', bnEdit(() => ({ runningVar: { shape: [5], data: new Float32Array(5) } }))), /^layer "bn1": runningVar has shape \[5\] but .* need \[6\]$/],
    ['bn negative variance', () => edited('bn1', bnEdit((l) => ({ runningVar: { shape: [6], data: l.runningVar.data.map((v, i) => (i === 2 ? -1 : v)) } }))), /^layer "bn1": runningVar\[2\] is -1, variances must be ≥ 0$/],
    ['bn half affine', () => edited('bn1', bnEdit(() => ({ weight: undefined }))), /^layer "bn1": weight \(γ\) and bias \(β\) must both be present/],
    ['bn eps', () => edited('bn1', bnEdit(() => ({ eps: 0 }))), /^layer "bn1": eps must be a finite number > 0, got 0$/],
    ['bn momentum', () => edited('bn1', bnEdit(() => ({ momentum: 2 }))), /^layer "bn1": momentum must be in \[0, 1\], got 2$/],
    ['dense weight shape', () => edited('fc', (l) => ({ ...(l as DenseLayer), weight: { shape: [20, 4], data: (l as DenseLayer).weight.data } })), /^layer "fc": weight has shape \[20,4\] but .* need \[4, 20\]$/],
    ['prelu rank', () => edited('prelu2', (l) => ({ ...l, weight: { shape: [5, 1], data: new Float32Array(5) } }) as Layer), /^layer "prelu2": prelu slopes must have shape \[1\] or \[channels\], got \[5,1\]$/],
    ['prelu channels (shape inference)', () => edited('prelu2', (l) => ({ ...l, weight: { shape: [3], data: new Float32Array(3) } }) as Layer), /^layer "prelu2": prelu slopes must have shape \[1\] or \[5\] but have \[3\]/],
    ['hardtanh bounds', () => edited('relu1', (l) => ({ ...l, kind: 'hardtanh', min: 1, max: -1 }) as HardtanhLayer), /^layer "relu1": hardtanh needs finite min < max, got min 1 and max -1$/],
    ['shape mismatch from inference', () => edited('conv2', convEdit(() => ({ inChannels: 5, weight: { shape: [5, 5, 3, 3], data: new Float32Array(225) } }))), /^layer "conv2": conv2d expects 5 input channels but its input "relu1" produces \[6, 8, 8\]$/],
    ['dense without flatten', () => graphOf([{ kind: 'input', name: 'x', inputs: [], shape: [2, 2, 2] }, bn('b', 'x', 2, r), dense('fc', 'b', 8, 2, r)]), /^layer "fc": dense expects an input of \[8\] .* \(add a flatten layer before it\)$/],
  ];
  test.each(bad)('%s', (_, make, message) => {
    const e = errorOf(make());
    expect(e.message).toMatch(message);
    expect(e).toBeInstanceOf(GraphError);
  });
});
