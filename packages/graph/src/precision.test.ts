import { describe, expect, it } from 'vitest';
import { applyPrecision, PRECISION_PRESETS, type PrecisionPreset } from './precision.ts';
import { inferShapes } from './shape-inference.ts';
import type { BatchNormLayer, Conv2dLayer, DenseLayer, Graph, QuantizerSpec } from './types.ts';
import { validateGraph } from './validate.ts';
import { createModel } from './zoo/zoo.ts';

type Weighted = Conv2dLayer | DenseLayer;
const layer = (g: Graph, name: string): Weighted => g.layers.find((l) => l.name === name) as Weighted;
const label = (q: QuantizerSpec | undefined): string => (q ? `${q.name}${q.bits}` : '-');
const annotation = (g: Graph, name: string): string => `${label(layer(g, name).weightQuantizer)}/${label(layer(g, name).activationQuantizer)}`;

describe('applyPrecision on Paper A’s ResNet-18', () => {
  const base = createModel('resnet18-imagenet-paper-a', { numClasses: 10 });

  it('bnn: FP32 stem and fc, W1A1 body and downsample, sign(0) = 0, hardtanh STE on activations', () => {
    const g = applyPrecision(base, 'bnn');
    validateGraph(g);
    expect(annotation(g, 'conv1')).toBe('-/-');
    expect(annotation(g, 'fc')).toBe('-/-');
    for (const n of ['layer1.0.conv1', 'layer1.0.conv2', 'layer4.1.conv2', 'layer2.0.downsample.0']) expect(annotation(g, n)).toBe('binary1/binary1');
    expect(layer(g, 'layer1.0.conv1').weightQuantizer!.options).toEqual({ signOfZero: 0, gate: 'identity' });
    expect(layer(g, 'layer1.0.conv1').activationQuantizer!.options).toEqual({ signOfZero: 0, gate: 'hardtanh' });
    expect(g.layers.map((l) => l.name)).toEqual(base.layers.map((l) => l.name)); // no layer added
  });

  it('dorefa: W2A2 with the tanh activation variant, downsample convs stay binary', () => {
    const g = applyPrecision(base, 'dorefa');
    expect(annotation(g, 'layer3.1.conv1')).toBe('dorefa2/dorefa2');
    expect(layer(g, 'layer3.1.conv1').activationQuantizer!.options).toEqual({ variant: 'tanh' });
    for (const n of ['layer2.0.downsample.0', 'layer3.0.downsample.0', 'layer4.0.downsample.0']) expect(annotation(g, n)).toBe('binary1/binary1');
    expect(annotation(g, 'conv1')).toBe('-/-');
  });

  it('xnor: per-output-channel scaled binary weights, binary activations', () => {
    const g = applyPrecision(base, 'xnor');
    expect(annotation(g, 'layer1.1.conv2')).toBe('xnor1/binary1');
    expect(layer(g, 'layer1.1.conv2').weightQuantizer!.options).toMatchObject({ axis: 0 });
    expect(annotation(g, 'layer4.0.downsample.0')).toBe('binary1/binary1');
  });

  it('firstLast quantized: binary stem without activation quantizer, binary fc followed by bn3', () => {
    const g = applyPrecision(base, 'bnn', { firstLast: 'quantized' });
    validateGraph(g);
    expect(annotation(g, 'conv1')).toBe('binary1/-'); // the image is never binarized
    expect(annotation(g, 'fc')).toBe('binary1/binary1');
    const bn3 = g.layers.find((l) => l.name === 'bn3') as BatchNormLayer;
    expect(bn3.inputs).toEqual(['fc']);
    expect(bn3.weight).toBeDefined(); // nn.BatchNorm1d(num_classes), affine
    expect(g.output).toBe('bn3');
    expect(inferShapes(g).get('bn3')).toEqual([10]);
    // applying again (or another preset) keeps one bn3
    const again = applyPrecision(g, 'dorefa', { firstLast: 'quantized' });
    expect(again.layers.filter((l) => l.kind === 'batchnorm' && l.inputs[0] === 'fc')).toHaveLength(1);
    expect(annotation(again, 'fc')).toBe('dorefa2/dorefa2');
  });

  it('does not modify its input and copies the weights (tied PReLUs stay tied)', () => {
    const g = applyPrecision(base, 'bnn');
    expect(layer(base, 'layer1.0.conv1').weightQuantizer).toBeUndefined();
    expect(layer(g, 'layer1.0.conv1').weight).not.toBe(layer(base, 'layer1.0.conv1').weight);
    expect(layer(g, 'layer1.0.conv1').weight.data).toEqual(layer(base, 'layer1.0.conv1').weight.data);
    const prelu = (name: string): unknown => (g.layers.find((l) => l.name === name) as { weight: unknown }).weight;
    expect(prelu('layer2.1.relu_1')).toBe(prelu('layer2.1.relu'));
  });

  it('fp32 removes every quantizer', () => {
    const g = applyPrecision(applyPrecision(base, 'bnn'), 'fp32');
    expect(g.layers.some((l) => 'weightQuantizer' in l || 'activationQuantizer' in l)).toBe(false);
  });
});

