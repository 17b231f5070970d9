/**
 * Deep-Compression relative indexing (Han et al., ICLR 2016, §3): every stored value carries the number of zeros
 * skipped since the previous stored value (the *gap*), in `indexBits` bits. When a gap exceeds `2^indexBits − 1`,
 * a **filler** entry is inserted: gap `2^indexBits − 1` and the value zero, standing for the element right after
 * the skipped run; it repeats until the remaining gap fits. Han et al. use 8 bits for conv and 5 bits for fc
 * layers in AlexNet; quantprune's defaults are 4 bits for conv and 5 for fc ({@link defaultIndexBits}).
 * A filler is a pruned element, so it stores that element's own (zero) value or code. Fillers are also added
 * after the last stored value until fewer than `2^indexBits` elements remain, so the entries always span the whole
 * tensor: a decoder can then bound the element count by the entry count (`n < (entries + 1)·2^indexBits`) and
 * never allocates more than the file justifies.
 */
import { FormatError } from './errors.ts';

/** Default gap width: 4 bits for convolutions, 5 for fully connected layers. */
export function defaultIndexBits(role: 'conv' | 'dense'): number {
  return role === 'conv' ? 4 : 5;
}

/**
 * Builds the relative-index entries for the elements to store.
 * @param keep - one entry per element, non-zero = stored
 * @param indexBits - gap width, 1..8
 * @returns the gap of every entry and the element position each entry stands for (fillers included), ascending
 */
export function encodeRelative(keep: Uint8Array, indexBits: number): { gaps: Uint8Array; positions: Uint32Array } {
  if (!Number.isInteger(indexBits) || indexBits < 1 || indexBits > 8) {
    throw new RangeError(`encodeRelative: indexBits must be an integer in [1, 8], got ${indexBits}`);
  }
  const maxGap = (1 << indexBits) - 1;
  const gaps: number[] = [];
  const positions: number[] = [];
  let prev = -1;
  for (let i = 0; i < keep.length; i++) {
    if (!keep[i]) continue;
    let gap = i - prev - 1;
    while (gap > maxGap) {
      prev += maxGap + 1;
      gaps.push(maxGap);
      positions.push(prev);
      gap = i - prev - 1;
    }
    gaps.push(gap);
    positions.push(i);
    prev = i;
  }
  while (keep.length - 1 - prev > maxGap) {
    prev += maxGap + 1;
    gaps.push(maxGap);
    positions.push(prev);
  }
  return { gaps: Uint8Array.from(gaps), positions: Uint32Array.from(positions) };
}

/** Number of entries (stored values plus fillers) relative indexing needs for the mask `keep`. */
export function relativeEntryCount(keep: Uint8Array, indexBits: number): number {
  const span = 1 << indexBits;
  let entries = 0;
  let prev = -1;
  for (let i = 0; i < keep.length; i++) {
    if (!keep[i]) continue;
    entries += Math.floor((i - prev - 1) / span) + 1;
    prev = i;
  }
  return entries + Math.floor((keep.length - 1 - prev) / span);
}

/**
 * Turns gaps back into element positions.
 * @throws FormatError if a position runs past the `n` elements of the tensor
 */
export function decodeRelative(gaps: ArrayLike<number>, indexBits: number, n: number, offset: number): Uint32Array {
  const positions = new Uint32Array(gaps.length);
  let pos = -1;
  for (let k = 0; k < gaps.length; k++) {
    pos += gaps[k]! + 1;
    if (pos >= n) throw new FormatError(`relative index entry ${k} points to element ${pos} of a tensor with ${n} elements`, offset);
    positions[k] = pos;
  }
  const maxGap = (1 << indexBits) - 1;
  if (n - 1 - pos > maxGap) throw new FormatError(`relative index entries end at element ${pos} of ${n}: more than ${maxGap} trailing elements are not covered by fillers`, offset);
  return positions;
}
