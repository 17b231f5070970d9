/**
 * Descriptors of how a tensor's k-bit integer codes map to real values.
 *
 * - `affine` (uniform, as ONNX QuantizeLinear/DequantizeLinear): `value = (q − zeroPoint) · scale`, where `q` is
 *   the code read as unsigned (`signed: false`, q ∈ [0, 2^k)) or as a two's-complement k-bit integer
 *   (`signed: true`, q ∈ [−2^(k−1), 2^(k−1))). Symmetric quantization is `zeroPoint = 0`.
 * - `levels` (explicit level table, e.g. binary {−1, 1}, DoReFa 2-bit {−1, −1/3, 1/3, 1}, or a clustering
 *   codebook of up to 2^k float32 centroids): `value = levels[code] · scale`.
 *
 * `scale` (and `zeroPoint`) hold one entry per tensor, or one per slice along `axis` (per output channel when
 * `axis` = 0 in OIHW / [out, in] layouts).
 */
import { checkBits } from './internal/checks.ts';

/** Uniform affine quantization. */
export interface AffineQuantization {
  readonly kind: 'affine';
  /** Bits per code, 1..8. */
  readonly bits: number;
  /** Codes are two's-complement k-bit integers (like ONNX INT4/INT8) instead of unsigned. */
  readonly signed: boolean;
  /** One scale per tensor, or per slice along `axis`. */
  readonly scale: Float32Array;
  /** Same length as `scale`, integers in the code range. */
  readonly zeroPoint: Int32Array;
  /** Axis of per-channel parameters; `null` when per tensor. */
  readonly axis: number | null;
}

/** An explicit table of levels (quantizer levels or a clustering codebook), optionally scaled. */
export interface LevelsQuantization {
  readonly kind: 'levels';
  readonly bits: number;
  /** `levels[code]`; at most 2^bits entries. */
  readonly levels: Float32Array;
  /** Multipliers: none (`null`), one per tensor, or one per slice along `axis` (e.g. XNOR-Net's α per channel). */
  readonly scale: Float32Array | null;
  readonly axis: number | null;
}

/** Either descriptor. */
export type Quantization = AffineQuantization | LevelsQuantization;

/** Options shared by the descriptor builders. */
export interface PerChannelOptions {
  /** Axis the parameters run along; omit for per-tensor. */
  readonly axis?: number;
}

/**
 * Affine descriptor. `scale`/`zeroPoint` may be numbers (per tensor) or arrays (per channel along `axis`).
 *
 * @example
 * ```ts
 * affineQuantization(8, 0.05, 128); // uint8, value = (q − 128)·0.05
 * affineQuantization(4, [0.1, 0.2], [0, 0], { signed: true, axis: 0 }); // INT4 symmetric, per channel
 * ```
 */
export function affineQuantization(
  bits: number,
  scale: number | ArrayLike<number>,
  zeroPoint: number | ArrayLike<number> = 0,
  options: PerChannelOptions & { readonly signed?: boolean } = {},
): AffineQuantization {
  checkBits('affineQuantization', bits);
  const s = Float32Array.from(typeof scale === 'number' ? [scale] : scale);
  const z = Int32Array.from(typeof zeroPoint === 'number' ? [zeroPoint] : zeroPoint);
  const signed = options.signed ?? false;
  const q: AffineQuantization = { kind: 'affine', bits, signed, scale: s, zeroPoint: z, axis: options.axis ?? null };
  validateQuantization('affineQuantization', q);
  return q;
}

/**
 * Level-table descriptor.
 *
 * @example
 * ```ts
 * levelsQuantization(2, [-1, -1 / 3, 1 / 3, 1]);             // DoReFa 2-bit weights
 * levelsQuantization(1, [-1, 1], { scale: alphas, axis: 0 }); // XNOR-Net: sign · α per output channel
 * ```
 */
export function levelsQuantization(
  bits: number,
  levels: ArrayLike<number>,
  options: PerChannelOptions & { readonly scale?: number | ArrayLike<number> } = {},
): LevelsQuantization {
  checkBits('levelsQuantization', bits);
  const scale = options.scale === undefined ? null : Float32Array.from(typeof options.scale === 'number' ? [options.scale] : options.scale);
  const q: LevelsQuantization = { kind: 'levels', bits, levels: Float32Array.from(levels), scale, axis: options.axis ?? null };
  validateQuantization('levelsQuantization', q);
  return q;
}

/** DoReFa k-bit weight levels `2·i/(2^k − 1) − 1`, i = 0..2^k−1 (k = 2: {−1, −1/3, 1/3, 1}). */
export function dorefaLevels(bits: number): Float32Array {
  checkBits('dorefaLevels', bits);
  const n = (1 << bits) - 1;
  const out = new Float32Array(n + 1);
  for (let i = 0; i <= n; i++) out[i] = (2 * i) / n - 1;
  return out;
}

