import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { packBinaryRows, packBitPlanes, unpackBinaryRows } from './kernel-layout.ts';

function popcount(x: number): number {
  let c = 0;
  for (let v = x >>> 0; v; v &= v - 1) c++;
  return c;
}

describe('packBinaryRows', () => {
  it('sets bit 1 for −1, bit 0 for +1 and for 0 (sign(0) = +1)', () => {
    const m = packBinaryRows(Float32Array.of(1, -1, 0, -0.5), 1, 4);
    expect(m.wordsPerRow).toBe(1);
    expect(m.words[0]).toBe(0b1010);
  });

  it('pads rows to whole words (and to rowAlignWords) with zero bits', () => {
    const m = packBinaryRows(new Float32Array(2 * 33).fill(-1), 2, 33, { rowAlignWords: 4 });
    expect(m.wordsPerRow).toBe(4);
    expect([...m.words.subarray(0, 4)]).toEqual([0xffffffff, 1, 0, 0]);
    expect(() => packBinaryRows(new Float32Array(5), 2, 3)).toThrow(/packBinaryRows: expected rows·cols = 2·3 = 6 values, got 5/);
  });

  it('packs weights within 2 % of weights/8 bytes for a 3×3×64 conv', () => {
    const m = packBinaryRows(new Float32Array(64 * 576), 64, 576);
    expect(m.words.byteLength).toBeLessThanOrEqual(1.02 * ((64 * 576) / 8));
  });
});

const matrices = fc
  .record({ rows: fc.integer({ min: 1, max: 4 }), cols: fc.integer({ min: 1, max: 140 }), align: fc.integer({ min: 1, max: 4 }) })
  .chain(({ rows, cols, align }) =>
    fc.record({
      rows: fc.constant(rows),
      cols: fc.constant(cols),
      align: fc.constant(align),
      a: fc.array(fc.constantFrom(-1, 1), { minLength: rows * cols, maxLength: rows * cols }),
      b: fc.array(fc.constantFrom(-1, 1), { minLength: cols, maxLength: cols }),
    }),
  );

test.prop([matrices], { numRuns: 1000 })('dot = K − 2·popcount(a XOR b) with K the real length; unpack inverts pack', ({ rows, cols, align, a, b }) => {
  const A = packBinaryRows(a, rows, cols, { rowAlignWords: align });
  const B = packBinaryRows(b, 1, cols, { rowAlignWords: align });
  expect([...unpackBinaryRows(A)]).toEqual(a);
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    for (let c = 0; c < cols; c++) dot += a[r * cols + c]! * b[c]!;
    let pop = 0;
    for (let w = 0; w < A.wordsPerRow; w++) pop += popcount(A.words[r * A.wordsPerRow + w]! ^ B.words[w]!);
    expect(cols - 2 * pop).toBe(dot);
  }
});

test.prop([fc.integer({ min: 1, max: 4 }), fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 100 })], { numRuns: 1000 })(
  'bit planes recombine to the codes',
  (bits, raw) => {
    const codes = raw.map((c) => c % 2 ** bits);
    const planes = packBitPlanes(codes, bits, 1, codes.length);
    codes.forEach((code, c) => {
      let v = 0;
      planes.forEach((p, i) => (v |= ((p.words[c >>> 5]! >>> (c & 31)) & 1) << i));
      expect(v).toBe(code);
    });
  },
);
