/**
 * Bitmask sparse structure: one bit per element (1 = value stored), packed like {@link packBits} with 1 bit
 * (element 0 in bit 0 of byte 0). Values of the set bits follow in element order.
 */
import { packBits } from './bit-pack.ts';
import { FormatError } from './errors.ts';

/** Bytes of the bitmask of `n` elements. */
export function bitmaskBytes(n: number): number {
  return Math.ceil(n / 8);
}

/**
 * Encodes which elements are stored.
 * @param keep - one entry per element, non-zero = stored
 * @returns the mask bytes and the stored positions in ascending order
 */
export function encodeBitmask(keep: Uint8Array): { bytes: Uint8Array; positions: Uint32Array } {
  let nnz = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i]) nnz++;
  const positions = new Uint32Array(nnz);
  const bits = new Uint8Array(keep.length);
  for (let i = 0, k = 0; i < keep.length; i++) {
    if (keep[i]) {
      bits[i] = 1;
      positions[k++] = i;
    }
  }
  return { bytes: packBits(bits, 1), positions };
}

/**
 * Reads the stored positions from a bitmask of `n` elements.
 * @throws FormatError if the mask does not set exactly `nnz` bits within the first `n`
 */
export function decodeBitmask(bytes: Uint8Array, n: number, nnz: number, offset: number): Uint32Array {
  if (bytes.length < bitmaskBytes(n)) throw new FormatError(`bitmask of ${n} elements needs ${bitmaskBytes(n)} bytes, got ${bytes.length}`, offset);
  const positions = new Uint32Array(nnz);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if ((bytes[i >>> 3]! >>> (i & 7)) & 1) {
      if (k === nnz) throw new FormatError(`bitmask sets more than the ${nnz} stored values`, offset + (i >>> 3));
      positions[k++] = i;
    }
  }
  if (k !== nnz) throw new FormatError(`bitmask sets ${k} bits but ${nnz} values are stored`, offset);
  return positions;
}
