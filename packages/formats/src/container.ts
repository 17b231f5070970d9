/**
 * The `.qpk` container: one file holding a model's tensors, each in its own encoding, plus free-form metadata.
 *
 * Layout (all integers little-endian):
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 8 | magic `89 51 50 4B 0D 0A 1A 0A` ("\x89QPK\r\n\x1a\n", PNG-style: catches text-mode and truncation damage) |
 * | 8 | 4 | format version (uint32, currently 1) |
 * | 12 | 4 | header length H in bytes (uint32) |
 * | 16 | 4 | CRC-32 of the header bytes (uint32) |
 * | 20 | H | header: UTF-8 JSON `{ alignment, metadata, tensors: [{ name, shape, encoding, offset, length, crc32 }] }` |
 * | D | … | data: tensor payloads; D = 20 + H rounded up to `alignment`, each payload at `D + offset` with `offset` a multiple of `alignment`, zero padding between payloads |
 *
 * `crc32` is the payload's CRC-32 as 8 lowercase hex digits. Payload offsets are relative to D, so the header's
 * length never depends on itself and the file size can be predicted exactly ({@link predictContainerBytes}).
 */
import { crc32 } from './crc32.ts';
import { FormatError } from './errors.ts';
import { alignUp, elementCount } from './internal/checks.ts';
import {
  decodeTensor,
  encodeTensor,
  payloadByteLength,
  validateTensorEncoding,
  type DecodedTensor,
  type EncodedTensor,
  type TensorEncoding,
  type TensorInput,
} from './tensor-codec.ts';

/** The 8 magic bytes every `.qpk` file starts with. */
export const QPK_MAGIC: Uint8Array = Uint8Array.of(0x89, 0x51, 0x50, 0x4b, 0x0d, 0x0a, 0x1a, 0x0a);
/** The container version this library writes and reads. */
export const QPK_VERSION = 1;
const PREFIX = 20;
const DEFAULT_ALIGNMENT = 64;

/** Options of {@link encodeContainer}. */
export interface EncodeContainerOptions {
  /** Free-form JSON metadata (model name, training recipe, accuracy, …). @default {} */
  readonly metadata?: Record<string, unknown>;
  /** Payload alignment in bytes, a power of two in [4, 4096]. @default 64 */
  readonly alignment?: number;
}

/** A tensor entry of the header as stored in the file. */
export interface ContainerEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly encoding: TensorEncoding;
  /** Payload offset relative to the start of the data section. */
  readonly offset: number;
  readonly length: number;
  /** CRC-32 of the payload, 8 hex digits. */
  readonly crc32: string;
}

/**
 * Writes tensors into a `.qpk` container.
 *
 * @param tensors - encoded tensors ({@link encodeTensor}) or inputs to encode; names must be unique
 * @param options - metadata and alignment
 * @returns the file bytes
 * @throws RangeError on duplicate names or a bad alignment
 * @example
 * ```ts
 * const bytes = encodeContainer([{ name: 'fc.bias', shape: [2], data: Float32Array.of(0.5, -1) }], { metadata: { model: 'demo' } });
 * decodeContainer(bytes).get('fc.bias')?.values(); // Float32Array [0.5, -1]
 * ```
 */
export function encodeContainer(tensors: readonly (EncodedTensor | TensorInput)[], options: EncodeContainerOptions = {}): Uint8Array {
  const encoded = tensors.map((t) => ('encoding' in t ? t : encodeTensor(t)));
  const alignment = checkAlignment('encodeContainer', options.alignment ?? DEFAULT_ALIGNMENT);
  const layout = planLayout(encoded.map((t) => ({ ...t, length: t.payload.length })), alignment);
  const crcs = encoded.map((t) => crc32(t.payload).toString(16).padStart(8, '0'));
  const header = headerBytes(encoded, layout.offsets, crcs, options.metadata ?? {}, alignment);
  const dataStart = alignUp(PREFIX + header.length, alignment);
  const out = new Uint8Array(dataStart + layout.dataBytes);
  out.set(QPK_MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, QPK_VERSION, true);
  view.setUint32(12, header.length, true);
  view.setUint32(16, crc32(header), true);
  out.set(header, PREFIX);
  encoded.forEach((t, i) => out.set(t.payload, dataStart + layout.offsets[i]!));
  return out;
}

/** A tensor to plan a container for: name, shape and encoding (no data needed). */
export interface ContainerTensorSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly encoding: TensorEncoding;
}

