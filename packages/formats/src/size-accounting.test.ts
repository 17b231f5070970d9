import { describe, expect, it } from 'vitest';
import { decodeContainer, encodeContainer, predictContainerBytes } from './container.ts';
import { lenet5Layers, resnet18ImagenetLayers } from './reference-layers.ts';
import { accountSize, planLayerTensors, plannedWeightQuantization } from './size-accounting.ts';
import type { EncodedTensor } from './tensor-codec.ts';
import { encodeTensor } from './tensor-codec.ts';
import type { ContainerTensorSpec } from './container.ts';

describe('accountSize paper-a', () => {
  it('unpruned BNN ResNet-18 (FP32 stem + fc, binary body and downsample, PReLU) = 28,182,016 bits', () => {
    // papers.md §A.5 table "BNN ResNet-18, FLReal=True": 28,182,016 bits = 3.3596 MiB
    const r = accountSize(resnet18ImagenetLayers({ bodyBits: 1, prelu: true }), 'paper-a');
    expect(r.totalBits).toBe(28_182_016);
    expect(r.mib).toBeCloseTo(3.3596, 4);
    expect(r.totalParams).toBe(11_689_520); // papers.md §A.5: torchvision 11,689,512 + 8 PReLU slopes
  });

  it('DoReFa W2 body with 1-bit downsample (as in the authors code) = 39,167,488 bits', () => {
    // papers.md §A.5 table "DoReFa W2 ResNet-18, FLReal=True (downsample 1-bit)": 39,167,488 bits = 4.6691 MiB
    const r = accountSize(resnet18ImagenetLayers({ bodyBits: 2, downsampleBits: 1, prelu: true }), 'paper-a');
    expect(r.totalBits).toBe(39_167_488);
    expect(r.mib).toBeCloseTo(4.6691, 4);
    // papers.md §A.5: with 2-bit downsample too, 39,339,520 bits
    expect(accountSize(resnet18ImagenetLayers({ bodyBits: 2, prelu: true }), 'paper-a').totalBits).toBe(39_339_520);
  });

  it('counts XNOR scales as 32 bits per output channel', () => {
    const r = accountSize([{ name: 'c', kind: 'conv', shape: [8, 4, 3, 3], weightBits: 1, channelScales: true }], 'paper-a');
    expect(r.totalBits).toBe(8 * 4 * 9 + 8 * 32);
  });
});

describe('accountSize weights-only', () => {
  it('dense FP32 LeNet-5 = 13,776,000 bits', () => {
    // papers.md §B.3.6: 430,500 weights × 32 bits
    const r = accountSize(lenet5Layers(), 'weights-only');
    expect(r.totalParams).toBe(430_500);
    expect(r.totalBits).toBe(13_776_000);
  });

  it('adds relative index bits, exactly with a mask (fillers included)', () => {
    const mask = new Uint8Array(100);
    mask[0] = 1;
    mask[40] = 1; // gap 39 with 5-bit indices: one filler (covers 32) then the entry
    mask[99] = 1;
    const layer = { name: 'fc', kind: 'dense' as const, shape: [10, 10], weightBits: 3, mask };
    // entries: 0, filler@32, 40, filler@72, 99 → 5 entries × (5 + 3) bits
    expect(accountSize([layer], 'weights-only', { indexBits: 'relative' }).totalBits).toBe(5 * 8);
    expect(accountSize([layer], 'weights-only').totalBits).toBe(3 * 3);
    const approx = accountSize([{ ...layer, mask: undefined, nonzeros: 3 }], 'weights-only', { indexBits: 'relative' });
    expect(approx.approximate).toBe(true);
    expect(approx.totalBits).toBe(3 * 8);
  });

  it('rejects bad layers with a RangeError naming the layer', () => {
    expect(() => accountSize([{ name: 'x', kind: 'conv', shape: [3, 3] }], 'paper-a')).toThrow(/accountSize: layer "x"/);
    expect(() => accountSize([{ name: 'x', kind: 'dense', shape: [3, 3], weightBits: 12 }], 'paper-a')).toThrow(/weightBits/);
    expect(() => accountSize([], 'bits' as 'paper-a')).toThrow(RangeError);
  });
});

// Random weights for a tensor plan, encoded the way the plan says.
function materialise(specs: ContainerTensorSpec[], seed: number): EncodedTensor[] {
  let s = seed;
  const rand = (): number => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  return specs.map((spec) => {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const v = spec.encoding.values;
    if (v.kind === 'raw') {
      const data = Float32Array.from({ length: n }, () => rand() - 0.5);
      if (spec.encoding.sparse) for (let i = 0; i < n; i++) if (i % 7 !== 0) data[i] = 0;
      return encodeTensor({ name: spec.name, shape: spec.shape, data, ...(spec.encoding.sparse ? { sparse: spec.encoding.sparse } : {}) });
    }
    const scale = v.channels > 0 ? Float32Array.from({ length: v.channels }, () => rand()) : undefined;
    const codes = Uint8Array.from({ length: n }, () => Math.floor(rand() * (v.kind === 'levels' ? v.levels : 2 ** v.bits)));
    return encodeTensor({ name: spec.name, shape: spec.shape, codes, quantization: plannedWeightQuantization(v.bits, scale) });
  });
}

describe('actual .qpk bytes vs the accounting prediction', () => {
  it('binary ResNet-18: predicted container size equals the encoded file exactly', () => {
    const layers = resnet18ImagenetLayers({ bodyBits: 1, prelu: true });
    const specs = planLayerTensors(layers);
    const predicted = predictContainerBytes(specs, { metadata: { model: 'resnet18' } });
    const file = encodeContainer(materialise(specs, 1), { metadata: { model: 'resnet18' } });
    expect(file.length).toBe(predicted);
    // The theoretical paper-a size and the real file agree within 1 %: the file adds level tables, headers, padding.
    const theoretical = accountSize(layers, 'paper-a').bytes;
    expect(Math.abs(file.length - theoretical) / theoretical).toBeLessThan(0.01);
    expect(decodeContainer(file).tensors.length).toBe(specs.length);
  });

  it('pruned LeNet-5 with relative indexing: prediction from masks equals the file', () => {
    const layers = lenet5Layers().map((l) => {
      const n = l.shape.reduce((a, b) => a * b, 1);
      const mask = Uint8Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 1 : 0));
      return { ...l, mask };
    });
    const specs = planLayerTensors(layers);
    expect(encodeContainer(materialise(specs, 2)).length).toBe(predictContainerBytes(specs));
  });
});