/** Number of per-channel parameters (1 when per tensor). */
export function channelCount(q: Quantization): number {
  return q.kind === 'affine' ? q.scale.length : (q.scale?.length ?? 1);
}

/**
 * Checks a descriptor's internal consistency and, when `shape` is given, its fit to a tensor shape.
 * @throws RangeError naming `fn`, the field and its value
 */
export function validateQuantization(fn: string, q: Quantization, shape?: readonly number[]): void {
  checkBits(fn, q.bits);
  const channels = channelCount(q);
  if (q.kind === 'affine') {
    if (q.scale.length === 0) throw new RangeError(`${fn}: scale must not be empty`);
    if (q.zeroPoint.length !== q.scale.length) {
      throw new RangeError(`${fn}: zeroPoint has ${q.zeroPoint.length} entries but scale has ${q.scale.length}`);
    }
    const [lo, hi] = codeRange(q);
    for (const z of q.zeroPoint) {
      if (z < lo || z > hi) throw new RangeError(`${fn}: zeroPoint ${z} is outside the ${q.bits}-bit code range [${lo}, ${hi}]`);
    }
  } else {
    if (q.levels.length === 0 || q.levels.length > 2 ** q.bits) {
      throw new RangeError(`${fn}: levels must have 1..${2 ** q.bits} entries for ${q.bits} bits, got ${q.levels.length}`);
    }
    if (q.scale !== null && q.scale.length === 0) throw new RangeError(`${fn}: scale must not be empty`);
  }
  if (channels > 1 && q.axis === null) throw new RangeError(`${fn}: ${channels} per-channel parameters need an axis`);
  if (shape !== undefined && q.axis !== null) {
    if (!Number.isInteger(q.axis) || q.axis < 0 || q.axis >= shape.length) {
      throw new RangeError(`${fn}: axis ${q.axis} is outside a tensor of rank ${shape.length}`);
    }
    if (channels !== 1 && channels !== shape[q.axis]) {
      throw new RangeError(`${fn}: ${channels} per-channel parameters do not match dimension ${q.axis} of size ${shape[q.axis]}`);
    }
  }
}

/** Smallest and largest integer `q` a descriptor's codes represent. */
export function codeRange(q: Quantization): [number, number] {
  if (q.kind === 'affine' && q.signed) return [-(2 ** (q.bits - 1)), 2 ** (q.bits - 1) - 1];
  return [0, 2 ** q.bits - 1];
}

/**
 * The real value of every code, per channel: `table[c · 2^bits + code]`.
 * Lets decoders dequantize with one lookup per element.
 */
export function dequantizationTable(q: Quantization): Float32Array {
  const size = 2 ** q.bits;
  const channels = channelCount(q);
  const table = new Float32Array(channels * size);
  for (let c = 0; c < channels; c++) {
    for (let code = 0; code < size; code++) {
      let v: number;
      if (q.kind === 'affine') {
        const int = q.signed && code >= size / 2 ? code - size : code;
        v = (int - q.zeroPoint[c]!) * q.scale[c]!;
      } else {
        v = (q.levels[code] ?? 0) * (q.scale === null ? 1 : q.scale[c]!);
      }
      table[c * size + code] = v;
    }
  }
  return table;
}

/**
 * Dequantizes dense codes of a tensor of `shape`.
 *
 * @param codes - one unsigned code per element (two's-complement bit patterns for signed affine)
 * @param q - the descriptor
 * @param shape - tensor shape (needed for per-channel parameters)
 * @returns real values
 */
export function dequantizeCodes(codes: ArrayLike<number>, q: Quantization, shape: readonly number[]): Float32Array {
  validateQuantization('dequantizeCodes', q, shape);
  const table = dequantizationTable(q);
  const size = 2 ** q.bits;
  const out = new Float32Array(codes.length);
  const { inner, channels } = channelStride(q, shape);
  for (let i = 0; i < codes.length; i++) {
    const c = channels === 1 ? 0 : Math.floor(i / inner) % channels;
    out[i] = table[c * size + codes[i]!]!;
  }
  return out;
}

/** For per-channel descriptors: elements per slice (`inner`) and the number of channels. */
export function channelStride(q: Quantization, shape: readonly number[]): { inner: number; channels: number } {
  const channels = channelCount(q);
  if (channels === 1 || q.axis === null) return { inner: 1, channels: 1 };
  let inner = 1;
  for (let d = q.axis + 1; d < shape.length; d++) inner *= shape[d]!;
  return { inner, channels };
}