describe('applyPrecision on other models', () => {
  it('vgg11-cifar keeps its first conv quantized (weights only) and adds classifier.1 without affine', () => {
    const g = applyPrecision(createModel('vgg11-cifar'), 'bnn');
    expect(annotation(g, 'features.0')).toBe('binary1/-');
    expect(annotation(g, 'features.4')).toBe('binary1/binary1');
    expect(annotation(g, 'classifier.0')).toBe('-/-');
    const q = applyPrecision(createModel('vgg11-cifar'), 'bnn', { firstLast: 'quantized' });
    const bn = q.layers.find((l) => l.name === 'classifier.1') as BatchNormLayer;
    expect(bn.weight).toBeUndefined();
    validateGraph(q);
  });

  it('resnet20-cifar option B: the 1×1 shortcut conv counts as a residual projection', () => {
    const g = applyPrecision(createModel('resnet20-cifar', { shortcut: 'B' }), 'dorefa');
    expect(annotation(g, 'layer2.0.shortcut.0')).toBe('binary1/binary1');
    expect(annotation(g, 'layer2.0.conv1')).toBe('dorefa2/dorefa2');
    expect(annotation(g, 'conv1')).toBe('-/-');
    expect(annotation(g, 'linear')).toBe('-/-');
  });

  it('lenet300-100: the first dense layer reads the image through flatten', () => {
    const g = applyPrecision(createModel('lenet300-100'), 'bnn', { firstLast: 'quantized' });
    expect(annotation(g, 'fc1')).toBe('binary1/-');
    expect(annotation(g, 'fc2')).toBe('binary1/binary1');
    expect(g.output).toBe('fc3_bn');
    validateGraph(g);
  });

  it('lenet5: bnn and xnor add a BatchNorm after each binarized layer (the model has none), dorefa does not', () => {
    const names = (g: ReturnType<typeof createModel>): string[] => g.layers.map((l) => l.name);
    const bnn = applyPrecision(createModel('lenet5'), 'bnn');
    expect(names(bnn)).toEqual(['input', 'conv1', 'pool1', 'conv2', 'conv2_bn', 'pool2', 'flatten', 'fc1', 'fc1_bn', 'relu1', 'fc2']);
    expect(bnn.layers.find((l) => l.name === 'pool2')!.inputs).toEqual(['conv2_bn']);
    const bn = bnn.layers.find((l) => l.name === 'fc1_bn') as BatchNormLayer;
    expect([bn.channels, bn.weight?.data[0], bn.bias?.data[0], bn.runningVar.data[0]]).toEqual([500, 1, 0, 1]);
    validateGraph(bnn);
    expect(names(applyPrecision(createModel('lenet5'), 'xnor'))).toContain('conv2_bn');
    expect(names(applyPrecision(createModel('lenet5'), 'dorefa'))).not.toContain('conv2_bn');
    expect(names(applyPrecision(createModel('lenet5'), 'bnn', { insertBatchNorm: false }))).not.toContain('conv2_bn');
    expect(names(applyPrecision(createModel('lenet5'), 'dorefa', { insertBatchNorm: true }))).toContain('fc1_bn');
    // applying a preset again does not stack BatchNorms
    expect(names(applyPrecision(bnn, 'bnn'))).toEqual(names(bnn));
  });

  it('rejects unknown presets and firstLast values', () => {
    const g = createModel('lenet5');
    expect(() => applyPrecision(g, 'int8' as PrecisionPreset)).toThrow(/applyPrecision: preset must be one of fp32, bnn, xnor, dorefa, got "int8"/);
    expect(() => applyPrecision(g, 'bnn', { firstLast: 'yes' as 'fp32' })).toThrow(/firstLast must be 'fp32' or 'quantized', got "yes"/);
    expect(PRECISION_PRESETS).toEqual(['fp32', 'bnn', 'xnor', 'dorefa']);
  });
});