/**
 * The exact size in bytes of the `.qpk` file {@link encodeContainer} writes for tensors with these
 * descriptors — header, alignment padding and payloads included — computed without any tensor data.
 *
 * @param tensors - names, shapes and encodings
 * @param options - the same metadata and alignment as for encoding
 * @returns file size in bytes
 */
export function predictContainerBytes(tensors: readonly ContainerTensorSpec[], options: EncodeContainerOptions = {}): number {
  const alignment = checkAlignment('predictContainerBytes', options.alignment ?? DEFAULT_ALIGNMENT);
  const layout = planLayout(tensors.map((t) => ({ ...t, length: payloadByteLength(t.shape, t.encoding) })), alignment);
  const header = headerBytes(tensors, layout.offsets, tensors.map(() => '00000000'), options.metadata ?? {}, alignment);
  return alignUp(PREFIX + header.length, alignment) + layout.dataBytes;
}

function planLayout(tensors: readonly { name: string; length: number }[], alignment: number): { offsets: number[]; dataBytes: number } {
  const seen = new Set<string>();
  const offsets: number[] = [];
  let end = 0;
  for (const t of tensors) {
    if (seen.has(t.name)) throw new RangeError(`encodeContainer: duplicate tensor name "${t.name}"`);
    seen.add(t.name);
    const offset = alignUp(end, alignment);
    offsets.push(offset);
    end = offset + t.length;
  }
  return { offsets, dataBytes: end };
}

function headerBytes(
  tensors: readonly ContainerTensorSpec[],
  offsets: number[],
  crcs: string[],
  metadata: Record<string, unknown>,
  alignment: number,
): Uint8Array {
  const entries: ContainerEntry[] = tensors.map((t, i) => ({
    name: t.name,
    shape: t.shape,
    encoding: t.encoding,
    offset: offsets[i]!,
    length: payloadByteLength(t.shape, t.encoding),
    crc32: crcs[i]!,
  }));
  return new TextEncoder().encode(JSON.stringify({ alignment, metadata, tensors: entries }));
}

function checkAlignment(fn: string, alignment: number): number {
  if (!Number.isInteger(alignment) || alignment < 4 || alignment > 4096 || (alignment & (alignment - 1)) !== 0) {
    throw new RangeError(`${fn}: alignment must be a power of two in [4, 4096], got ${alignment}`);
  }
  return alignment;
}

/** Options of {@link decodeContainer}. */
export interface DecodeContainerOptions {
  /**
   * What to do with a payload whose CRC-32 does not match: `'throw'` a FormatError, or `'report'` it in
   * {@link ContainerTensor.crcOk} (what `quantprune inspect` does).
   * @default 'throw'
   */
  readonly onCrcMismatch?: 'throw' | 'report';
  /** Largest element count accepted for one tensor (guards the memory of lazy decoding). @default 2^28 */
  readonly maxElements?: number;
}

/** A tensor of a decoded container, with where it sits in the file. */
export interface ContainerTensor extends DecodedTensor {
  /** Absolute byte offset of the payload in the file. */
  readonly fileOffset: number;
  readonly length: number;
  readonly crc32: string;
  /** Whether the payload matches its CRC-32. */
  readonly crcOk: boolean;
}

/** A decoded `.qpk` container. */
export interface DecodedContainer {
  readonly version: number;
  readonly alignment: number;
  readonly headerLength: number;
  readonly metadata: Record<string, unknown>;
  readonly tensors: readonly ContainerTensor[];
  /** The tensor of this name, if any. */
  get(name: string): ContainerTensor | undefined;
}

/**
 * Reads a `.qpk` container. The header is validated completely (magic, version, lengths, CRC, JSON schema,
 * every payload inside the file, aligned and of the exact size its encoding needs, no overlaps) before
 * anything is allocated from it; tensor values are decoded lazily by `values()`. Dense raw payloads are returned
 * as zero-copy views of `bytes` when aligned.
 *
 * @param bytes - the whole file
 * @param options - CRC policy and element limit
 * @returns the container
 * @throws FormatError with the byte offset and reason for any truncated, corrupted or hostile input
 */
