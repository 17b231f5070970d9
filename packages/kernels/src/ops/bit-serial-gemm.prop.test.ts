import { fc, test } from '@fast-check/vitest';
import { packBitPlanes } from '@quantprune/formats';
import { expect } from 'vitest';
import { registerBoth } from '../test-backends.ts';
import { floatGemm } from '../test-oracle.ts';
import { randomCodes } from '../test-random.ts';
import { bitSerialGemm } from './bit-serial-gemm.ts';

await registerBoth();

test.prop(
  [fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 11 }), fc.integer({ min: 1, max: 260 }), fc.constantFrom(1 as const, 2 as const), fc.constantFrom('unsigned' as const, 'signed' as const), fc.nat()],
  { numRuns: 80 },
)('bitSerialGemm: wasm = reference = integer level products (levels ×3)', (m, n, k, wBits, levels, seed) => {
  const a = randomCodes(m * k, 2, seed);
  const w = randomCodes(n * k, wBits, seed + 1);
  // integer level values ×3: activations a or 2a − 3, weights 2w − 3 (DoReFa) or 1 − 2b (bit 1 = −1)
  const av = Array.from(a, (c) => (levels === 'unsigned' ? c : 2 * c - 3));
  const wv = Array.from(w, (c) => (wBits === 2 ? 2 * c - 3 : 1 - 2 * c));
  const expected = [...floatGemm(av, wv, m, n, k)];
  const ap = packBitPlanes(a, 2, m, k);
  const wp = packBitPlanes(w, wBits, n, k);
  expect([...bitSerialGemm(ap, wp, { backend: 'wasm', activationLevels: levels })]).toEqual(expected);
  expect([...bitSerialGemm(ap, wp, { backend: 'reference', activationLevels: levels })]).toEqual(expected);
});
