import type { PackedBinaryMatrix } from '@quantprune/formats';
import { checkInt, checkLength } from '../internal/validate.ts';
import { getKernel } from '../registry.ts';

/** Options of {@link packSigns}. */
export interface PackSignsOptions {
  /** Row alignment in 32-bit words. @default 1 */
  readonly rowAlignWords?: number;
  /** Backend to use; omit for the highest-priority registered one. */
  readonly backend?: string;
}

/**
 * Packs the signs of float activations into the binary kernel layout (`packBinaryRows` of
 * @quantprune/formats): bit 1 for x < 0 (−1), bit 0 for x ≥ 0, −0 and NaN (+1), padding bits 0.
 *
 * @param values - row-major `rows × cols` floats (e.g. NHWC pixels × channels)
 * @param rows - number of rows
 * @param cols - values per row
 * @param options - row alignment and backend
 * @returns the packed matrix
 * @throws RangeError on a size mismatch; KernelNotRegisteredError when no backend is registered
 * @example
 * ```ts
 * packSigns(Float32Array.of(1, -2, 0, -0.5), 2, 2).words; // Uint32Array [0b10, 0b10]
 * ```
 */
export function packSigns(values: Float32Array, rows: number, cols: number, options: PackSignsOptions = {}): PackedBinaryMatrix {
  const fn = 'packSigns';
  checkInt(fn, 'rows', rows, 0);
  checkInt(fn, 'cols', cols, 0);
  const rowAlignWords = options.rowAlignWords ?? 1;
  checkInt(fn, 'rowAlignWords', rowAlignWords, 1);
  checkLength(fn, 'values', values.length, rows * cols);
  return getKernel('PackSigns', options.backend)({ values, rows, cols, rowAlignWords });
}
