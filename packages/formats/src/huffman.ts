/**
 * Canonical Huffman coding of small-alphabet symbol streams (the last stage of Deep Compression), used for
 * k-bit value codes and relative-index gaps (alphabets of at most 256 symbols).
 *
 * A code is described by one length per symbol (0 = symbol unused, at most {@link MAX_CODE_LENGTH}); codes are
 * assigned canonically (shorter codes first, ties by symbol value, as in DEFLATE). The bit stream is written
 * **most significant bit first**: the first code's first bit is bit 7 of byte 0. A stream with a single used
 * symbol gives that symbol a 1-bit code.
 */
import { FormatError } from './errors.ts';

/** Longest code length produced and accepted. */
export const MAX_CODE_LENGTH = 16;

/**
 * Code lengths (one per symbol of `0..alphabetSize-1`) of a length-limited Huffman code for the symbol counts.
 *
 * @param counts - occurrences of each symbol
 * @returns code length per symbol, 0 for symbols that never occur
 */
export function huffmanCodeLengths(counts: ArrayLike<number>): Uint8Array {
  const n = counts.length;
  const lengths = new Uint8Array(n);
  const used: number[] = [];
  for (let s = 0; s < n; s++) if (counts[s]! > 0) used.push(s);
  if (used.length === 0) return lengths;
  if (used.length === 1) {
    lengths[used[0]!] = 1;
    return lengths;
  }
  // Plain Huffman tree over the used symbols (a sorted merge of two queues: O(n log n)).
  const leaves = used.map((s) => ({ w: counts[s]!, s })).sort((a, b) => a.w - b.w || a.s - b.s);
  const weight: number[] = leaves.map((l) => l.w);
  const parent: number[] = new Array<number>(2 * leaves.length - 1).fill(-1);
  const internal: number[] = [];
  let li = 0;
  let ii = 0;
  const take = (): number => {
    const leafW = li < leaves.length ? weight[li]! : Infinity;
    const intW = ii < internal.length ? weight[internal[ii]!]! : Infinity;
    return leafW <= intW ? li++ : internal[ii++]!;
  };
  for (let k = 0; k < leaves.length - 1; k++) {
    const a = take();
    const b = take();
    const node = weight.length;
    weight.push(weight[a]! + weight[b]!);
    parent[a] = node;
    parent[b] = node;
    internal.push(node);
  }
  // Depth of each leaf; count leaves per depth.
  const depthCount = new Array<number>(Math.max(MAX_CODE_LENGTH, leaves.length) + 1).fill(0);
  for (let i = 0; i < leaves.length; i++) {
    let d = 0;
    for (let p = i; parent[p]! >= 0; p = parent[p]!) d++;
    depthCount[d]!++;
  }
  limitLengths(depthCount);
  // Longest codes go to the rarest symbols.
  let len = MAX_CODE_LENGTH;
  for (let i = 0; i < leaves.length; i++) {
    while (depthCount[len] === 0) len--;
    lengths[leaves[i]!.s] = len;
    depthCount[len]!--;
  }
  return lengths;
}

// Moves codes longer than MAX_CODE_LENGTH up the tree while keeping the Kraft sum at 1
// (the adjustment of JPEG, ITU T.81 Annex K.3 "Adjust_BITS").
function limitLengths(count: number[]): void {
  for (let i = count.length - 1; i > MAX_CODE_LENGTH; i--) {
    while (count[i]! > 0) {
      let j = i - 2;
      while (count[j] === 0) j--;
      count[i]! -= 2;
      count[i - 1]!++;
      count[j + 1]! += 2;
      count[j]!--;
    }
  }
}

/** Total bits of a stream whose symbol counts are `counts`, coded with `lengths`. */
export function huffmanStreamBits(counts: ArrayLike<number>, lengths: ArrayLike<number>): number {
  let bits = 0;
  for (let s = 0; s < counts.length; s++) bits += counts[s]! * lengths[s]!;
  return bits;
}

function canonicalCodes(lengths: ArrayLike<number>): Uint32Array {
  const blCount = new Uint32Array(MAX_CODE_LENGTH + 1);
  for (let s = 0; s < lengths.length; s++) blCount[lengths[s]!]!++;
  blCount[0] = 0;
  const next = new Uint32Array(MAX_CODE_LENGTH + 2);
  let code = 0;
  for (let len = 1; len <= MAX_CODE_LENGTH; len++) {
    code = (code + blCount[len - 1]!) << 1;
    next[len] = code;
  }
  const codes = new Uint32Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s]!;
    if (len > 0) codes[s] = next[len]!++;
  }
  return codes;
}

