import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { dequantizeCodes, type Quantization } from './quantization.ts';
import { decodeTensor, encodeTensor, payloadByteLength, type SparseFormat } from './tensor-codec.ts';

// Shapes of up to 3 dims, ≤ 240 elements; about half the elements zero so sparse formats have work to do.
const shapes = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }).filter((s) => s.reduce((a, b) => a * b, 1) <= 240);
const sparseFormats: (SparseFormat | undefined)[] = [undefined, { kind: 'bitmask' }, { kind: 'relative', indexBits: 2 }, { kind: 'relative', indexBits: 5 }, { kind: 'csr' }];

const rawTensors = shapes.chain((shape) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return fc.tuple(fc.constant(shape), fc.array(fc.oneof(fc.constant(0), fc.float({ noNaN: true })), { minLength: n, maxLength: n }));
});

const label = (s: SparseFormat | undefined): string => (s ? `${s.kind}${s.kind === 'relative' ? `-${s.indexBits}` : ''}` : 'dense');

for (const sparse of sparseFormats) test.prop([rawTensors], { numRuns: 1000 })(`raw float32 ${label(sparse)}: decode(encode(x)) = x`, ([shape, values]) => {
  const data = Float32Array.from(values);
  const t = encodeTensor({ name: 't', shape, data, ...(sparse ? { sparse } : {}) });
  expect(t.payload.length).toBe(payloadByteLength(shape, t.encoding));
  const back = decodeTensor('t', shape, t.encoding, t.payload).values();
  expect(plusZero(back)).toEqual(plusZero(data));
});

// Sparse formats drop −0 and restore it as +0: compare with signed zeros folded.
function plusZero(values: ArrayLike<number>): number[] {
  return Array.from(values, (v) => (v === 0 ? 0 : v));
}

// A quantized tensor: descriptor + codes. Level tables always hold a 0 so relative fillers work.
const quantized = shapes.chain((shape) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const channels = shape[0]!;
  return fc.integer({ min: 1, max: 8 }).chain((bits) =>
    fc.record({
      shape: fc.constant(shape),
      perChannel: fc.boolean(),
      signed: fc.boolean(),
      bits: fc.constant(bits),
      scale: fc.array(fc.float({ min: Math.fround(0.01), max: 10, noNaN: true }), { minLength: channels, maxLength: channels }),
      zero: fc.array(fc.integer({ min: 0, max: 2 ** bits - 1 }), { minLength: channels, maxLength: channels }),
      levels: fc.array(fc.float({ min: -4, max: 4, noNaN: true }), { minLength: 1, maxLength: 2 ** bits - 1 }),
      raw: fc.array(fc.integer({ min: 0, max: 2 ** bits - 1 }), { minLength: n, maxLength: n }),
    }),
  );
});

function build(p: { shape: number[]; perChannel: boolean; kind: 'affine' | 'levels'; signed: boolean; bits: number; scale: number[]; zero: number[]; levels: number[]; raw: number[] }): {
  q: Quantization;
  codes: number[];
} {
  const channels = p.perChannel ? p.shape[0]! : 1;
  const axis = p.perChannel ? 0 : null;
  if (p.kind === 'levels') {
    const levels = Float32Array.from([0, ...p.levels]);
    const codes = p.raw.map((c) => c % levels.length);
    return { q: { kind: 'levels', bits: p.bits, levels, scale: Float32Array.from(p.scale.slice(0, channels)), axis }, codes };
  }
  const half = 2 ** (p.bits - 1);
  const signed = p.signed && p.bits > 1;
  const zeroPoint = Int32Array.from(p.zero.slice(0, channels), (z) => (signed ? z - half : z));
  const codes = p.raw.map((c) => (signed ? c - half : c));
  return { q: { kind: 'affine', bits: p.bits, signed, scale: Float32Array.from(p.scale.slice(0, channels)), zeroPoint, axis }, codes };
}

for (const kind of ['affine', 'levels'] as const) for (const sparse of sparseFormats) for (const huffman of [false, true]) test.prop([quantized], { numRuns: 1000 })(
  `${kind} codes ${label(sparse)}${huffman ? ' + Huffman' : ''}, per tensor / per channel: exact round trip`,
  (p) => {
    const { q, codes } = build({ ...p, kind });
    const unsignedCodes = (q.kind === 'affine' && q.signed ? codes.map((c) => c & (2 ** q.bits - 1)) : codes);
    const t = encodeTensor({ name: 'q', shape: p.shape, codes, quantization: q, huffman, ...(sparse ? { sparse } : {}) });
    expect(t.payload.length).toBe(payloadByteLength(p.shape, t.encoding));
    const d = decodeTensor('q', p.shape, t.encoding, t.payload);
    expect(plusZero(d.values())).toEqual(plusZero(dequantizeCodes(unsignedCodes, q, p.shape)));
    const back = d.codes()!;
    const expected = d.values();
    // codes may differ only where another code dequantizes to the same value (pruned elements get the code of 0)
    expect(plusZero(dequantizeCodes(q.kind === 'affine' && q.signed ? [...back].map((c) => c & (2 ** q.bits - 1)) : back, q, p.shape))).toEqual(plusZero(expected));
  },
);
