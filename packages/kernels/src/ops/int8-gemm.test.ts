import { describe, expect, it } from 'vitest';
import { BACKENDS, registerBoth } from '../test-backends.ts';
import { floatGemm } from '../test-oracle.ts';
import { rng } from '../test-random.ts';
import { int8Gemm } from './int8-gemm.ts';

await registerBoth();

const randomInt8 = (n: number, seed: number): Int8Array => {
  const r = rng(seed);
  return Int8Array.from({ length: n }, () => Math.floor(r() * 256) - 128);
};

describe.each(BACKENDS)('int8Gemm (%s)', (backend) => {
  it.each([1, 7, 8, 9, 100, 1000])('equals the exact integer product for K = %i', (k) => {
    const [m, n] = [4, 7];
    const a = randomInt8(m * k, k);
    const b = randomInt8(n * k, k + 1);
    expect([...int8Gemm(a, b, m, n, k, { backend })]).toEqual([...floatGemm(a, b, m, n, k)]);
  });

  it('reaches the extremes without overflow (−128·−128 summed)', () => {
    const k = 1000;
    const a = new Int8Array(k).fill(-128);
    expect([...int8Gemm(a, a, 1, 1, k, { backend })]).toEqual([16384 * k]);
  });
});

describe('int8Gemm validation', () => {
  it('rejects wrong lengths and too large K', () => {
    expect(() => int8Gemm(new Int8Array(5), new Int8Array(6), 2, 2, 3)).toThrow(/int8Gemm: a must have 6 elements, got 5/);
    expect(() => int8Gemm(new Int8Array(0), new Int8Array(0), 0, 0, 2 ** 17)).toThrow(/k must be < 131072/);
    expect(int8Gemm(new Int8Array(0), new Int8Array(0), 0, 3, 0)).toEqual(new Int32Array(0));
  });
});
