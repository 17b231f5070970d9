import { packBinaryRows, packBitPlanes } from '@quantprune/formats';
import { describe, expect, it } from 'vitest';
import { resolveConvGeometry } from './conv-geometry.ts';
import { packConv2dWeightPlanes, packConv2dWeights, tapWeightSums } from './conv-weights.ts';
import { sign } from './test-oracle.ts';
import { randomCodes, randomFloats } from './test-random.ts';

describe('packConv2dWeights', () => {
  it('is packBinaryRows of the OHWI matrix when C is a multiple of 32', () => {
    const w = randomFloats(4 * 9 * 64, 1);
    expect(packConv2dWeights(w, [4, 3, 3, 64])).toEqual(packBinaryRows(w, 4, 9 * 64));
  });

  it('starts every tap on a fresh word when C is not (padding bits 0 = +1)', () => {
    const w = Float32Array.from({ length: 2 * 2 * 3 }, (_, i) => (i % 2 ? -1 : 1)); // [2, 1, 2, 3]
    const m = packConv2dWeights(w, [2, 1, 2, 3]);
    expect([m.cols, m.wordsPerRow]).toEqual([64, 2]);
    // taps hold channels (+1, −1, +1) and (−1, +1, −1): bits 0b010 and 0b101 (by hand)
    expect([...m.words]).toEqual([0b010, 0b101, 0b010, 0b101]);
  });

  it('rejects a shape that does not match', () => {
    expect(() => packConv2dWeights(new Float32Array(5), [1, 1, 1, 4])).toThrow(/needs 4 values, got 5/);
    expect(() => packConv2dWeights(new Float32Array(0), [0, 1, 1, 4])).toThrow(/shape must be 4 positive integers/);
  });
});

describe('packConv2dWeightPlanes', () => {
  it('is packBitPlanes of the OHWI codes when C is a multiple of 32', () => {
    const codes = randomCodes(3 * 9 * 64, 2, 3);
    expect(packConv2dWeightPlanes(codes, [3, 3, 3, 64], 2)).toEqual(packBitPlanes(codes, 2, 3, 9 * 64));
  });

  it('pads every tap like packConv2dWeights: one bit plane equals the packed ±1 weights', () => {
    const bits = randomCodes(4 * 9 * 37, 1, 4);
    const planes = packConv2dWeightPlanes(bits, [4, 3, 3, 37], 1);
    expect(planes).toEqual([packConv2dWeights(Float32Array.from(bits, (b) => (b ? -1 : 1)), [4, 3, 3, 37])]);
    // 2-bit codes (3, 1) of taps with 2 channels: plane 0 = 0b11, plane 1 = 0b01 on a fresh word per tap (by hand)
    const two = packConv2dWeightPlanes([3, 1, 3, 1], [1, 1, 2, 2], 2);
    expect(two.map((p) => [...p.words])).toEqual([
      [0b11, 0b11],
      [0b01, 0b01],
    ]);
  });

  it('rejects bad bit counts, shapes and codes', () => {
    expect(() => packConv2dWeightPlanes([0], [1, 1, 1, 1], 3 as 2)).toThrow(/bits must be 1 or 2, got 3/);
    expect(() => packConv2dWeightPlanes([0, 1], [1, 1, 1, 1], 2)).toThrow(/needs 1 codes, got 2/);
    expect(() => packConv2dWeightPlanes([0, 2], [1, 1, 1, 2], 1)).toThrow(/codes\[1\] must be an integer in \[0, 2\), got 2/);
    expect(() => packConv2dWeightPlanes([0.5], [1, 1, 1, 1], 2)).toThrow(/codes\[0\] must be an integer/);
  });
});

describe('tapWeightSums', () => {
  it('sums the ±1 weights of each tap and output channel', () => {
    const w = randomFloats(3 * 9 * 37, 2);
    const g = resolveConvGeometry({ inputShape: [1, 5, 5, 37], outChannels: 3, kernelSize: 3 });
    const table = tapWeightSums(packConv2dWeights(w, [3, 3, 3, 37]), g);
    for (let n = 0; n < 3; n++) {
      for (let t = 0; t < 9; t++) {
        let s = 0;
        for (let c = 0; c < 37; c++) s += sign(w[(n * 9 + t) * 37 + c]!);
        expect(table[t * 3 + n]).toBe(s);
      }
    }
  });
});
