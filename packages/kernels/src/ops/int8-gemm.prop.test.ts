import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { registerBoth } from '../test-backends.ts';
import { floatGemm } from '../test-oracle.ts';
import { int8Gemm } from './int8-gemm.ts';

await registerBoth();

const dims = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 70 }));

test.prop([dims.chain(([m, n, k]) => fc.tuple(fc.constant([m, n, k] as const), fc.int8Array({ minLength: m * k, maxLength: m * k }), fc.int8Array({ minLength: n * k, maxLength: n * k })))], {
  numRuns: 80,
})('int8Gemm: wasm = reference = exact integer product', ([[m, n, k], a, b]) => {
  const expected = [...floatGemm(a, b, m, n, k)];
  expect([...int8Gemm(a, b, m, n, k, { backend: 'wasm' })]).toEqual(expected);
  expect([...int8Gemm(a, b, m, n, k, { backend: 'reference' })]).toEqual(expected);
});
