import { packBinaryRows, unpackBinaryRows } from '@quantprune/formats';
import { describe, expect, it } from 'vitest';
import { BACKENDS, registerBoth } from '../test-backends.ts';
import { floatGemm, sign } from '../test-oracle.ts';
import { randomFloats } from '../test-random.ts';
import { binaryGemm } from './binary-gemm.ts';

await registerBoth();

describe.each(BACKENDS)('binaryGemm (%s)', (backend) => {
  it('matches a hand-computed product', () => {
    // a = [+1 −1 +1], b rows [+1 +1 +1] and [−1 +1 +1]: dots 1 and −1 (by hand)
    const a = packBinaryRows(Float32Array.of(1, -1, 1), 1, 3);
    const b = packBinaryRows(Float32Array.of(1, 1, 1, -1, 1, 1), 2, 3);
    expect([...binaryGemm(a, b, { backend })]).toEqual([1, -1]);
  });

  it.each([1, 7, 31, 32, 33, 63, 64, 65, 127, 129, 576, 1000])('equals the float ±1 product for K = %i and ragged M, N', (k) => {
    const m = 5;
    const n = 7; // one full 4-column panel and 3 columns in the last one
    const x = randomFloats(m * k, k);
    const y = randomFloats(n * k, k + 1);
    const expected = floatGemm(x.map(sign), y.map(sign), m, n, k);
    const got = binaryGemm(packBinaryRows(x, m, k), packBinaryRows(y, n, k, { rowAlignWords: 4 }), { backend });
    expect([...got]).toEqual([...expected]);
  });

  it('equals the float ±1 product for a large B (K = 1100, N = 302: 75 full panels of 18 words, then 2 columns)', () => {
    const [m, n, k] = [6, 302, 1100];
    const x = randomFloats(m * k, 3);
    const y = randomFloats(n * k, 4);
    const expected = floatGemm(x.map(sign), y.map(sign), m, n, k);
    const got = binaryGemm(packBinaryRows(x, m, k), packBinaryRows(y, n, k, { rowAlignWords: 4 }), { backend });
    expect([...got]).toEqual([...expected]);
  });

  it.each([576, 520])('equals the float ±1 product for K = %i, N a multiple of 4 and 300 rows (wasm: the weight-stationary kernel, two row blocks)', (k) => {
    const [m, n] = [300, 8];
    const x = randomFloats(m * k, 11);
    const y = randomFloats(n * k, 12);
    const expected = floatGemm(x.map(sign), y.map(sign), m, n, k);
    expect([...binaryGemm(packBinaryRows(x, m, k), packBinaryRows(y, n, k), { backend })]).toEqual([...expected]);
  });

  it('ignores garbage in padding bits', () => {
    const a = packBinaryRows(Float32Array.of(-1, 1, 1), 1, 3);
    const b = packBinaryRows(Float32Array.of(-1, -1, 1), 1, 3);
    const dirty = { ...a, words: Uint32Array.of(a.words[0]! | 0xfffffff8) };
    expect([...binaryGemm(dirty, b, { backend })]).toEqual([1]);
  });

  it('handles empty sizes and K = 0', () => {
    const e = packBinaryRows(new Float32Array(0), 0, 5);
    const one = packBinaryRows(new Float32Array(5), 1, 5);
    expect(binaryGemm(e, one, { backend }).length).toBe(0);
    const z = packBinaryRows(new Float32Array(0), 2, 0);
    expect([...binaryGemm(z, packBinaryRows(new Float32Array(0), 3, 0), { backend })]).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('binaryGemm validation', () => {
  it('rejects mismatched K and inconsistent matrices', () => {
    const a = packBinaryRows(new Float32Array(6), 2, 3);
    const b = packBinaryRows(new Float32Array(8), 2, 4);
    expect(() => binaryGemm(a, b)).toThrow(/binaryGemm: a has K = 3 columns but b has 4/);
    expect(() => binaryGemm({ ...a, wordsPerRow: 0 }, a)).toThrow(RangeError);
    expect(() => binaryGemm({ ...a, words: new Uint32Array(1) }, a)).toThrow(/a.words has 1 words/);
  });

  it('unpacks to the same ±1 values it packs (layout sanity)', () => {
    const x = randomFloats(3 * 40, 9);
    expect([...unpackBinaryRows(packBinaryRows(x, 3, 40))]).toEqual([...x].map(sign));
  });
});
