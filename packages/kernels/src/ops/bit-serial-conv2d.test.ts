import { packBitPlanes } from '@quantprune/formats';
import { describe, expect, it } from 'vitest';
import { resolveConvGeometry, type Conv2dOptions } from '../conv-geometry.ts';
import { packConv2dWeightPlanes, packConv2dWeights } from '../conv-weights.ts';
import { scaleBiasTransform, thresholdTransform } from '../output-transform.ts';
import { BACKENDS, registerBoth } from '../test-backends.ts';
import { floatConv } from '../test-oracle.ts';
import { randomCodes, randomFloats } from '../test-random.ts';
import { bitSerialConv2d } from './bit-serial-conv2d.ts';
import { bitSerialUnit } from './bit-serial-gemm.ts';

await registerBoth();

// DoReFa levels in float64: activations c/3 ∈ {0, ⅓, ⅔, 1}, 2-bit weights 2c/3 − 1 ∈ {−1, −⅓, ⅓, 1}, and ±1
// weights (bit 1 = −1); the integer level units (×3) are c, 2c − 3 and 1 − 2b
const actLevel = (c: number): number => c / 3;
const weightLevel = (bits: 1 | 2, c: number): number => (bits === 2 ? (2 * c) / 3 - 1 : 1 - 2 * c);
const weightUnits = (bits: 1 | 2, c: number): number => (bits === 2 ? 2 * c - 3 : 1 - 2 * c);

const cases: { name: string; options: Conv2dOptions }[] = [];
for (const k of [1, 3]) {
  for (const s of [1, 2]) {
    for (const pad of k === 3 ? [0, 1, 2] : [0, 1]) {
      cases.push({ name: `${k}×${k} stride ${s} pad ${pad}`, options: { inputShape: [2, 7, 6, 37], outChannels: 6, kernelSize: k, strides: s, padding: pad } });
    }
  }
}
cases.push({ name: '3×3 64 channels (one u64 pair per tap)', options: { inputShape: [1, 5, 5, 64], outChannels: 9, kernelSize: 3, padding: 1 } });
cases.push({ name: '3×3 96 channels (odd word count per tap)', options: { inputShape: [1, 4, 5, 96], outChannels: 5, kernelSize: 3, strides: 2, padding: 1 } });
cases.push({ name: '3×1 kernel, strides [2, 1], padding [1, 0]', options: { inputShape: [1, 6, 5, 5], outChannels: 3, kernelSize: [3, 1], strides: [2, 1], padding: [1, 0] } });
cases.push({ name: '1 input channel, 1×1 stride 1 (no im2col)', options: { inputShape: [1, 4, 4, 1], outChannels: 2, kernelSize: 1 } });

describe.each(BACKENDS)('bitSerialConv2d (%s)', (backend) => {
  describe.each([2, 1] as const)('A2W%i', (bits) => {
    it.each(cases)('equals the float convolution of the levels: $name', ({ options }) => {
      const g = resolveConvGeometry(options);
      const [kh, kw] = [g.kernelHeight, g.kernelWidth];
      const pixels = g.batch * g.height * g.width;
      const x = randomCodes(pixels * g.inChannels, 2, 31);
      const wc = randomCodes(g.outChannels * kh * kw * g.inChannels, bits, 32);
      const w = packConv2dWeightPlanes(wc, [g.outChannels, kh, kw, g.inChannels], bits);
      const y = bitSerialConv2d(x, w, { ...options, backend });
      // exact in integer level units (×3 per factor: float64 sums of small integers are exact)
      expect([...y]).toEqual([...floatConv(x, Array.from(wc, (c) => weightUnits(bits, c)), g)]);
      // and result / unit is the float dot product of the real levels (sums of thirds: 1e-12 per term)
      const f = floatConv(Array.from(x, actLevel), Array.from(wc, (c) => weightLevel(bits, c)), g);
      const k = kh * kw * g.inChannels;
      for (let i = 0; i < y.length; i++) expect(Math.abs(y[i]! / bitSerialUnit(bits) - f[i]!)).toBeLessThan(1e-12 * k);
      // the same from bit planes (with a different row alignment than the kernels use)
      const planes = packBitPlanes(x, 2, pixels, g.inChannels, { rowAlignWords: 3 });
      expect(bitSerialConv2d(planes, w, { ...options, backend })).toEqual(y);
    });
  });

  it('takes ±1 weights from packConv2dWeights (A2W1) and fuses a scale-bias transform (float32 math)', () => {
    const options: Conv2dOptions = { inputShape: [1, 6, 6, 40], outChannels: 35, kernelSize: 3, padding: 1 };
    const g = resolveConvGeometry(options);
    const x = randomCodes(6 * 6 * 40, 2, 41);
    const wf = randomFloats(35 * 9 * 40, 42);
    const sums = bitSerialConv2d(x, [packConv2dWeights(wf, [35, 3, 3, 40])], { ...options, backend });
    expect([...sums]).toEqual([...floatConv(x, Array.from(wf, (v) => (v < 0 ? -1 : 1)), g)]);
    const scale = randomFloats(35, 43).map((v) => v / 3);
    const bias = randomFloats(35, 44).map((v) => v * 20);
    const y = bitSerialConv2d(x, [packConv2dWeights(wf, [35, 3, 3, 40])], { ...options, backend, transform: scaleBiasTransform(scale, bias) });
    expect(y).toBeInstanceOf(Float32Array);
    for (let i = 0; i < y.length; i++) expect(y[i]).toBe(Math.fround(Math.fround(sums[i]! * scale[i % 35]!) + bias[i % 35]!));
  });
});

describe('bitSerialConv2d validation', () => {
  const w = packConv2dWeightPlanes(new Uint8Array(2 * 9 * 3), [2, 3, 3, 3], 2);
  const base: Conv2dOptions = { inputShape: [1, 4, 4, 3], outChannels: 2, kernelSize: 3 };
  const x = new Uint8Array(48);
  it('rejects inconsistent shapes, codes above 3, +1 padding and threshold transforms', () => {
    expect(() => bitSerialConv2d(new Uint8Array(47), w, base)).toThrow(/bitSerialConv2d: input must have 48 elements/);
    expect(() => bitSerialConv2d(Uint8Array.from(x, (_, i) => (i === 5 ? 4 : 0)), w, base)).toThrow(/input codes must be 0..3, got 4 at index 5/);
    expect(() => bitSerialConv2d(packBitPlanes(x, 2, 16, 3).slice(0, 1), w, base)).toThrow(/input must be 2 bit planes/);
    expect(() => bitSerialConv2d(packBitPlanes(new Uint8Array(45), 2, 15, 3), w, base)).toThrow(/input\[0\] must be 16×3/);
    expect(() => bitSerialConv2d(x, [...w, w[0]!], base)).toThrow(/weights must be 1 or 2 bit planes/);
    expect(() => bitSerialConv2d(x, w, { ...base, outChannels: 3 })).toThrow(/weights must be 3×288/);
    expect(() => bitSerialConv2d(x, w, { ...base, padValue: 1 })).toThrow(/padValue must be 0/);
    const threshold = thresholdTransform([1, 1], [0, 0]) as unknown as ReturnType<typeof scaleBiasTransform>;
    expect(() => bitSerialConv2d(x, w, { ...base, transform: threshold })).toThrow(/transform must be a scale-bias transform/);
    expect(() => bitSerialConv2d(x, w, { ...base, transform: scaleBiasTransform([1], [0]) })).toThrow(/one per output channel \(2\)/);
  });
});
