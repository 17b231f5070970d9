/**
 * Encoding of one tensor: a JSON-safe descriptor ({@link TensorEncoding}) plus a binary payload.
 *
 * A payload is up to three sections, in this order, each zero-padded to a multiple of 4 bytes:
 * 1. **parameters** — affine: `scale` float32[channels], `zeroPoint` int32[channels]; levels: `levels`
 *    float32[L], then `scale` float32[channels] (absent when `channels` = 0);
 * 2. **sparse structure** — bitmask ({@link encodeBitmask}), relative-index gaps packed in `indexBits` bits
 *    ({@link encodeRelative}), or CSR ({@link encodeCsr}); absent for dense tensors;
 * 3. **values** — raw little-endian elements of `dtype`, or k-bit codes packed with {@link packBits}.
 * With Huffman coding, a packed gap or code section becomes a table of code lengths (one byte per symbol of the
 * 2^bits alphabet) followed by the canonical Huffman stream ({@link huffmanEncode}).
 *
 * All multi-byte numbers are little-endian. {@link payloadByteLength} computes the exact payload size from the
 * descriptor alone, so decoders check sizes before they allocate.
 */
import { packBits, unpackBits } from './bit-pack.ts';
import { FormatError } from './errors.ts';
import { huffmanCodeLengths, huffmanDecode, huffmanEncode, huffmanStreamBits, MAX_CODE_LENGTH } from './huffman.ts';
import { alignUp, elementCount } from './internal/checks.ts';
import {
  channelStride,
  codeRange,
  dequantizationTable,
  validateQuantization,
  type Quantization,
} from './quantization.ts';
import { bitmaskBytes, decodeBitmask, encodeBitmask } from './sparse-bitmask.ts';
import { csrBytes, decodeCsr, encodeCsr } from './sparse-csr.ts';
import { decodeRelative, encodeRelative } from './sparse-relative.ts';

/** Element types of raw (unquantized) tensors. */
export type RawDType = 'float32' | 'int32' | 'uint8' | 'int8';
/** Typed array of a raw dtype. */
export type RawArray = Float32Array | Int32Array | Uint8Array | Int8Array;

/** How the positions of stored values are recorded. */
export type SparseFormat = { readonly kind: 'bitmask' } | { readonly kind: 'relative'; readonly indexBits: number } | { readonly kind: 'csr' };

/** A raw tensor to encode. Zeros are dropped when `sparse` is given. */
export interface RawTensorInput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: RawArray;
  readonly sparse?: SparseFormat;
}

/** A quantized tensor to encode: one integer code per element and its descriptor. */
export interface QuantizedTensorInput {
  readonly name: string;
  readonly shape: readonly number[];
  /** Per element: the integer `q` (signed for signed affine descriptors) or the level index. */
  readonly codes: ArrayLike<number>;
  readonly quantization: Quantization;
  /**
   * Store only the kept elements. Kept = `mask[i] !== 0` when a mask is given (needed when no code represents 0,
   * e.g. binary or DoReFa levels), else every element whose value dequantizes to something other than 0.
   */
  readonly sparse?: SparseFormat;
  /** With `sparse`: 1 = kept, 0 = pruned (decodes to 0). */
  readonly mask?: Uint8Array;
  /** Huffman-code the value codes (and relative-index gaps). @default false */
  readonly huffman?: boolean;
}

/** Either kind of input. */
export type TensorInput = RawTensorInput | QuantizedTensorInput;

/** How values are stored, as written in the container header. */
export type ValueEncoding =
  | { readonly kind: 'raw' }
  | { readonly kind: 'affine'; readonly bits: number; readonly signed: boolean; readonly channels: number; readonly axis: number | null }
  | { readonly kind: 'levels'; readonly bits: number; readonly levels: number; readonly channels: number; readonly axis: number | null };

/** The JSON-safe descriptor of an encoded tensor. */
export interface TensorEncoding {
  /** Element type after decoding (`float32` for quantized tensors). */
  readonly dtype: RawDType;
  readonly values: ValueEncoding;
  readonly sparse: SparseFormat | null;
  /** Stored values: all elements when dense; non-zeros (plus relative-index fillers) when sparse. */
  readonly count: number;
  /** Bit lengths of the Huffman streams, or `null` without Huffman coding. */
  readonly huffman: { readonly valueBits: number; readonly indexBits: number | null } | null;
}

