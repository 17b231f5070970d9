import { packBinaryRows, packBitPlanes } from '@quantprune/formats';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConvGeometry } from '../conv-geometry.ts';
import { packConv2dWeightPlanes, packConv2dWeights } from '../conv-weights.ts';
import { scaleBiasTransform, thresholdTransform } from '../output-transform.ts';
import { WasmLoadError } from '../errors.ts';
import { referenceBinaryConv2d } from '../reference/binary-conv2d.ts';
import { referenceBinaryGemm } from '../reference/binary-gemm.ts';
import { referenceBitSerialConv2d } from '../reference/bit-serial-conv2d.ts';
import { referenceBitSerialGemm } from '../reference/bit-serial-gemm.ts';
import { referenceInt8Gemm } from '../reference/int8-gemm.ts';
import { randomCodes, randomFloats, rng } from '../test-random.ts';
import { WasmKernels } from './wasm-kernels.ts';

const one = await WasmKernels.create();
const two = await WasmKernels.create({ threads: 2 });
afterAll(async () => {
  await one.dispose();
  await two.dispose();
});

describe('WasmKernels plans', () => {
  // the last case (K = 550: 9 words, N a multiple of 4) runs the weight-stationary kernel
  it.each([
    [1, 22, 200],
    [2, 22, 200],
    [3, 22, 200],
    [37, 22, 200],
    [65, 22, 200],
    [600, 12, 550],
  ])('give the same results on one and two threads (%i rows claimed in chunks by both, N = %i, K = %i)', (m, n, k) => {
    const a = packBinaryRows(randomFloats(m * k, 1), m, k);
    const b = packBinaryRows(randomFloats(n * k, 2), n, k);
    const expected = referenceBinaryGemm({ a, b });
    for (const wasm of [one, two]) {
      const plan = wasm.createBinaryGemm(b, m);
      plan.setA(a);
      for (let i = 0; i < 3; i++) {
        plan.c.fill(0);
        plan.run();
        expect(plan.c).toEqual(expected);
      }
      plan.dispose();
    }
    expect(two.threads).toBe(2);
  });

  it.each([
    ['no transform', undefined],
    ['scale-bias', scaleBiasTransform(randomFloats(8, 12), randomFloats(8, 13))],
    ['threshold', thresholdTransform(randomFloats(8, 14), randomFloats(8, 15))],
  ] as const)('run a 3×3 convolution over 64 channels (inside pixels from the packed input, windows at the border) on one and two threads: %s', (_, transform) => {
    const options = { inputShape: [2, 12, 11, 64], outChannels: 8, kernelSize: 3, padding: 1, transform } as const;
    const x = randomFloats(2 * 12 * 11 * 64, 10);
    const weights = packConv2dWeights(randomFloats(8 * 9 * 64, 11), [8, 3, 3, 64]);
    const reference = referenceBinaryConv2d({ input: x, weights, geometry: resolveConvGeometry(options), transform: transform ?? null });
    const expected = 'words' in reference ? reference.words : reference;
    for (const [wasm, inputKind] of [[one, 'float'], [two, 'float'], [one, 'packed']] as const) {
      const conv = wasm.createBinaryConv2d(weights, { ...options, inputKind });
      if (inputKind === 'float') conv.input.set(x);
      else conv.setPackedInput(packBinaryRows(x, 2 * 12 * 11, 64));
      conv.run();
      expect(conv.output).toEqual(expected);
      conv.dispose();
    }
  });

  it('run bit-serial, int8 and convolution plans on two threads', () => {
    const [m, n, k] = [9, 10, 150];
    const act = packBitPlanes(randomCodes(m * k, 2, 3), 2, m, k);
    const w = packBitPlanes(randomCodes(n * k, 2, 4), 2, n, k);
    const bs = two.createBitSerialGemm(w, m, 'signed');
    bs.setActivations(act);
    bs.run();
    expect(bs.c).toEqual(referenceBitSerialGemm({ activations: act, weights: w, activationLevels: 'signed' }));
    bs.dispose();

    const r = rng(5);
    const a8 = Int8Array.from({ length: m * k }, () => Math.floor(r() * 256) - 128);
    const b8 = Int8Array.from({ length: n * k }, () => Math.floor(r() * 256) - 128);
    const i8 = two.createInt8Gemm(b8, n, k, m);
    i8.setA(a8);
    i8.run();
    expect(i8.c).toEqual(referenceInt8Gemm({ a: a8, b: b8, m, n, k }));
    i8.dispose();

    const options = { inputShape: [1, 9, 9, 33], outChannels: 5, kernelSize: 3, strides: 2, padding: 1 } as const;
    const g = resolveConvGeometry(options);
    const x = randomFloats(9 * 9 * 33, 6);
    const weights = packConv2dWeights(randomFloats(5 * 9 * 33, 7), [5, 3, 3, 33]);
    const conv = two.createBinaryConv2d(weights, options);
    conv.input.set(x);
    const times = conv.profile();
    expect(Object.values(times).every((t) => t >= 0)).toBe(true);
    expect(conv.output).toEqual(referenceBinaryConv2d({ input: x, weights, geometry: g, transform: null }));
    conv.dispose();

    const codes = randomCodes(9 * 9 * 33, 2, 8);
    const planes = packConv2dWeightPlanes(randomCodes(5 * 9 * 33, 2, 9), [5, 3, 3, 33], 2);
    const bsConv = two.createBitSerialConv2d(planes, options);
    bsConv.input.set(codes);
    expect(Object.values(bsConv.profile()).every((t) => t >= 0)).toBe(true);
    expect(bsConv.output).toEqual(referenceBitSerialConv2d({ input: codes, weights: planes, geometry: g, transform: null }));
    bsConv.dispose();
  });

  it('keep working after the memory grew (views are re-created) and refuse to run once disposed', () => {
    const b = packBinaryRows(randomFloats(8 * 64, 8), 8, 64);
    const plan = one.createBinaryGemm(b, 4);
    const a = packBinaryRows(randomFloats(4 * 64, 9), 4, 64);
    plan.setA(a);
    const before = one.memoryBytes;
    const big = one.createBinaryGemm(packBinaryRows(new Float32Array(64), 1, 64), 100_000); // > 1 MB of buffers
    expect(one.memoryBytes).toBeGreaterThan(before);
    plan.run();
    expect(plan.c).toEqual(referenceBinaryGemm({ a, b }));
    big.dispose();
    plan.dispose();
    expect(() => plan.run()).toThrow(/disposed/);
  });

  it('expose packed activations and the packed threshold output as views', () => {
    const b = packBinaryRows(randomFloats(3 * 40, 10), 3, 40);
    const plan = one.createBinaryGemm(b, 2);
    expect(plan.wordsPerRow).toBe(2);
    const a = packBinaryRows(randomFloats(2 * 40, 11), 2, 40, { rowAlignWords: 2 });
    plan.a.set(a.words);
    plan.run();
    expect(plan.c).toEqual(referenceBinaryGemm({ a, b }));
    plan.dispose();
  });
});

