import { packBinaryRows } from '@quantprune/formats';
import { describe, expect, it } from 'vitest';
import { BACKENDS, registerBoth } from '../test-backends.ts';
import { randomFloats } from '../test-random.ts';
import { packSigns } from './pack-signs.ts';

await registerBoth();

describe.each(BACKENDS)('packSigns (%s)', (backend) => {
  it('packs bit 1 for negative values, 0 for +, ±0 and NaN', () => {
    // columns: 1, −2, 0, −0.5 | −0, NaN, −Infinity, 3 → bits 0b1010 and 0b0100 (by hand)
    const m = packSigns(Float32Array.of(1, -2, 0, -0.5, -0, NaN, -Infinity, 3), 2, 4, { backend });
    expect([...m.words]).toEqual([0b1010, 0b0100]);
    expect(m.wordsPerRow).toBe(1);
  });

  it('treats −0, NaN and ±Infinity the same way in whole 32-value words (the SIMD path)', () => {
    const x = randomFloats(64, 9);
    x.set([-0, NaN, -Infinity, Infinity, -NaN, -1e-45], 3);
    x.set([NaN, -0], 40);
    expect(packSigns(x, 1, 64, { backend })).toEqual(packBinaryRows(x, 1, 64));
  });

  it.each([[1, 1], [3, 31], [2, 32], [5, 33], [4, 64], [3, 100]])('equals packBinaryRows for %i×%i and row alignments', (rows, cols) => {
    const x = randomFloats(rows * cols, rows * 1000 + cols);
    for (const rowAlignWords of [1, 2, 4]) {
      expect(packSigns(x, rows, cols, { backend, rowAlignWords })).toEqual(packBinaryRows(x, rows, cols, { rowAlignWords }));
    }
  });
});

describe('packSigns validation', () => {
  it('rejects a size mismatch and a bad alignment', () => {
    expect(() => packSigns(new Float32Array(5), 2, 3)).toThrow(/packSigns: values must have 6 elements, got 5/);
    expect(() => packSigns(new Float32Array(6), 2, 3, { rowAlignWords: 0 })).toThrow(/rowAlignWords must be an integer ≥ 1/);
  });
});
