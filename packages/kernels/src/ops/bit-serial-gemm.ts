import type { PackedBinaryMatrix } from '@quantprune/formats';
import { checkPlanes } from '../internal/validate.ts';
import type { ActivationLevels } from '../kernel-names.ts';
import { getKernel } from '../registry.ts';
import type { BackendOptions } from './binary-gemm.ts';

/** Options of {@link bitSerialGemm}. */
export interface BitSerialGemmOptions extends BackendOptions {
  /**
   * Activation levels of codes 0..3: `'unsigned'` = {0, ⅓, ⅔, 1} (DoReFa activations, `round(3·clip(x, 0, 1))/3`),
   * `'signed'` = {−1, −⅓, ⅓, 1} (the DoReFa weight formula applied to activations). @default 'unsigned'
   */
  readonly activationLevels?: ActivationLevels;
}

/**
 * Bit-serial GEMM with 2-bit activations (A2) and 1-bit (W1, ±1 with bit 1 = −1) or 2-bit DoReFa weights
 * (W2, codes 0..3 = {−1, −⅓, ⅓, 1}), from bit planes made by `packBitPlanes(codes, 2, rows, K)` of
 * @quantprune/formats. Returns the exact dot products of the levels in integer level units: the real value is
 * `result / 3` for A2W1 and `result / 9` for A2W2 (see {@link bitSerialUnit}).
 *
 * @param activations - 2 planes, M×K each (plane 0 = least significant bit)
 * @param weights - 1 plane (binary) or 2 planes (DoReFa 2-bit), N×K each
 * @param options - activation levels and backend
 * @returns M×N int32, row-major
 * @throws RangeError on plane counts other than A2W1/A2W2 or mismatched shapes; KernelNotRegisteredError
 * @example
 * ```ts
 * const a = packBitPlanes(actCodes, 2, m, k);
 * const w = packBitPlanes(weightCodes, 2, n, k);
 * const y = bitSerialGemm(a, w); // y[i] / 9 = Σ levels
 * ```
 */
export function bitSerialGemm(activations: readonly PackedBinaryMatrix[], weights: readonly PackedBinaryMatrix[], options: BitSerialGemmOptions = {}): Int32Array {
  const fn = 'bitSerialGemm';
  if (activations.length !== 2) throw new RangeError(`${fn}: activations must be 2 bit planes (A2), got ${activations.length}`);
  if (weights.length !== 1 && weights.length !== 2) throw new RangeError(`${fn}: weights must be 1 or 2 bit planes (W1/W2), got ${weights.length}`);
  const activationLevels = options.activationLevels ?? 'unsigned';
  if (activationLevels !== 'unsigned' && activationLevels !== 'signed') {
    throw new RangeError(`${fn}: activationLevels must be 'unsigned' or 'signed', got ${String(activationLevels)}`);
  }
  const a0 = activations[0]!;
  const w0 = weights[0]!;
  checkPlanes(fn, 'activations', activations);
  checkPlanes(fn, 'weights', weights);
  if (a0.cols !== w0.cols) throw new RangeError(`${fn}: activations have K = ${a0.cols}, weights ${w0.cols}`);
  if (a0.rows === 0 || w0.rows === 0 || a0.cols === 0) return new Int32Array(a0.rows * w0.rows);
  return getKernel('BitSerialGemm', options.backend)({ activations, weights, activationLevels });
}

/**
 * Level units of {@link bitSerialGemm}: real dot product = result / unit.
 *
 * @param weightBits - 1 (A2W1) or 2 (A2W2)
 * @returns 3 or 9
 */
export function bitSerialUnit(weightBits: 1 | 2): number {
  return weightBits === 1 ? 3 : 9;
}