/** An encoded tensor. */
export interface EncodedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly encoding: TensorEncoding;
  readonly payload: Uint8Array;
}

const BYTES: Record<RawDType, number> = { float32: 4, int32: 4, uint8: 1, int8: 1 };
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Bytes per element of a raw dtype. */
export function dtypeBytes(dtype: RawDType): number {
  return BYTES[dtype];
}

/** Bits per stored value of an encoding (32 for float32, k for k-bit codes). */
export function valueBits(enc: TensorEncoding): number {
  return enc.values.kind === 'raw' ? 8 * BYTES[enc.dtype] : enc.values.bits;
}

/**
 * Payload sections of a tensor as `[name, bytes]` pairs (each already padded to 4 bytes), computed from
 * the descriptor alone.
 */
export function payloadSections(shape: readonly number[], enc: TensorEncoding): [string, number][] {
  const n = elementCount(shape);
  const sections: [string, number][] = [];
  const v = enc.values;
  if (v.kind === 'affine') sections.push(['parameters', 8 * v.channels]);
  if (v.kind === 'levels') sections.push(['parameters', 4 * v.levels + 4 * v.channels]);
  const sp = enc.sparse;
  if (sp?.kind === 'bitmask') sections.push(['bitmask', bitmaskBytes(n)]);
  if (sp?.kind === 'csr') sections.push(['csr', csrBytes(shape[0] ?? 1, csrCols(shape), enc.count)]);
  if (sp?.kind === 'relative') {
    const indexStream = enc.huffman?.indexBits;
    sections.push(['gaps', indexStream == null ? Math.ceil((enc.count * sp.indexBits) / 8) : 2 ** sp.indexBits + Math.ceil(indexStream / 8)]);
  }
  if (v.kind === 'raw') sections.push(['values', enc.count * BYTES[enc.dtype]]);
  else sections.push(['codes', enc.huffman ? 2 ** v.bits + Math.ceil(enc.huffman.valueBits / 8) : Math.ceil((enc.count * v.bits) / 8)]);
  return sections.map(([name, bytes]) => [name, alignUp(bytes, 4)]);
}

/** Exact payload size in bytes of a tensor with this shape and descriptor. */
export function payloadByteLength(shape: readonly number[], enc: TensorEncoding): number {
  return payloadSections(shape, enc).reduce((sum, [, b]) => sum + b, 0);
}

function csrCols(shape: readonly number[]): number {
  const rows = shape[0] ?? 1;
  return rows === 0 ? 0 : elementCount(shape) / rows;
}

/**
 * Encodes one tensor.
 *
 * @param input - raw data, or codes with their quantization descriptor, and optional sparse/Huffman options
 * @returns the descriptor and payload
 * @throws RangeError for inconsistent shapes, out-of-range codes, or relative indexing without a zero code
 * @example
 * ```ts
 * const t = encodeTensor({ name: 'w', shape: [2, 2], codes: [0, 3, 1, 2], quantization: levelsQuantization(2, dorefaLevels(2)) });
 * t.payload.length; // 20: 16 bytes of levels + 1 byte of codes, padded to 4
 * ```
 */
