import type { PackedBinaryMatrix } from '@quantprune/formats';
import { resolveConvGeometry, type Conv2dOptions } from '../conv-geometry.ts';
import { checkConvWeights } from '../conv-weights.ts';
import { checkLength, checkPacked } from '../internal/validate.ts';
import { checkTransform, type OutputTransform, type ScaleBiasTransform, type ThresholdTransform } from '../output-transform.ts';
import { getKernel } from '../registry.ts';
import type { BackendOptions } from './binary-gemm.ts';

/** Options of {@link binaryConv2d}. */
export interface BinaryConv2dOptions extends Conv2dOptions, BackendOptions {
  /** Fused output transform; without one the exact int32 sums are returned. */
  readonly transform?: OutputTransform;
}

/**
 * Binary 2-D convolution (NHWC input, OHWI weights, ±1 values): `y[b,oy,ox,n] = Σ x·w` over the window.
 * With `padValue: 0` padded positions contribute exactly 0, like an fp32 convolution: the kernels treat them
 * as +1 and subtract each padded tap's weight sum (see `tapWeightSums`) from the border pixels. With
 * `padValue: 1` they contribute +1 (Larq `pad_values=1`) and nothing is subtracted.
 *
 * @param input - NHWC floats (their signs are packed) or packed pixels (rows = N·H·W, cols = C)
 * @param weights - packed OHWI weights from `packConv2dWeights`
 * @param options - shape, kernel size, strides, padding, pad value, output transform and backend
 * @returns int32 NHWC sums; float32 NHWC with a scale-bias transform; packed output pixels with a threshold
 * @throws RangeError on inconsistent shapes; KernelNotRegisteredError when no backend is registered
 * @example
 * ```ts
 * const w = packConv2dWeights(weights, [64, 3, 3, 64]);
 * const y = binaryConv2d(x, w, { inputShape: [1, 56, 56, 64], outChannels: 64, kernelSize: 3, padding: 1 });
 * ```
 */
export function binaryConv2d(input: Float32Array | PackedBinaryMatrix, weights: PackedBinaryMatrix, options: BinaryConv2dOptions & { readonly transform?: undefined }): Int32Array;
export function binaryConv2d(input: Float32Array | PackedBinaryMatrix, weights: PackedBinaryMatrix, options: BinaryConv2dOptions & { readonly transform: ScaleBiasTransform }): Float32Array;
export function binaryConv2d(input: Float32Array | PackedBinaryMatrix, weights: PackedBinaryMatrix, options: BinaryConv2dOptions & { readonly transform: ThresholdTransform }): PackedBinaryMatrix;
export function binaryConv2d(input: Float32Array | PackedBinaryMatrix, weights: PackedBinaryMatrix, options: BinaryConv2dOptions): Int32Array | Float32Array | PackedBinaryMatrix;
export function binaryConv2d(input: Float32Array | PackedBinaryMatrix, weights: PackedBinaryMatrix, options: BinaryConv2dOptions): Int32Array | Float32Array | PackedBinaryMatrix {
  const fn = 'binaryConv2d';
  const g = resolveConvGeometry(options, fn);
  const pixels = g.batch * g.height * g.width;
  if (input instanceof Float32Array) {
    checkLength(fn, 'input', input.length, pixels * g.inChannels);
  } else {
    checkPacked(fn, 'input', input);
    if (input.rows !== pixels || input.cols !== g.inChannels) {
      throw new RangeError(`${fn}: packed input must be ${pixels}×${g.inChannels} (pixels × channels), got ${input.rows}×${input.cols}`);
    }
  }
  checkConvWeights(fn, weights, g);
  const transform = options.transform ?? null;
  if (transform) checkTransform(fn, transform, g.outChannels);
  return getKernel('BinaryConv2d', options.backend)({ input, weights, geometry: g, transform });
}
