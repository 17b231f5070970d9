import { packBinaryRows } from '@quantprune/formats';
import { describe, expect, it } from 'vitest';
import { resolveConvGeometry, type Conv2dOptions } from '../conv-geometry.ts';
import { packConv2dWeights } from '../conv-weights.ts';
import { scaleBiasTransform, thresholdTransform } from '../output-transform.ts';
import { BACKENDS, registerBoth } from '../test-backends.ts';
import { floatBinaryConv, sign } from '../test-oracle.ts';
import { randomFloats } from '../test-random.ts';
import { binaryConv2d } from './binary-conv2d.ts';

await registerBoth();

interface Case {
  readonly name: string;
  readonly options: Conv2dOptions;
}

const cases: Case[] = [];
for (const k of [1, 3]) {
  for (const s of [1, 2]) {
    for (const pad of k === 3 ? [0, 1, 2] : [0, 1]) {
      for (const padValue of [0, 1] as const) {
        cases.push({
          name: `${k}×${k} stride ${s} pad ${pad} value ${padValue}`,
          options: { inputShape: [2, 7, 6, 37], outChannels: 6, kernelSize: k, strides: s, padding: pad, padValue },
        });
      }
    }
  }
}
cases.push({ name: '3×3 64 channels (word-aligned taps)', options: { inputShape: [1, 5, 5, 64], outChannels: 9, kernelSize: 3, padding: 1 } });
cases.push({ name: '3×1 kernel, strides [2, 1], padding [1, 0]', options: { inputShape: [1, 6, 5, 5], outChannels: 3, kernelSize: [3, 1], strides: [2, 1], padding: [1, 0] } });
cases.push({ name: '1 input channel', options: { inputShape: [1, 4, 4, 1], outChannels: 2, kernelSize: 3, padding: 1 } });

describe.each(BACKENDS)('binaryConv2d (%s)', (backend) => {
  it.each(cases)('equals the float ±1 convolution: $name', ({ options }) => {
    const g = resolveConvGeometry(options);
    const [kh, kw] = [g.kernelHeight, g.kernelWidth];
    const x = randomFloats(g.batch * g.height * g.width * g.inChannels, 11);
    const w = randomFloats(g.outChannels * kh * kw * g.inChannels, 12);
    const packed = packConv2dWeights(w, [g.outChannels, kh, kw, g.inChannels]);
    const expected = [...floatBinaryConv(x, w, g)];
    expect([...binaryConv2d(x, packed, { ...options, backend })]).toEqual(expected);
    // the same from packed pixels (with a different row alignment than the kernels use)
    const pixels = packBinaryRows(x, g.batch * g.height * g.width, g.inChannels, { rowAlignWords: 3 });
    expect([...binaryConv2d(pixels, packed, { ...options, backend })]).toEqual(expected);
  });

  it('fuses a scale-bias transform (float32 math) and a threshold transform (packed signs)', () => {
    const options: Conv2dOptions = { inputShape: [1, 6, 6, 40], outChannels: 35, kernelSize: 3, padding: 1 };
    const g = resolveConvGeometry(options);
    const x = randomFloats(6 * 6 * 40, 21);
    const w = randomFloats(35 * 9 * 40, 22);
    const packed = packConv2dWeights(w, [35, 3, 3, 40]);
    const sums = floatBinaryConv(x, w, g);
    const scale = randomFloats(35, 23).map((v) => v * 0.1);
    const bias = randomFloats(35, 24).map((v) => v * 20);
    const y = binaryConv2d(x, packed, { ...options, backend, transform: scaleBiasTransform(scale, bias) });
    expect(y).toBeInstanceOf(Float32Array);
    for (let i = 0; i < y.length; i++) expect(y[i]).toBe(Math.fround(Math.fround(sums[i]! * scale[i % 35]!) + bias[i % 35]!));
    const bits = binaryConv2d(x, packed, { ...options, backend, transform: thresholdTransform(scale, bias) });
    expect(bits.wordsPerRow).toBe(2);
    for (let r = 0; r < 36; r++) {
      for (let n = 0; n < 35; n++) {
        const bit = (bits.words[r * 2 + (n >>> 5)]! >>> (n & 31)) & 1;
        expect(bit).toBe(sign(scale[n]! * sums[r * 35 + n]! + bias[n]!) < 0 ? 1 : 0);
      }
    }
  });
});

describe('binaryConv2d validation', () => {
  const w = packConv2dWeights(new Float32Array(2 * 9 * 3), [2, 3, 3, 3]);
  const base: Conv2dOptions = { inputShape: [1, 4, 4, 3], outChannels: 2, kernelSize: 3 };
  it('rejects inconsistent shapes with messages naming the argument', () => {
    expect(() => binaryConv2d(new Float32Array(47), w, base)).toThrow(/binaryConv2d: input must have 48 elements/);
    expect(() => binaryConv2d(new Float32Array(48), w, { ...base, outChannels: 3 })).toThrow(/weights must be 3×288/);
    expect(() => binaryConv2d(new Float32Array(48), w, { ...base, kernelSize: 5 })).toThrow(/kernel 5×5 is larger than the padded input/);
    expect(() => binaryConv2d(new Float32Array(48), w, { ...base, strides: 0 })).toThrow(/strides must be integers ≥ 1/);
    expect(() => binaryConv2d(new Float32Array(48), w, { ...base, padValue: 2 as 0 })).toThrow(/padValue must be 0 or 1/);
    expect(() => binaryConv2d(new Float32Array(48), w, { ...base, transform: scaleBiasTransform([1], [0]) })).toThrow(/one per output channel \(2\)/);
  });
});