describe('WasmKernels plan arguments', () => {
  it('are validated with errors naming the method', () => {
    const options = { inputShape: [1, 4, 4, 8], outChannels: 2, kernelSize: 3 } as const;
    expect(() => one.createBinaryConv2d(packConv2dWeights(new Float32Array(2 * 8), [2, 1, 1, 8]), options)).toThrow(/WasmKernels.createBinaryConv2d: weights must be 2×288/);
    expect(() => one.createBinaryGemm(packBinaryRows(new Float32Array(4), 1, 4), -1)).toThrow(/createBinaryGemm: rows must be an integer ≥ 0/);
    expect(() => one.createBitSerialGemm([], 1)).toThrow(/createBitSerialGemm: weights must be 1 or 2 bit planes/);
    const planes = packConv2dWeightPlanes(new Uint8Array(2 * 9 * 8), [2, 3, 3, 8], 2);
    expect(() => one.createBitSerialConv2d(planes, { ...options, padValue: 1 })).toThrow(/WasmKernels.createBitSerialConv2d: padValue must be 0/);
    const plan = one.createBitSerialConv2d(planes, { ...options, inputKind: 'planes' });
    expect(() => plan.input).toThrow(/inputKind 'planes'/);
    expect(() => plan.setInputPlanes([])).toThrow(/expected 2 planes of 16×8/);
    plan.dispose();
    expect(() => one.createInt8Gemm(new Int8Array(5), 2, 3, 1)).toThrow(/createInt8Gemm: b must have 6 elements/);
  });
});

describe('WasmKernels.create', () => {
  it('throws a WasmLoadError naming the source when the module is missing or invalid', async () => {
    await expect(WasmKernels.create({ source: new URL('file:///nonexistent/kernels.wasm') })).rejects.toThrow(WasmLoadError);
    await expect(WasmKernels.create({ source: Uint8Array.of(0, 97, 115, 109, 9, 9, 9, 9) })).rejects.toThrow(/cannot load <bytes>/);
    await expect(WasmKernels.create({ threads: 3 as 2 })).rejects.toThrow(/threads must be 1 or 2/);
  });
});
