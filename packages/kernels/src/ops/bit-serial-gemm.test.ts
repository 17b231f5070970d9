import { dorefaLevels, packBinaryRows, packBitPlanes } from '@quantprune/formats';
import { describe, expect, it } from 'vitest';
import type { ActivationLevels } from '../kernel-names.ts';
import { BACKENDS, registerBoth } from '../test-backends.ts';
import { floatGemm } from '../test-oracle.ts';
import { randomCodes } from '../test-random.ts';
import { bitSerialGemm, bitSerialUnit } from './bit-serial-gemm.ts';

await registerBoth();

// DoReFa 2-bit levels 2i/3 − 1 = {−1, −⅓, ⅓, 1} in float64 (formats.dorefaLevels(2) holds them in float32);
// activations {0, ⅓, ⅔, 1} ('unsigned', DoReFa activations) or the weight levels ('signed')
const weightLevels = Float64Array.from([0, 1, 2, 3], (i) => (2 * i) / 3 - 1);
const actLevels = (levels: ActivationLevels): Float64Array => (levels === 'unsigned' ? Float64Array.from([0, 1, 2, 3], (i) => i / 3) : weightLevels);

describe.each(BACKENDS)('bitSerialGemm (%s)', (backend) => {
  describe.each(['unsigned', 'signed'] as const)('%s activations', (activationLevels) => {
    it.each([1, 31, 64, 65, 130, 577])('A2W2 and A2W1 equal the float level products for K = %i', (k) => {
      const [m, n] = [3, 6];
      const a = randomCodes(m * k, 2, k);
      const w = randomCodes(n * k, 2, k + 7);
      const bits = randomCodes(n * k, 1, k + 8);
      const av = Array.from(a, (c) => actLevels(activationLevels)[c]!);
      const planes = packBitPlanes(a, 2, m, k);
      // A2W2: result / 9 is the float dot of the levels (float64 sums of thirds: tolerance 1e-12 per term)
      const y2 = bitSerialGemm(planes, packBitPlanes(w, 2, n, k), { backend, activationLevels });
      const f2 = floatGemm(av, Array.from(w, (c) => weightLevels[c]!), m, n, k);
      for (let i = 0; i < m * n; i++) {
        expect(Number.isInteger(y2[i])).toBe(true);
        expect(Math.abs(y2[i]! / bitSerialUnit(2) - f2[i]!)).toBeLessThan(1e-12 * k);
      }
      // A2W1: binary weights (bit 1 = −1) from packBinaryRows
      const wb = Float32Array.from(bits, (b) => (b ? -1 : 1));
      const y1 = bitSerialGemm(planes, [packBinaryRows(wb, n, k)], { backend, activationLevels });
      const f1 = floatGemm(av, wb, m, n, k);
      for (let i = 0; i < m * n; i++) expect(Math.abs(y1[i]! / bitSerialUnit(1) - f1[i]!)).toBeLessThan(1e-12 * k);
    });
  });
});

it('uses the DoReFa levels of @quantprune/formats', () => {
  expect([...dorefaLevels(2)]).toEqual([...weightLevels].map(Math.fround));
});

describe('bitSerialGemm validation', () => {
  const p = packBitPlanes(new Uint8Array(8), 2, 2, 4);
  it('accepts only A2W1 and A2W2 with matching shapes', () => {
    expect(() => bitSerialGemm([p[0]!], p)).toThrow(/activations must be 2 bit planes/);
    expect(() => bitSerialGemm(p, [...p, p[0]!])).toThrow(/weights must be 1 or 2 bit planes/);
    expect(() => bitSerialGemm(p, packBitPlanes(new Uint8Array(10), 2, 2, 5))).toThrow(/activations have K = 4, weights 5/);
    expect(() => bitSerialGemm(p, p, { activationLevels: 'x' as 'signed' })).toThrow(/activationLevels/);
  });
});
