import { describe, expect, it } from 'vitest';
import { packBits, packedByteLength, unpackBits } from './bit-pack.ts';

describe('packBits / unpackBits', () => {
  it('puts the first code in the lowest bits (ONNX INT2/INT4 order)', () => {
    // onnx-tfjs-notes.md §1: INT2/UINT2 pack 4 values per byte, first element in the lowest bits
    expect([...packBits([1, 2, 3, 0], 2)]).toEqual([0b00_11_10_01]);
    expect([...packBits([0xa, 0x5], 4)]).toEqual([0x5a]);
    expect([...packBits([1, 0, 0, 0, 0, 0, 0, 1, 1], 1)]).toEqual([0x81, 0x01]);
  });

  it('lets 3-bit codes straddle bytes, little-endian bit stream', () => {
    // codes 7,0,5 → stream bits 111 000 101 → byte0 = 0b01_000_111 = 0x47, byte1 = 0b1 = 0x01
    expect([...packBits([7, 0, 5], 3)]).toEqual([0x47, 0x01]);
    expect([...unpackBits(Uint8Array.of(0x47, 0x01), 3, 3)]).toEqual([7, 0, 5]);
  });

  it('round-trips every width with a partial last byte', () => {
    for (let bits = 1; bits <= 8; bits++) {
      const codes = Uint8Array.from({ length: 37 }, (_, i) => (i * 2654435761) % 2 ** bits);
      const packed = packBits(codes, bits);
      expect(packed.length).toBe(packedByteLength(37, bits));
      expect(unpackBits(packed, bits, 37)).toEqual(codes);
    }
  });

  it('rejects bad widths, codes and short buffers with RangeErrors naming the argument', () => {
    expect(() => packBits([0], 0)).toThrow(/packBits: bits must be an integer in \[1, 8\], got 0/);
    expect(() => packBits([4], 2)).toThrow(/packBits: code at index 0 must be an integer in \[0, 3\]/);
    expect(() => packBits([0.5], 2)).toThrow(RangeError);
    expect(() => unpackBits(new Uint8Array(1), 4, 3)).toThrow(/unpackBits: 3 codes of 4 bits need 2 bytes, got 1/);
    expect(() => packedByteLength(-1, 2)).toThrow(/count/);
  });
});
