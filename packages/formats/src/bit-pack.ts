/**
 * k-bit packing of unsigned integer codes (k = 1..8).
 *
 * Bit order: the codes form one little-endian bit stream. Code `i` occupies stream bits
 * `[i·k, i·k + k)`, least significant bit first, and stream bit `j` is bit `j mod 8` of byte `⌊j/8⌋`.
 * So the first code sits in the lowest bits of byte 0 — the order ONNX uses for INT4/INT2/UINT2 — and a
 * code may straddle two bytes when k ∈ {3, 5, 6, 7}. Unused high bits of the last byte are zero.
 */
import { checkBits } from './internal/checks.ts';

/** Number of bytes that `count` codes of `bits` bits occupy when packed. */
export function packedByteLength(count: number, bits: number): number {
  checkBits('packedByteLength', bits);
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`packedByteLength: count must be a non-negative integer, got ${count}`);
  }
  return Math.ceil((count * bits) / 8);
}

/**
 * Packs unsigned integer codes of `bits` bits each into bytes (bit order in the module comment).
 *
 * @param codes - integer codes, each in `[0, 2^bits)`
 * @param bits - bits per code, 1..8
 * @returns `packedByteLength(codes.length, bits)` bytes
 * @throws RangeError if `bits` is out of range or a code does not fit in `bits` bits
 * @example
 * ```ts
 * packBits(Uint8Array.of(1, 2, 3, 0), 2); // Uint8Array [0b00111001] = [57]
 * ```
 */
export function packBits(codes: ArrayLike<number>, bits: number): Uint8Array {
  checkBits('packBits', bits);
  const n = codes.length;
  const max = (1 << bits) - 1;
  if (codes instanceof Uint8Array && 8 % bits === 0) return packBytesAligned(codes, bits, max);
  const out = new Uint8Array(Math.ceil((n * bits) / 8));
  let acc = 0; // pending bits, LSB first
  let accBits = 0;
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = codes[i]!;
    if (!(c >= 0 && c <= max && Number.isInteger(c))) throw badCode(i, c, bits);
    acc |= c << accBits;
    accBits += bits;
    while (accBits >= 8) {
      out[o++] = acc & 0xff;
      acc >>>= 8;
      accBits -= 8;
    }
  }
  if (accBits > 0) out[o] = acc & 0xff;
  return out;
}

// Fast path: Uint8Array codes and k ∈ {1, 2, 4, 8}, where codes never straddle bytes.
function packBytesAligned(codes: Uint8Array, bits: number, max: number): Uint8Array {
  const n = codes.length;
  let or = 0;
  for (let i = 0; i < n; i++) or |= codes[i]!;
  if (or > max) {
    const i = codes.findIndex((c) => c > max);
    throw badCode(i, codes[i]!, bits);
  }
  if (bits === 8) return codes.slice();
  const out = new Uint8Array(Math.ceil((n * bits) / 8));
  const whole = n - (n % 8);
  let o = 0;
  let i = 0;
  if (bits === 4) {
    for (; i < whole; i += 2) out[o++] = codes[i]! | (codes[i + 1]! << 4);
  } else if (bits === 2) {
    for (; i < whole; i += 4) out[o++] = codes[i]! | (codes[i + 1]! << 2) | (codes[i + 2]! << 4) | (codes[i + 3]! << 6);
  } else {
    for (; i < whole; i += 8) {
      out[o++] =
        codes[i]! | (codes[i + 1]! << 1) | (codes[i + 2]! << 2) | (codes[i + 3]! << 3) |
        (codes[i + 4]! << 4) | (codes[i + 5]! << 5) | (codes[i + 6]! << 6) | (codes[i + 7]! << 7);
    }
  }
  for (; i < n; i++) out[(i * bits) >>> 3]! |= codes[i]! << ((i * bits) & 7);
  return out;
}

function badCode(i: number, c: number, bits: number): RangeError {
  return new RangeError(`packBits: code at index ${i} must be an integer in [0, ${(1 << bits) - 1}] for ${bits}-bit packing, got ${c}`);
}

/**
 * Unpacks `count` codes of `bits` bits each from bytes written by {@link packBits}.
 *
 * @param packed - packed bytes; must hold at least `packedByteLength(count, bits)` bytes
 * @param bits - bits per code, 1..8
 * @param count - number of codes to read
 * @returns the codes
 * @throws RangeError if `bits` is out of range or `packed` is too short
 * @example
 * ```ts
 * unpackBits(Uint8Array.of(57), 2, 4); // Uint8Array [1, 2, 3, 0]
 * ```
 */
export function unpackBits(packed: Uint8Array, bits: number, count: number): Uint8Array {
  const need = packedByteLength(count, bits);
  if (packed.length < need) {
    throw new RangeError(`unpackBits: ${count} codes of ${bits} bits need ${need} bytes, got ${packed.length}`);
  }
  const out = new Uint8Array(count);
  if (bits === 8) {
    out.set(packed.subarray(0, count));
    return out;
  }
  // k ∈ {1, 2, 4}: codes never straddle bytes; unrolled per byte.
  if (bits === 4 || bits === 2 || bits === 1) {
    const perByte = 8 / bits;
    const whole = count - (count % perByte);
    let o = 0;
    let p = 0;
    if (bits === 4) {
      for (; o < whole; o += 2) {
        const byte = packed[p++]!;
        out[o] = byte & 15;
        out[o + 1] = byte >>> 4;
      }
    } else if (bits === 2) {
      for (; o < whole; o += 4) {
        const byte = packed[p++]!;
        out[o] = byte & 3;
        out[o + 1] = (byte >>> 2) & 3;
        out[o + 2] = (byte >>> 4) & 3;
        out[o + 3] = byte >>> 6;
      }
    } else {
      for (; o < whole; o += 8) {
        const byte = packed[p++]!;
        out[o] = byte & 1;
        out[o + 1] = (byte >>> 1) & 1;
        out[o + 2] = (byte >>> 2) & 1;
        out[o + 3] = (byte >>> 3) & 1;
        out[o + 4] = (byte >>> 4) & 1;
        out[o + 5] = (byte >>> 5) & 1;
        out[o + 6] = (byte >>> 6) & 1;
        out[o + 7] = byte >>> 7;
      }
    }
    const mask = (1 << bits) - 1;
    for (let byte = packed[p] ?? 0; o < count; o++, byte >>>= bits) out[o] = byte & mask;
    return out;
  }
  const mask = (1 << bits) - 1;
  let acc = 0;
  let accBits = 0;
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (accBits < bits) {
      acc |= packed[p++]! << accBits;
      accBits += 8;
    }
    out[i] = acc & mask;
    acc >>>= bits;
    accBits -= bits;
  }
  return out;
}