/**
 * Encodes symbols with a canonical code given by `lengths`.
 *
 * @param symbols - symbols, each with a non-zero code length
 * @param lengths - code length per symbol (from {@link huffmanCodeLengths})
 * @returns the bit stream (MSB first), `⌈bits/8⌉` bytes
 */
export function huffmanEncode(symbols: ArrayLike<number>, lengths: ArrayLike<number>): Uint8Array {
  const codes = canonicalCodes(lengths);
  let total = 0;
  for (let i = 0; i < symbols.length; i++) total += lengths[symbols[i]!]!;
  const out = new Uint8Array(Math.ceil(total / 8));
  let pos = 0;
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i]!;
    const len = lengths[s]!;
    if (len === 0) throw new RangeError(`huffmanEncode: symbol ${s} at index ${i} has no code`);
    const code = codes[s]!;
    for (let b = len - 1; b >= 0; b--) {
      if ((code >>> b) & 1) out[pos >>> 3]! |= 0x80 >>> (pos & 7);
      pos++;
    }
  }
  return out;
}

/**
 * Decodes `count` symbols from a canonical Huffman bit stream. Validates the code lengths (at most
 * {@link MAX_CODE_LENGTH}, no over-subscribed code) and never reads past `bitLength`.
 *
 * @param stream - the bit stream (MSB first)
 * @param bitLength - number of valid bits in `stream`
 * @param lengths - code length per symbol
 * @param count - number of symbols to decode
 * @param offset - byte offset of `stream` in the enclosing file, for error messages
 * @returns the symbols
 * @throws FormatError on invalid lengths, a bit pattern with no symbol, or a truncated stream
 */
export function huffmanDecode(
  stream: Uint8Array,
  bitLength: number,
  lengths: ArrayLike<number>,
  count: number,
  offset = 0,
): Uint16Array {
  // count[len] and symbols ordered canonically, as in zlib's puff.c.
  const lenCount = new Uint32Array(MAX_CODE_LENGTH + 1);
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s]!;
    if (len > MAX_CODE_LENGTH) throw new FormatError(`Huffman code length ${len} of symbol ${s} exceeds ${MAX_CODE_LENGTH}`, offset);
    lenCount[len]!++;
  }
  lenCount[0] = 0;
  let left = 1;
  for (let len = 1; len <= MAX_CODE_LENGTH; len++) {
    left = left * 2 - lenCount[len]!;
    if (left < 0) throw new FormatError('Huffman code lengths are over-subscribed', offset);
  }
  const firstIndex = new Uint32Array(MAX_CODE_LENGTH + 2);
  for (let len = 1; len <= MAX_CODE_LENGTH; len++) firstIndex[len + 1] = firstIndex[len]! + lenCount[len]!;
  const sorted = new Uint16Array(firstIndex[MAX_CODE_LENGTH + 1]!);
  const fill = firstIndex.slice();
  for (let s = 0; s < lengths.length; s++) if (lengths[s]! > 0) sorted[fill[lengths[s]!]!++] = s;
  if (bitLength > stream.length * 8) throw new FormatError(`Huffman stream claims ${bitLength} bits but has ${stream.length * 8}`, offset);

  const out = new Uint16Array(count);
  let pos = 0;
  for (let i = 0; i < count; i++) {
    let code = 0;
    let first = 0;
    let index = 0;
    let len = 1;
    for (; len <= MAX_CODE_LENGTH; len++) {
      if (pos >= bitLength) throw new FormatError(`Huffman stream ends after ${i} of ${count} symbols`, offset + (pos >>> 3));
      code |= (stream[pos >>> 3]! >>> (7 - (pos & 7))) & 1;
      pos++;
      const c = lenCount[len]!;
      if (code - first < c) {
        out[i] = sorted[index + code - first]!;
        break;
      }
      index += c;
      first = (first + c) << 1;
      code <<= 1;
    }
    if (len > MAX_CODE_LENGTH) throw new FormatError('Huffman stream holds a bit pattern with no symbol', offset + (pos >>> 3));
  }
  return out;
}