export function encodeTensor(input: TensorInput): EncodedTensor {
  const fn = 'encodeTensor';
  const { name, shape } = input;
  checkShape(fn, shape);
  const n = elementCount(shape);
  const quantized = 'codes' in input;
  const length = quantized ? input.codes.length : input.data.length;
  if (length !== n) throw new RangeError(`${fn}: tensor "${name}" of shape [${shape.join(', ')}] needs ${n} elements, got ${length}`);

  let table: Float32Array | null = null;
  let unsigned: Uint8Array | null = null;
  let q: Quantization | null = null;
  if (quantized) {
    q = input.quantization;
    validateQuantization(fn, q, shape);
    unsigned = toUnsignedCodes(fn, name, input.codes, q);
    table = dequantizationTable(q);
  }
  const size = q ? 2 ** q.bits : 0;
  const { inner, channels } = q ? channelStride(q, shape) : { inner: 1, channels: 1 };
  const channelOf = (i: number): number => (channels === 1 ? 0 : Math.floor(i / inner) % channels);

  // Which elements to store.
  let positions: Uint32Array | null = null;
  let keepOf = (_i: number): boolean => true;
  let structure: Uint8Array | null = null;
  let gaps: Uint8Array | null = null;
  const sparse = input.sparse ?? null;
  if (sparse) {
    const keep = new Uint8Array(n);
    const mask = quantized ? input.mask : undefined;
    if (mask && mask.length !== n) throw new RangeError(`${fn}: mask of "${name}" has ${mask.length} entries for ${n} elements`);
    for (let i = 0; i < n; i++) {
      keep[i] = (mask ? mask[i] : (table ? table[channelOf(i) * size + unsigned![i]!] : (input as RawTensorInput).data[i])) !== 0 ? 1 : 0;
    }
    keepOf = (i) => keep[i] === 1;
    if (sparse.kind === 'bitmask') ({ bytes: structure, positions } = encodeBitmask(keep));
    else if (sparse.kind === 'csr') ({ bytes: structure, positions } = encodeCsr(keep, shape[0] ?? 1, csrCols(shape)));
    else ({ gaps, positions } = encodeRelative(keep, sparse.indexBits));
  }
  const count = positions ? positions.length : n;

  // Stored entries are the elements at `positions`. A relative-index filler is a pruned element and must
  // decode to 0: raw tensors store the element's own zero, quantized ones the code of 0 in its channel.
  const sections: Uint8Array[] = [];
  let values: ValueEncoding = { kind: 'raw' };
  let huffman: TensorEncoding['huffman'] = null;
  const indexBits = sparse?.kind === 'relative' ? sparse.indexBits : 0;
  const useHuffman = quantized && input.huffman === true;
  if (q) {
    sections.push(parameterBytes(q));
    const channelsStored = q.kind === 'affine' ? q.scale.length : (q.scale?.length ?? 0);
    values = q.kind === 'affine'
      ? { kind: 'affine', bits: q.bits, signed: q.signed, channels: channelsStored, axis: q.axis }
      : { kind: 'levels', bits: q.bits, levels: q.levels.length, channels: channelsStored, axis: q.axis };
  }
  if (gaps) sections.push(useHuffman ? huffmanSection(gaps, indexBits) : packBits(gaps, indexBits));
  else if (structure) sections.push(structure);
  if (q) {
    let stored = unsigned!;
    if (positions) {
      stored = new Uint8Array(positions.length);
      for (let k = 0; k < positions.length; k++) {
        const i = positions[k]!;
        stored[k] = !keepOf(i) ? zeroCode(fn, name, table!, channelOf(i), size) : unsigned![i]!;
      }
    }
    if (useHuffman) {
      sections.push(huffmanSection(stored, q.bits));
      huffman = { valueBits: streamBitsOf(stored, q.bits), indexBits: gaps ? streamBitsOf(gaps, indexBits) : null };
    } else {
      sections.push(packBits(stored, q.bits));
    }
  } else {
    sections.push(rawBytes((input as RawTensorInput).data, positions));
  }
  const encoding: TensorEncoding = { dtype: q ? 'float32' : rawDType(fn, (input as RawTensorInput).data), values, sparse, count, huffman };
  const payload = concatPadded(sections);
  return { name, shape: [...shape], encoding, payload };
}

function toUnsignedCodes(fn: string, name: string, codes: ArrayLike<number>, q: Quantization): Uint8Array {
  const [lo, hi] = codeRange(q);
  const limit = q.kind === 'levels' ? q.levels.length - 1 : hi;
  const mask = (1 << q.bits) - 1;
  const out = new Uint8Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (!Number.isInteger(c) || c < lo || c > limit) {
      throw new RangeError(`${fn}: code ${c} at index ${i} of "${name}" is outside [${lo}, ${limit}]`);
    }
    out[i] = c & mask;
  }
  return out;
}

