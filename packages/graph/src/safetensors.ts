/**
 * Pretrained weights: a validating safetensors reader and the import of torch-named tensors into a graph.
 *
 * safetensors layout (https://huggingface.co/docs/safetensors): an unsigned 64-bit little-endian header length N,
 * N bytes of UTF-8 JSON `{ "<name>": { "dtype", "shape", "data_offsets": [begin, end] }, "__metadata__"?: {…} }`,
 * then the data buffer; offsets are relative to the buffer, which the tensors must cover exactly (no holes, no
 * overlaps), values little-endian row-major.
 */
import { cloneGraph } from './internal/clone-graph.ts';
import { getParam, paramNames, setParam } from './param-names.ts';
import type { Graph, Tensor } from './types.ts';

/**
 * Thrown when bytes are not a valid safetensors file: truncated, inconsistent or hostile. `offset` is the byte
 * offset in the file where the problem was found (the header length field, the JSON header, or a tensor's data).
 */
export class SafetensorsError extends Error {
  /** The file name given to the reader, `''` when none. */
  readonly file: string;
  /** Byte offset of the problem from the start of the file. */
  readonly offset: number;
  /** What is wrong, without file and offset. */
  readonly reason: string;

  /**
   * @param reason - what is wrong and what to do
   * @param offset - byte offset in the file
   * @param file - file name for the message
   */
  constructor(reason: string, offset: number, file = '') {
    super(`${file ? `${file}: ` : ''}byte ${offset}: ${reason}`);
    this.name = 'SafetensorsError';
    this.file = file;
    this.offset = offset;
    this.reason = reason;
  }
}

/** Floating-point dtypes whose tensors are returned (converted to float32). */
export type SafetensorsFloatDType = 'F64' | 'F32' | 'F16' | 'BF16';

const FLOAT_BYTES: Readonly<Record<SafetensorsFloatDType, number>> = { F64: 8, F32: 4, F16: 2, BF16: 2 };
/** Integer and boolean dtypes: validated, then skipped (torch's `num_batches_tracked` is I64). */
const OTHER_BYTES: Readonly<Record<string, number>> = { I64: 8, U64: 8, I32: 4, U32: 4, I16: 2, U16: 2, I8: 1, U8: 1, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1 };

/** The safetensors reference implementation's header limit. */
const MAX_HEADER_BYTES = 100_000_000;

/** One entry of a safetensors header, validated. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Absolute byte range of the data in the file, `[begin, end)`. */
  readonly begin: number;
  readonly end: number;
}

