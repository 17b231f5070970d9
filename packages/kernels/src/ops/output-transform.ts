import type { PackedBinaryMatrix } from '@quantprune/formats';
import { checkInt, checkLength } from '../internal/validate.ts';
import { checkTransform, type OutputTransform, type ScaleBiasTransform, type ThresholdTransform } from '../output-transform.ts';
import { getKernel } from '../registry.ts';
import type { BackendOptions } from './binary-gemm.ts';

/**
 * Applies an output transform to a rows×cols int32 result (one transform entry per column): floats
 * `fround(fround(C·scale) + bias)`, or packed bits `(C < threshold) XOR flip` (rows of ⌈cols/32⌉ words).
 *
 * @param c - row-major int32 results
 * @param rows - rows of `c`
 * @param cols - columns of `c` (output channels)
 * @param transform - scale-bias or threshold transform with `cols` entries
 * @param options - backend
 * @returns float32 values or a packed matrix
 * @throws RangeError on a size mismatch; KernelNotRegisteredError
 */
export function applyOutputTransform(c: Int32Array, rows: number, cols: number, transform: ScaleBiasTransform, options?: BackendOptions): Float32Array;
export function applyOutputTransform(c: Int32Array, rows: number, cols: number, transform: ThresholdTransform, options?: BackendOptions): PackedBinaryMatrix;
export function applyOutputTransform(c: Int32Array, rows: number, cols: number, transform: OutputTransform, options?: BackendOptions): Float32Array | PackedBinaryMatrix;
export function applyOutputTransform(c: Int32Array, rows: number, cols: number, transform: OutputTransform, options: BackendOptions = {}): Float32Array | PackedBinaryMatrix {
  const fn = 'applyOutputTransform';
  checkInt(fn, 'rows', rows, 0);
  checkInt(fn, 'cols', cols, 1);
  checkLength(fn, 'c', c.length, rows * cols);
  checkTransform(fn, transform, cols);
  return getKernel('OutputTransform', options.backend)({ c, rows, cols, transform });
}
