import { fc, test } from '@fast-check/vitest';
import { packBinaryRows } from '@quantprune/formats';
import { expect } from 'vitest';
import { registerBoth } from '../test-backends.ts';
import { floatGemm, sign } from '../test-oracle.ts';
import { randomFloats } from '../test-random.ts';
import { binaryGemm } from './binary-gemm.ts';

await registerBoth();

test.prop([fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 4 }), fc.nat()], {
  numRuns: 80,
})('binaryGemm: wasm = reference = float ±1 product for random shapes and alignments', (m, n, k, align, seed) => {
  const x = randomFloats(m * k, seed);
  const y = randomFloats(n * k, seed + 1);
  const a = packBinaryRows(x, m, k, { rowAlignWords: align });
  const b = packBinaryRows(y, n, k, { rowAlignWords: 5 - align });
  const expected = [...floatGemm(x.map(sign), y.map(sign), m, n, k)];
  expect([...binaryGemm(a, b, { backend: 'wasm' })]).toEqual(expected);
  expect([...binaryGemm(a, b, { backend: 'reference' })]).toEqual(expected);
});