/** A validated safetensors header. */
export interface SafetensorsHeader {
  /** Every tensor, in header order. */
  readonly entries: readonly SafetensorsEntry[];
  /** The `__metadata__` object (string values), `{}` when absent. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** A tensor read from a safetensors file. */
export interface SafetensorsTensor {
  /** Its dtype in the file. */
  readonly dtype: SafetensorsFloatDType;
  readonly shape: readonly number[];
  /** The values converted to float32 (F64 rounded, F16/BF16 exact). */
  readonly data: Float32Array;
}

/**
 * Parses and validates the header of a safetensors file without touching tensor data: the header length against
 * the file size (and the 100 MB limit), UTF-8 and JSON, every entry's dtype, shape and offsets, the byte size
 * implied by dtype × shape, and that the tensors tile the data buffer exactly (no overlap, no gap).
 *
 * @param bytes - the whole file
 * @param file - file name for error messages
 * @returns the entries with absolute byte ranges, and the metadata
 * @throws SafetensorsError naming the file, the byte offset and the problem
 */
export function readSafetensorsHeader(bytes: Uint8Array, file = ''): SafetensorsHeader {
  const fail: (reason: string, offset: number) => never = (reason, offset) => {
    throw new SafetensorsError(reason, offset, file);
  };
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length of a safetensors file`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const high = view.getUint32(4, true);
  const headerLength = high * 2 ** 32 + view.getUint32(0, true);
  if (headerLength > bytes.length - 8 || headerLength > MAX_HEADER_BYTES) {
    fail(`header length ${headerLength} exceeds the ${bytes.length - 8} bytes after the length field${headerLength > MAX_HEADER_BYTES ? ' (and the 100 MB limit)' : ''}: truncated or not a safetensors file`, 0);
  }
  if (headerLength < 2) fail(`header length ${headerLength} is too small for a JSON object`, 0);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`, 8);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('header must be a JSON object of tensors', 8);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const entries: SafetensorsEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    const v = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (name === '__metadata__') {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
        fail('__metadata__ must be an object of strings', 8);
      }
      metadata = v as Record<string, string>;
      continue;
    }
    const where = `tensor ${JSON.stringify(name)}`;
    if (typeof v !== 'object' || v === null) fail(`${where}: entry must be an object with dtype, shape and data_offsets`, 8);
    const dtype = v.dtype;
    const size = typeof dtype === 'string' ? (FLOAT_BYTES[dtype as SafetensorsFloatDType] ?? OTHER_BYTES[dtype]) : undefined;
    if (size === undefined) fail(`${where}: unknown dtype ${JSON.stringify(dtype)}`, 8);
    const shape = v.shape;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      fail(`${where}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`, 8);
    }
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    const offsets = v.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0)) {
      fail(`${where}: data_offsets must be two non-negative integers, got ${JSON.stringify(offsets)}`, 8);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLength) {
      fail(`${where}: data_offsets [${begin}, ${end}] fall outside the ${dataLength}-byte data buffer: truncated file or corrupt header`, dataStart + Math.min(begin, dataLength));
    }
    if (!Number.isSafeInteger(numel * size) || end - begin !== numel * size) {
      fail(`${where}: ${dtype as string} [${(shape as number[]).join(', ')}] needs ${numel * size} bytes but data_offsets give ${end - begin}`, dataStart + begin);
    }
    entries.push({ name, dtype: dtype as string, shape: [...(shape as number[])], begin: dataStart + begin, end: dataStart + end });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = dataStart;
  for (const e of sorted) {
    if (e.begin < cursor) fail(`tensor ${JSON.stringify(e.name)} (bytes ${e.begin}–${e.end}) overlaps the tensor before it`, e.begin);
    if (e.begin > cursor) fail(`${e.begin - cursor} bytes before tensor ${JSON.stringify(e.name)} belong to no tensor (the data buffer must have no holes)`, cursor);
    cursor = e.end;
  }
  if (cursor !== bytes.length) fail(`${bytes.length - cursor} trailing bytes after the last tensor belong to no tensor`, cursor);
  return { entries, metadata };
}

/**
 * Reads the floating-point tensors of a safetensors file, converted to float32. Integer and boolean tensors
 * (such as torch BatchNorm's `num_batches_tracked`, I64) are validated and skipped; list them with
 * {@link readSafetensorsHeader}. Everything is validated before any tensor is allocated.
 *
 * @param bytes - the whole file
 * @param file - file name for error messages
 * @returns tensors by name, in header order
 * @throws SafetensorsError naming the file, the byte offset and the problem
 * @example
 * ```ts
 * const tensors = readSafetensors(readFileSync(path), path);
 * tensors.get('conv1.weight')!.shape; // [16, 3, 3, 3]
 * ```
 */
export function readSafetensors(bytes: Uint8Array, file = ''): Map<string, SafetensorsTensor> {
  const { entries } = readSafetensorsHeader(bytes, file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, SafetensorsTensor>();
  for (const e of entries) {
    if (!(e.dtype in FLOAT_BYTES)) continue;
    const dtype = e.dtype as SafetensorsFloatDType;
    const n = (e.end - e.begin) / FLOAT_BYTES[dtype];
    const data = new Float32Array(n);
    for (let i = 0, p = e.begin; i < n; i++) {
      if (dtype === 'F32') {
        data[i] = view.getFloat32(p, true);
        p += 4;
      } else if (dtype === 'F64') {
        data[i] = view.getFloat64(p, true);
        p += 8;
      } else {
        const h = view.getUint16(p, true);
        data[i] = dtype === 'BF16' ? bf16ToFloat(h) : f16ToFloat(h);
        p += 2;
      }
    }
    out.set(e.name, { dtype, shape: e.shape, data });
  }
  return out;
}

const scratch = new DataView(new ArrayBuffer(4));

function bf16ToFloat(h: number): number {
  scratch.setUint32(0, h << 16);
  return scratch.getFloat32(0);
}

function f16ToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** A problem found by {@link loadWeights}. */
export interface WeightMismatch {
  readonly name: string;
  readonly expected: readonly number[];
  readonly got: readonly number[];
}

/**
 * Thrown by {@link loadWeights} with EVERY problem at once: graph parameters the tensors do not provide
 * (`missing`), tensors the graph has no parameter for (`unexpected`, named as in the file), and tensors whose
 * shape differs from the parameter's (`mismatched`).
 */
export class LoadWeightsError extends Error {
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];
  readonly mismatched: readonly WeightMismatch[];

  /**
   * @param graphName - the target graph's name, for the message
   * @param problems - the three lists
   */
  constructor(graphName: string, problems: { missing: readonly string[]; unexpected: readonly string[]; mismatched: readonly WeightMismatch[] }) {
    const parts: string[] = [];
    const { missing, unexpected, mismatched } = problems;
    if (missing.length) parts.push(`missing in the tensors (${missing.length}): ${missing.join(', ')}`);
    if (unexpected.length) parts.push(`unexpected tensors (${unexpected.length}): ${unexpected.join(', ')}`);
    if (mismatched.length) {
      const list = mismatched.map((m) => `${m.name}: graph [${m.expected.join(', ')}], tensor [${m.got.join(', ')}]`);
      parts.push(`shape mismatches (${mismatched.length}): ${list.join('; ')}`);
    }
    super(`loadWeights: cannot load into "${graphName}": ${parts.join('. ')}. Check the model name and options (e.g. the shortcut option), or pass a mapping / strict: false`);
    this.name = 'LoadWeightsError';
    this.missing = missing;
    this.unexpected = unexpected;
    this.mismatched = mismatched;
  }
}