function zeroCode(fn: string, name: string, table: Float32Array, channel: number, size: number): number {
  for (let code = 0; code < size; code++) if (table[channel * size + code] === 0) return code;
  throw new RangeError(
    `${fn}: relative indexing of "${name}" needs a code that dequantizes to 0 for its filler entries (channel ${channel} has none); ` +
      'add 0 to the level table, or use the bitmask or csr sparse format',
  );
}

function parameterBytes(q: Quantization): Uint8Array {
  const floats = q.kind === 'affine' ? q.scale : Float32Array.from([...q.levels, ...(q.scale ?? [])]);
  const out = new Uint8Array(4 * floats.length + (q.kind === 'affine' ? 4 * q.zeroPoint.length : 0));
  const view = new DataView(out.buffer);
  floats.forEach((f, i) => view.setFloat32(4 * i, f, true));
  if (q.kind === 'affine') q.zeroPoint.forEach((z, i) => view.setInt32(4 * (floats.length + i), z, true));
  return out;
}

function streamBitsOf(symbols: Uint8Array, bits: number): number {
  const counts = histogram(symbols, 2 ** bits);
  return huffmanStreamBits(counts, huffmanCodeLengths(counts));
}

function histogram(symbols: Uint8Array, size: number): Uint32Array {
  const counts = new Uint32Array(size);
  for (let i = 0; i < symbols.length; i++) counts[symbols[i]!]!++;
  return counts;
}

function huffmanSection(symbols: Uint8Array, bits: number): Uint8Array {
  const lengths = huffmanCodeLengths(histogram(symbols, 2 ** bits));
  const stream = huffmanEncode(symbols, lengths);
  const out = new Uint8Array(lengths.length + stream.length);
  out.set(lengths);
  out.set(stream, lengths.length);
  return out;
}

function rawBytes(data: RawArray, positions: Uint32Array | null): Uint8Array {
  let picked = data;
  if (positions) {
    picked = new (data.constructor as new (n: number) => RawArray)(positions.length);
    for (let k = 0; k < positions.length; k++) picked[k] = data[positions[k]!]!;
  }
  if (LITTLE_ENDIAN) return new Uint8Array(picked.buffer, picked.byteOffset, picked.byteLength);
  const out = new Uint8Array(picked.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < picked.length; i++) {
    if (picked instanceof Float32Array) view.setFloat32(4 * i, picked[i]!, true);
    else if (picked instanceof Int32Array) view.setInt32(4 * i, picked[i]!, true);
    else out[i] = picked[i]! & 0xff;
  }
  return out;
}

function rawDType(fn: string, data: RawArray): RawDType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  throw new TypeError(`${fn}: data must be a Float32Array, Int32Array, Uint8Array or Int8Array`);
}

function concatPadded(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((s, p) => s + alignUp(p.length, 4), 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += alignUp(p.length, 4);
  }
  return out;
}

function checkShape(fn: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new RangeError(`${fn}: shape must be an array of non-negative integers, got [${String(shape)}]`);
  }
}

/** A decoded tensor. Decoding of values is lazy: {@link DecodedTensor.values} does the work. */
export interface DecodedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly encoding: TensorEncoding;
  /** The descriptor of quantized tensors, `null` for raw ones. */
  readonly quantization: Quantization | null;
  /**
   * Dense values (dequantized for quantized tensors, zeros restored for sparse ones). For dense raw tensors
   * whose payload is suitably aligned this is a zero-copy view of the decoded buffer.
   * @throws FormatError if the payload's sparse structure or Huffman stream is invalid
   */
  values(): RawArray;
  /**
   * Dense integer codes of a quantized tensor (`Int8Array` of `q` for signed affine, `Uint8Array` otherwise; pruned
   * elements get the code of 0), or `null` for raw tensors.
   */
  codes(): Uint8Array | Int8Array | null;
  /** For sparse tensors: 1 for stored elements, 0 for pruned ones (relative-index fillers count as pruned); else `null`. */
  mask(): Uint8Array | null;
  /** The packed code bytes of a dense, non-Huffman quantized tensor (zero-copy), else `null`. */
  packedCodes(): Uint8Array | null;
}