export function decodeContainer(bytes: Uint8Array, options: DecodeContainerOptions = {}): DecodedContainer {
  const maxElements = options.maxElements ?? 2 ** 28;
  if (bytes.length < PREFIX) throw new FormatError(`file is ${bytes.length} bytes, too short for a .qpk container (at least ${PREFIX})`, bytes.length);
  for (let i = 0; i < QPK_MAGIC.length; i++) {
    if (bytes[i] !== QPK_MAGIC[i]) throw new FormatError('not a .qpk file (bad magic bytes)', i);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== QPK_VERSION) throw new FormatError(`unsupported .qpk version ${version} (this reader understands ${QPK_VERSION})`, 8);
  const headerLength = view.getUint32(12, true);
  if (headerLength > bytes.length - PREFIX) {
    throw new FormatError(`header length ${headerLength} runs past the end of the ${bytes.length}-byte file (truncated?)`, 12);
  }
  const headerRaw = bytes.subarray(PREFIX, PREFIX + headerLength);
  if (crc32(headerRaw) !== view.getUint32(16, true)) throw new FormatError('header CRC-32 mismatch (the header is corrupted)', 16);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerRaw));
  } catch (e) {
    throw new FormatError(`header is not valid UTF-8 JSON: ${(e as Error).message}`, PREFIX);
  }
  const fail = (msg: string): never => {
    throw new FormatError(msg, PREFIX);
  };
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header must be a JSON object');
  const h = header as Record<string, unknown>;
  const alignment = h['alignment'];
  if (!Number.isInteger(alignment) || (alignment as number) < 4 || (alignment as number) > 4096 || ((alignment as number) & ((alignment as number) - 1)) !== 0) {
    fail(`header.alignment must be a power of two in [4, 4096], got ${JSON.stringify(alignment)}`);
  }
  const align = alignment as number;
  const metadata = h['metadata'];
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) fail('header.metadata must be an object');
  if (!Array.isArray(h['tensors'])) fail('header.tensors must be an array');
  const dataStart = alignUp(PREFIX + headerLength, align);
  const entries = h['tensors'] as unknown[];
  const names = new Set<string>();
  const spans: [number, number, string][] = [];
  const tensors: ContainerTensor[] = entries.map((raw, index) => {
    const where = `tensor ${index}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(`${where} must be an object`);
    const t = raw as Record<string, unknown>;
    const name = t['name'];
    if (typeof name !== 'string' || name.length === 0) return fail(`${where}: name must be a non-empty string`);
    const w = `${where} ("${name.slice(0, 80)}")`;
    if (names.has(name)) fail(`${w}: duplicate tensor name`);
    names.add(name);
    const shape = t['shape'];
    if (!Array.isArray(shape) || shape.length > 8 || shape.some((d) => !Number.isSafeInteger(d) || d < 0 || d > 2 ** 31)) {
      return fail(`${w}: shape must be an array of at most 8 non-negative integers`);
    }
    const n = elementCount(shape as number[]);
    if (n > maxElements) fail(`${w}: ${n} elements exceed the limit of ${maxElements} (raise maxElements to read it)`);
    const encoding = validateTensorEncoding(t['encoding'], shape as number[], w, PREFIX);
    const offset = t['offset'];
    const length = t['length'];
    if (!Number.isSafeInteger(offset) || (offset as number) < 0 || (offset as number) % align !== 0) fail(`${w}: offset must be a non-negative multiple of ${align}`);
    const expected = payloadByteLength(shape as number[], encoding);
    if (length !== expected) fail(`${w}: length is ${JSON.stringify(length)} but its encoding needs ${expected} bytes`);
    const fileOffset = dataStart + (offset as number);
    if (fileOffset + expected > bytes.length) {
      throw new FormatError(`${w}: payload of ${expected} bytes at byte ${fileOffset} runs past the end of the ${bytes.length}-byte file (truncated?)`, Math.min(fileOffset, bytes.length));
    }
    const crc = t['crc32'];
    if (typeof crc !== 'string' || !/^[0-9a-f]{8}$/.test(crc)) fail(`${w}: crc32 must be 8 lowercase hex digits`);
    spans.push([fileOffset, fileOffset + expected, w]);
    const payload = bytes.subarray(fileOffset, fileOffset + expected);
    const crcOk = crc32(payload) === parseInt(crc as string, 16);
    if (!crcOk && options.onCrcMismatch !== 'report') throw new FormatError(`${w}: payload CRC-32 mismatch (the data is corrupted)`, fileOffset);
    const decoded = decodeTensor(name, shape as number[], encoding, payload, fileOffset);
    return { ...decoded, fileOffset, length: expected, crc32: crc as string, crcOk };
  });
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]![0] < spans[i - 1]![1]) throw new FormatError(`${spans[i]![2]}: payload overlaps ${spans[i - 1]![2]}`, spans[i]![0]);
  }
  const byName = new Map(tensors.map((t) => [t.name, t]));
  return { version, alignment: align, headerLength, metadata: metadata as Record<string, unknown>, tensors, get: (name) => byName.get(name) };
}