/** Options of {@link loadWeights}. */
export interface LoadWeightsOptions {
  /**
   * Maps a tensor name of the file to a parameter name of the graph, or `null` to ignore the tensor.
   * @default strips a leading `module.` (torch DataParallel checkpoints), otherwise the name itself
   */
  readonly mapping?: (torchName: string) => string | null;
  /**
   * Require every graph parameter to be provided and every tensor to be used. Shape mismatches are always an
   * error (as in torch's `load_state_dict`). @default true
   */
  readonly strict?: boolean;
}

/** The default name mapping of {@link loadWeights}: strips a leading `module.`. */
export function defaultWeightMapping(torchName: string): string {
  return torchName.startsWith('module.') ? torchName.slice('module.'.length) : torchName;
}

/**
 * Copies named tensors into a copy of the graph. Names follow torch (`layer1.0.conv1.weight`,
 * `bn1.running_mean`, see `paramNames`), so a torch state dict saved as safetensors loads onto the zoo model of
 * the same architecture with no mapping. A parameter tied to an earlier one (Paper A's shared PReLU,
 * `relu_1`) is loaded through the first name (`relu`) only.
 *
 * @param graph - the target graph (not modified)
 * @param tensors - tensors by name with their shapes, e.g. from {@link readSafetensors}
 * @param options - name mapping and strictness
 * @returns a copy of the graph with the tensors' values
 * @throws LoadWeightsError listing every missing, unexpected and mis-shaped tensor
 * @example
 * ```ts
 * const graph = loadWeights(createModel('resnet20-cifar'), readSafetensors(readFileSync(file), file));
 * ```
 */
export function loadWeights(
  graph: Graph,
  tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>,
  options: LoadWeightsOptions = {},
): Graph {
  const mapping = options.mapping ?? defaultWeightMapping;
  const strict = options.strict ?? true;
  const out = cloneGraph(graph);
  // Parameters of the graph, tied duplicates (the same Tensor object under a second name) left out.
  const params = new Map<string, Tensor>();
  const seen = new Set<Tensor>();
  for (const name of paramNames(out)) {
    const t = getParam(out, name);
    if (seen.has(t)) continue;
    seen.add(t);
    params.set(name, t);
  }
  const provided = new Set<string>();
  const unexpected: string[] = [];
  const mismatched: WeightMismatch[] = [];
  const assignments: [string, Float32Array][] = [];
  for (const [fileName, tensor] of tensors) {
    const target = mapping(fileName);
    if (target === null) continue;
    const param = params.get(target);
    if (param === undefined || provided.has(target)) {
      unexpected.push(target === fileName ? fileName : `${fileName} (→ ${target})`);
      continue;
    }
    provided.add(target);
    const same = param.shape.length === tensor.shape.length && param.shape.every((d, i) => d === tensor.shape[i]);
    if (!same || tensor.data.length !== param.data.length) mismatched.push({ name: target, expected: param.shape, got: tensor.shape });
    else assignments.push([target, tensor.data]);
  }
  const missing = [...params.keys()].filter((n) => !provided.has(n));
  if (mismatched.length > 0 || (strict && (missing.length > 0 || unexpected.length > 0))) {
    throw new LoadWeightsError(graph.name, { missing: strict ? missing : [], unexpected: strict ? unexpected : [], mismatched });
  }
  for (const [name, data] of assignments) setParam(out, name, data);
  return out;
}