/**
 * Decodes a tensor payload. Sizes are validated before anything is allocated; the descriptor must already
 * have passed {@link validateTensorEncoding}.
 *
 * @param name - tensor name
 * @param shape - tensor shape
 * @param enc - descriptor
 * @param payload - exactly `payloadByteLength(shape, enc)` bytes
 * @param offset - byte offset of `payload` within the enclosing file (for error messages)
 * @throws FormatError if the payload length does not match the descriptor
 */
export function decodeTensor(name: string, shape: readonly number[], enc: TensorEncoding, payload: Uint8Array, offset = 0): DecodedTensor {
  const sections = payloadSections(shape, enc);
  const expected = sections.reduce((s, [, b]) => s + b, 0);
  if (payload.length !== expected) {
    throw new FormatError(`tensor "${name}" payload is ${payload.length} bytes but its encoding needs ${expected}`, offset);
  }
  const at: Record<string, [number, number]> = {};
  let o = 0;
  for (const [sec, bytes] of sections) {
    at[sec] = [o, bytes];
    o += bytes;
  }
  const section = (s: string): Uint8Array => payload.subarray(at[s]![0], at[s]![0] + at[s]![1]);
  const n = elementCount(shape);
  const v = enc.values;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);

  let quantization: Quantization | null = null;
  if (v.kind === 'affine') {
    const scale = new Float32Array(v.channels);
    const zeroPoint = new Int32Array(v.channels);
    for (let c = 0; c < v.channels; c++) {
      scale[c] = view.getFloat32(4 * c, true);
      zeroPoint[c] = view.getInt32(4 * (v.channels + c), true);
    }
    quantization = { kind: 'affine', bits: v.bits, signed: v.signed, scale, zeroPoint, axis: v.axis };
  } else if (v.kind === 'levels') {
    const levels = new Float32Array(v.levels);
    for (let i = 0; i < v.levels; i++) levels[i] = view.getFloat32(4 * i, true);
    let scale: Float32Array | null = null;
    if (v.channels > 0) {
      scale = new Float32Array(v.channels);
      for (let c = 0; c < v.channels; c++) scale[c] = view.getFloat32(4 * (v.levels + c), true);
    }
    quantization = { kind: 'levels', bits: v.bits, levels, scale, axis: v.axis };
  }
  if (quantization) {
    try {
      validateQuantization('decodeTensor', quantization, shape);
    } catch (e) {
      throw new FormatError(`tensor "${name}": ${(e as Error).message.replace(/^decodeTensor: /, '')}`, offset);
    }
  }

  const positions = (): Uint32Array | null => {
    const sp = enc.sparse;
    if (!sp) return null;
    if (sp.kind === 'bitmask') return decodeBitmask(section('bitmask'), n, enc.count, offset + at['bitmask']![0]);
    if (sp.kind === 'csr') return decodeCsr(section('csr'), shape[0] ?? 1, csrCols(shape), enc.count, offset + at['csr']![0]);
    const gapOffset = offset + at['gaps']![0];
    const gaps = enc.huffman?.indexBits == null
      ? unpackBits(section('gaps'), sp.indexBits, enc.count)
      : readHuffman(section('gaps'), sp.indexBits, enc.huffman.indexBits, enc.count, gapOffset);
    return decodeRelative(gaps, sp.indexBits, n, gapOffset);
  };

  const storedCodes = (): Uint8Array => {
    if (v.kind === 'raw') throw new Error('unreachable');
    const codeOffset = offset + at['codes']![0];
    if (!enc.huffman) return unpackBits(section('codes'), v.bits, enc.count);
    const symbols = readHuffman(section('codes'), v.bits, enc.huffman.valueBits, enc.count, codeOffset);
    return Uint8Array.from(symbols);
  };

  // Stored elements, excluding relative-index fillers (which decode to 0).
  const keptMask = (): Uint8Array | null => {
    const pos = positions();
    if (!pos) return null;
    const kept = new Uint8Array(n);
    for (let k = 0; k < pos.length; k++) kept[pos[k]!] = 1;
    if (enc.sparse?.kind === 'relative') {
      const vals = values();
      for (let k = 0; k < pos.length; k++) if (vals[pos[k]!] === 0) kept[pos[k]!] = 0;
    }
    return kept;
  };

  const denseCodes = (): Uint8Array => {
    const q = quantization!;
    const stored = storedCodes();
    const pos = positions();
    if (!pos) return stored;
    const size = 2 ** q.bits;
    const table = dequantizationTable(q);
    const { inner, channels } = channelStride(q, shape);
    // Pruned elements get the smallest code that dequantizes to 0 in their channel, or 0 when there is none
    // (mask() tells them apart).
    const zero = new Uint8Array(channels);
    for (let c = 0; c < channels; c++) for (let z = size - 1; z >= 0; z--) if (table[c * size + z] === 0) zero[c] = z;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = zero[channels === 1 ? 0 : Math.floor(i / inner) % channels]!;
    for (let k = 0; k < pos.length; k++) out[pos[k]!] = stored[k]!;
    return out;
  };

  const values = (): RawArray => {
    if (quantization) {
      const q = quantization;
      const size = 2 ** q.bits;
      const table = dequantizationTable(q);
      const { inner, channels } = channelStride(q, shape);
      const stored = storedCodes();
      const pos = positions();
      const out = new Float32Array(n);
      for (let k = 0; k < stored.length; k++) {
        const i = pos ? pos[k]! : k;
        const c = channels === 1 ? 0 : Math.floor(i / inner) % channels;
        out[i] = table[c * size + stored[k]!]!;
      }
      return out;
    }
    const [start, bytes] = at['values']!;
    const raw = readRaw(enc.dtype, payload, start, enc.count, bytes);
    const pos = positions();
    if (!pos) return raw;
    const dense = new (raw.constructor as new (n: number) => RawArray)(n);
    for (let k = 0; k < pos.length; k++) dense[pos[k]!] = raw[k]!;
    return dense;
  };

  return {
    name,
    shape,
    encoding: enc,
    quantization,
    values,
    codes: () => {
      if (!quantization) return null;
      const u = denseCodes();
      return quantization.kind === 'affine' && quantization.signed ? signExtend(u, quantization.bits) : u;
    },
    mask: keptMask,
    packedCodes: () => (v.kind !== 'raw' && !enc.sparse && !enc.huffman ? section('codes').subarray(0, Math.ceil((n * v.bits) / 8)) : null),
  };
}

