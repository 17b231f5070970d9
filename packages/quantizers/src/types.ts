/**
 * What every quantizer returns: the dequantized values plus everything a storage format needs to keep
 * only the integer codes.
 *
 * Element `i` of group `g` (its channel, or 0 per tensor) dequantizes to `levels[g * levelCount + codes[i]]`,
 * and that is exactly `values[i]`.
 */
export interface Quantized {
  /** Dequantized output (float32), same length and row-major layout as the input. */
  readonly values: Float32Array;
  /** Unsigned code per element, in `0 .. levelCount − 1`, indexing the ascending level table of its group. */
  readonly codes: Uint8Array;
  /** Level tables, `groups × levelCount`, each ascending; row `g` belongs to channel `g`. */
  readonly levels: Float32Array;
  /** Number of levels per group (2^bits, or 3 for sign with sign(0) = 0). */
  readonly levelCount: number;
  /** Bits needed to store one code: `ceil(log2(levelCount))`. */
  readonly bits: number;
  /** Shape of the input (`[length]` when none was given). */
  readonly shape: readonly number[];
  /** Channel axis of per-channel level tables, or null when one table covers the whole tensor. */
  readonly axis: number | null;
}

/** A uniform quantizer's output, which also carries ONNX QuantizeLinear's integers and parameters. */
export interface UniformQuantized extends Quantized {
  /** `'affine'` (unsigned codes and a zero point) or `'symmetric'` (signed codes, zero point 0). */
  readonly scheme: UniformScheme;
  /** Scale per group (one entry per tensor). */
  readonly scale: Float32Array;
  /** Zero point per group; always 0 for the symmetric scheme. */
  readonly zeroPoint: Int32Array;
  /** Smallest integer code (0 for affine, −2^(bits−1) or −2^(bits−1)+1 for symmetric). */
  readonly qmin: number;
  /** Largest integer code. */
  readonly qmax: number;
  /** ONNX QuantizeLinear output per element: `codes[i] + qmin`, so `values[i] = (intCodes[i] − zeroPoint) · scale`. */
  readonly intCodes: Uint8Array | Int8Array;
}

/** Uniform schemes: affine (asymmetric, zero point) or symmetric (zero point 0). */
export type UniformScheme = 'affine' | 'symmetric';

/** Shape and optional channel axis of a flat row-major input. */
export interface LayoutOptions {
  /** Row-major shape of `x`; its product must equal `x.length`. @default `[x.length]` */
  readonly shape?: readonly number[];
  /** Channel axis for per-channel quantization (negative counts from the end); omit for per tensor. */
  readonly axis?: number;
}
