import type { PackedBinaryMatrix } from '@quantprune/formats';
import { resolveConvGeometry, type Conv2dOptions, type ConvGeometry } from '../conv-geometry.ts';
import { checkConvWeights } from '../conv-weights.ts';
import { checkLength, checkPacked } from '../internal/validate.ts';
import { checkTransform, type OutputTransform, type ScaleBiasTransform } from '../output-transform.ts';
import { getKernel } from '../registry.ts';
import type { BackendOptions } from './binary-gemm.ts';

/** Options of {@link bitSerialConv2d}. `padValue` must be 0 (the default): code 0 is the level 0. */
export interface BitSerialConv2dOptions extends Conv2dOptions, BackendOptions {
  /** Fused per-channel scale + bias; without one the exact int32 sums (level units) are returned. */
  readonly transform?: ScaleBiasTransform;
}

/**
 * Bit-serial 2-D convolution with 2-bit activations (NHWC codes 0..3 = DoReFa levels {0, ⅓, ⅔, 1}) and ±1
 * weights (1 plane, A2W1) or DoReFa 2-bit weights (2 planes, codes 0..3 = {−1, −⅓, ⅓, 1}, A2W2), OHWI.
 * Zero padding is exact and free: a padded position is code 0, the level 0. Results are the exact dot products
 * in level units, like `bitSerialGemm`: real value = result / 3 (A2W1) or / 9 (A2W2), see `bitSerialUnit`.
 *
 * @param input - NHWC codes (one byte each, 0..3), or 2 planes from `packBitPlanes(codes, 2, N·H·W, C)`
 * @param weights - `packConv2dWeightPlanes(codes, [O, kh, kw, C], 2)` (A2W2), or 1 plane for ±1 weights
 *   (`packConv2dWeightPlanes(bits, shape, 1)` or `[packConv2dWeights(values, shape)]`, A2W1)
 * @param options - shape, kernel size, strides, padding, optional scale-bias transform and backend
 * @returns int32 NHWC sums in level units, or float32 NHWC `fround(fround(sum·scale) + bias)` with a transform
 * @throws RangeError on inconsistent shapes, a code above 3, `padValue` 1, a threshold transform or a plane
 *   count other than 1 or 2; KernelNotRegisteredError when no backend is registered
 * @example
 * ```ts
 * const w = packConv2dWeightPlanes(weightCodes, [64, 3, 3, 64], 2);
 * const y = bitSerialConv2d(codes, w, { inputShape: [1, 56, 56, 64], outChannels: 64, kernelSize: 3, padding: 1 });
 * // y[i] / 9 = Σ over the window of activation level × weight level
 * ```
 */
export function bitSerialConv2d(
  input: Uint8Array | readonly PackedBinaryMatrix[],
  weights: readonly PackedBinaryMatrix[],
  options: BitSerialConv2dOptions & { readonly transform?: undefined },
): Int32Array;
export function bitSerialConv2d(
  input: Uint8Array | readonly PackedBinaryMatrix[],
  weights: readonly PackedBinaryMatrix[],
  options: BitSerialConv2dOptions & { readonly transform: ScaleBiasTransform },
): Float32Array;
export function bitSerialConv2d(input: Uint8Array | readonly PackedBinaryMatrix[], weights: readonly PackedBinaryMatrix[], options: BitSerialConv2dOptions): Int32Array | Float32Array;
export function bitSerialConv2d(input: Uint8Array | readonly PackedBinaryMatrix[], weights: readonly PackedBinaryMatrix[], options: BitSerialConv2dOptions): Int32Array | Float32Array {
  const fn = 'bitSerialConv2d';
  const g = checkBitSerialConv(fn, weights, options);
  const pixels = g.batch * g.height * g.width;
  if (input instanceof Uint8Array) {
    checkLength(fn, 'input', input.length, pixels * g.inChannels);
    const bad = input.findIndex((c) => c > 3);
    if (bad >= 0) throw new RangeError(`${fn}: input codes must be 0..3, got ${input[bad]} at index ${bad}`);
  } else {
    if (input.length !== 2) throw new RangeError(`${fn}: input must be 2 bit planes (A2), got ${input.length}`);
    input.forEach((p, i) => {
      checkPacked(fn, `input[${i}]`, p);
      if (p.rows !== pixels || p.cols !== g.inChannels) {
        throw new RangeError(`${fn}: input[${i}] must be ${pixels}×${g.inChannels} (pixels × channels), got ${p.rows}×${p.cols}`);
      }
    });
  }
  return getKernel('BitSerialConv2d', options.backend)({ input, weights, geometry: g, transform: options.transform ?? null });
}

/**
 * Validates the geometry, weight planes, pad value and transform of a bit-serial convolution.
 *
 * @returns the geometry
 * @throws RangeError naming `fn` on any inconsistency
 */
export function checkBitSerialConv(fn: string, weights: readonly PackedBinaryMatrix[], options: Conv2dOptions & { readonly transform?: OutputTransform }): ConvGeometry {
  const g = resolveConvGeometry(options, fn);
  if (g.padValue !== 0) throw new RangeError(`${fn}: padValue must be 0 (code 0 is the level 0, so zero padding is exact), got ${g.padValue}`);
  if (weights.length !== 1 && weights.length !== 2) throw new RangeError(`${fn}: weights must be 1 or 2 bit planes (W1/W2), got ${weights.length}`);
  for (const plane of weights) checkConvWeights(fn, plane, g);
  const t = options.transform;
  if (t !== undefined) {
    if (t.kind !== 'scale-bias') throw new RangeError(`${fn}: transform must be a scale-bias transform (2-bit outputs are not signs), got ${String(t.kind)}`);
    checkTransform(fn, t, g.outChannels);
  }
  return g;
}