function signExtend(u: Uint8Array, bits: number): Int8Array {
  const out = new Int8Array(u.length);
  const shift = 32 - bits;
  for (let i = 0; i < u.length; i++) out[i] = (u[i]! << shift) >> shift;
  return out;
}

function readHuffman(sectionBytes: Uint8Array, bits: number, streamBits: number, count: number, offset: number): Uint16Array {
  const size = 2 ** bits;
  const lengths = sectionBytes.subarray(0, size);
  return huffmanDecode(sectionBytes.subarray(size), streamBits, lengths, count, offset + size);
}

function readRaw(dtype: RawDType, payload: Uint8Array, start: number, count: number, bytes: number): RawArray {
  const abs = payload.byteOffset + start;
  const size = BYTES[dtype];
  if (LITTLE_ENDIAN && abs % size === 0) {
    switch (dtype) {
      case 'float32':
        return new Float32Array(payload.buffer, abs, count);
      case 'int32':
        return new Int32Array(payload.buffer, abs, count);
      case 'uint8':
        return new Uint8Array(payload.buffer, abs, count);
      case 'int8':
        return new Int8Array(payload.buffer, abs, count);
    }
  }
  const view = new DataView(payload.buffer, abs, bytes);
  if (dtype === 'float32') return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true));
  if (dtype === 'int32') return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, true));
  if (dtype === 'uint8') return payload.slice(start, start + count);
  return new Int8Array(payload.slice(start, start + count).buffer);
}

/**
 * Validates an untrusted descriptor (for example from a file header) against a shape: every field present
 * with the right type and in range, and element and value counts consistent.
 *
 * @param value - parsed JSON
 * @param shape - the tensor's (already validated) shape
 * @param where - prefix for error messages, e.g. `tensor 3 ("conv1.weight")`
 * @param offset - byte offset to report
 * @returns the descriptor, typed
 * @throws FormatError naming the field
 */
