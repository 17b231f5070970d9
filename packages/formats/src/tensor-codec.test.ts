import { describe, expect, it } from 'vitest';
import { FormatError } from './errors.ts';
import { affineQuantization, dorefaLevels, levelsQuantization } from './quantization.ts';
import { decodeTensor, encodeTensor, payloadSections, validateTensorEncoding } from './tensor-codec.ts';

describe('encodeTensor', () => {
  it('stores DoReFa 2-bit codes in 2 bits each after the level table', () => {
    const t = encodeTensor({ name: 'w', shape: [2, 4], codes: [0, 1, 2, 3, 3, 2, 1, 0], quantization: levelsQuantization(2, dorefaLevels(2)) });
    expect(payloadSections([2, 4], t.encoding)).toEqual([['parameters', 16], ['codes', 4]]);
    const d = decodeTensor('w', [2, 4], t.encoding, t.payload);
    // DoReFa 2-bit levels {−1, −1/3, 1/3, 1} (papers.md §A.3.2), float32 tolerance 1e-7
    expect([...d.values()].map((v) => Math.round(v * 3))).toEqual([-3, -1, 1, 3, 3, 1, -1, -3]);
    expect([...d.packedCodes()!]).toEqual([0b11_10_01_00, 0b00_01_10_11]);
  });

  it('keeps XNOR per-channel scales and signed INT4 codes', () => {
    const xnor = levelsQuantization(1, [-1, 1], { scale: [0.5, 2], axis: 0 });
    const t = encodeTensor({ name: 'x', shape: [2, 2], codes: [1, 0, 0, 1], quantization: xnor });
    expect([...decodeTensor('x', [2, 2], t.encoding, t.payload).values()]).toEqual([0.5, -0.5, -2, 2]);
    const int4 = affineQuantization(4, 0.25, 0, { signed: true });
    const s = encodeTensor({ name: 's', shape: [3], codes: [-8, 0, 7], quantization: int4 });
    const d = decodeTensor('s', [3], s.encoding, s.payload);
    expect([...d.codes()!]).toEqual([-8, 0, 7]);
    expect([...d.values()]).toEqual([-2, 0, 1.75]);
  });

  it('prunes binary weights through a mask with the bitmask format, and refuses relative fillers without a zero code', () => {
    const q = levelsQuantization(1, [-1, 1]);
    const mask = Uint8Array.from({ length: 40 }, (_, i) => (i === 0 || i === 39 ? 1 : 0));
    const codes = new Uint8Array(40).fill(1);
    const t = encodeTensor({ name: 'b', shape: [40], codes, quantization: q, mask, sparse: { kind: 'bitmask' } });
    const d = decodeTensor('b', [40], t.encoding, t.payload);
    expect(d.values()[0]).toBe(1);
    expect(d.values()[1]).toBe(0);
    expect([...d.mask()!]).toEqual([...mask]);
    expect(() => encodeTensor({ name: 'b', shape: [40], codes, quantization: q, mask, sparse: { kind: 'relative', indexBits: 2 } })).toThrow(
      /needs a code that dequantizes to 0/,
    );
  });

  it('emits Deep-Compression fillers for long gaps, including trailing ones', () => {
    const data = new Float32Array(20);
    data[10] = 3;
    const t = encodeTensor({ name: 'r', shape: [20], data, sparse: { kind: 'relative', indexBits: 2 } });
    // gap 10 with 2-bit gaps (max 3): fillers at 3 and 7, entry at 10, then fillers at 14 and 18 so ≤ 3 elements trail
    expect(t.encoding.count).toBe(5);
    expect([...decodeTensor('r', [20], t.encoding, t.payload).values()]).toEqual([...data]);
  });

  it('rejects inconsistent input with RangeErrors naming the tensor', () => {
    expect(() => encodeTensor({ name: 'a', shape: [3], data: new Float32Array(2) })).toThrow(/"a" of shape \[3\] needs 3 elements, got 2/);
    expect(() => encodeTensor({ name: 'a', shape: [2], codes: [0, 4], quantization: levelsQuantization(2, dorefaLevels(2)) })).toThrow(
      /code 4 at index 1 of "a" is outside \[0, 3\]/,
    );
    expect(() => affineQuantization(9, 1)).toThrow(/affineQuantization: bits must be an integer in \[1, 8\], got 9/);
    expect(() => affineQuantization(2, 1, 5)).toThrow(/zeroPoint 5 is outside/);
    expect(() => levelsQuantization(1, [0, 1, 2])).toThrow(/levels must have 1..2 entries/);
  });
});

describe('validateTensorEncoding', () => {
  const ok = { dtype: 'float32', values: { kind: 'raw' }, sparse: null, count: 4, huffman: null };
  it('accepts a valid descriptor and rejects each kind of hostile field with FormatError', () => {
    expect(validateTensorEncoding(ok, [4], 't', 0).count).toBe(4);
    const bad: unknown[] = [
      null,
      { ...ok, dtype: 'float64' },
      { ...ok, count: 5 },
      { ...ok, values: { kind: 'affine', bits: 9, signed: false, channels: 1, axis: null } },
      { ...ok, values: { kind: 'levels', bits: 2, levels: 5, channels: 0, axis: null } },
      { ...ok, sparse: { kind: 'relative', indexBits: 2 }, count: 0 },
      { ...ok, values: { kind: 'raw' }, huffman: { valueBits: 1, indexBits: null } },
    ];
    for (const b of bad) expect(() => validateTensorEncoding(b, [4], 't', 7)).toThrow(FormatError);
    expect(() => validateTensorEncoding({ ...ok, sparse: { kind: 'relative', indexBits: 1 }, count: 1 }, [1000], 't', 7)).toThrow(
      /cannot span 1000 elements/,
    );
  });
});