export function validateTensorEncoding(value: unknown, shape: readonly number[], where: string, offset: number): TensorEncoding {
  const fail = (msg: string): never => {
    throw new FormatError(`${where}: ${msg}`, offset);
  };
  const obj = (x: unknown, field: string): Record<string, unknown> =>
    typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : fail(`${field} must be an object`);
  const int = (x: unknown, field: string, lo: number, hi: number): number =>
    Number.isSafeInteger(x) && (x as number) >= lo && (x as number) <= hi ? (x as number) : fail(`${field} must be an integer in [${lo}, ${hi}], got ${JSON.stringify(x)}`);
  const n = elementCount(shape);
  const e = obj(value, 'encoding');
  const dtype = e['dtype'];
  if (typeof dtype !== 'string' || !(dtype in BYTES)) fail(`encoding.dtype must be one of ${Object.keys(BYTES).join(', ')}, got ${JSON.stringify(dtype)}`);
  const v = obj(e['values'], 'encoding.values');
  let values: ValueEncoding;
  const axisOf = (): number | null => (v['axis'] === null ? null : int(v['axis'], 'encoding.values.axis', 0, shape.length - 1));
  if (v['kind'] === 'raw') values = { kind: 'raw' };
  else if (v['kind'] === 'affine' || v['kind'] === 'levels') {
    if (dtype !== 'float32') fail('quantized tensors decode to float32');
    const bits = int(v['bits'], 'encoding.values.bits', 1, 8);
    const axis = axisOf();
    const channels = int(v['channels'], 'encoding.values.channels', v['kind'] === 'affine' ? 1 : 0, axis === null ? 1 : (shape[axis] ?? 1));
    if (channels > 1 && axis === null) fail('per-channel parameters need an axis');
    values = v['kind'] === 'affine'
      ? { kind: 'affine', bits, signed: v['signed'] === true, channels, axis }
      : { kind: 'levels', bits, levels: int(v['levels'], 'encoding.values.levels', 1, 2 ** bits), channels, axis };
    if (values.kind === 'affine' && typeof v['signed'] !== 'boolean') fail('encoding.values.signed must be a boolean');
  } else return fail(`encoding.values.kind must be raw, affine or levels, got ${JSON.stringify(v['kind'])}`);

  let sparse: SparseFormat | null = null;
  if (e['sparse'] !== null) {
    const s = obj(e['sparse'], 'encoding.sparse');
    if (s['kind'] === 'bitmask' || s['kind'] === 'csr') sparse = { kind: s['kind'] };
    else if (s['kind'] === 'relative') sparse = { kind: 'relative', indexBits: int(s['indexBits'], 'encoding.sparse.indexBits', 1, 8) };
    else fail(`encoding.sparse.kind must be bitmask, relative or csr, got ${JSON.stringify(s['kind'])}`);
    if (sparse!.kind === 'csr' && shape.length < 1) fail('csr needs a tensor of rank ≥ 1');
  }
  // Every entry is a distinct element; relative entries span the tensor, which bounds n by the entry count.
  const count = int(e['count'], 'encoding.count', 0, n);
  if (sparse?.kind === 'relative' && n > (count + 1) * 2 ** sparse.indexBits - 1) {
    fail(`${count} relative-index entries of ${sparse.indexBits} bits cannot span ${n} elements`);
  }
  if (!sparse && count !== n) fail(`a dense tensor stores all ${n} elements, encoding.count is ${count}`);

  let huffman: TensorEncoding['huffman'] = null;
  if (e['huffman'] !== null) {
    const h = obj(e['huffman'], 'encoding.huffman');
    if (values.kind === 'raw') fail('Huffman coding applies to quantized codes only');
    const maxStream = count * MAX_CODE_LENGTH;
    const indexBits = h['indexBits'] === null ? null : int(h['indexBits'], 'encoding.huffman.indexBits', 0, maxStream);
    if ((indexBits !== null) !== (sparse?.kind === 'relative')) fail('encoding.huffman.indexBits is set exactly when the sparse format is relative');
    huffman = { valueBits: int(h['valueBits'], 'encoding.huffman.valueBits', 0, maxStream), indexBits };
  }
  return { dtype: dtype as RawDType, values, sparse, count, huffman };
}
