import { resolveLayout } from './internal/layout.ts';
import { checkNonEmpty } from './internal/validate.ts';
import type { Quantized } from './types.ts';

/**
 * Value of sign(0). `1`: sign(0) = +1, as Larq and LCE binarize (`x >= 0 ? 1 : -1`), a true 1-bit code.
 * `0`: sign(0) = 0, as `torch.sign` (and Paper A's code) does, which makes the output ternary.
 */
export type SignOfZero = 1 | 0;

/** Options of {@link quantizeBinary}. */
export interface BinaryOptions {
  /** Value of sign(0). @default 1 */
  readonly signOfZero?: SignOfZero;
  /** Row-major shape recorded in the result. @default `[x.length]` */
  readonly shape?: readonly number[];
}

/**
 * Level table of the sign quantizer: `[-1, 1]`, or `[-1, 0, 1]` when sign(0) = 0.
 *
 * @param signOfZero - value of sign(0) @default 1
 * @returns the ascending level table
 * @example
 * ```ts
 * binaryLevels(); // Float32Array [-1, 1]
 * ```
 */
export function binaryLevels(signOfZero: SignOfZero = 1): Float32Array {
  checkSignOfZero('binaryLevels', signOfZero);
  return signOfZero === 1 ? new Float32Array([-1, 1]) : new Float32Array([-1, 0, 1]);
}

/**
 * Binarizes with sign: −1 for x < 0, +1 for x > 0, and `signOfZero` for ±0 (BNN weights and activations).
 * Codes index `binaryLevels(signOfZero)`: with sign(0) = +1 they are 0 (−1) and 1 (+1), one bit;
 * with sign(0) = 0 they are 0, 1, 2 and need two bits. ±Infinity binarize to ±1.
 *
 * @param x - input values
 * @param options - `signOfZero` (default 1) and an optional `shape`
 * @returns values in {−1, +1} (or {−1, 0, +1}), their codes and level table
 * @throws RangeError when `x` is empty, contains NaN, or `signOfZero` is not 0 or 1
 * @example
 * ```ts
 * quantizeBinary(new Float32Array([-0.5, 0, 2])).values;                    // [-1, 1, 1]
 * quantizeBinary(new Float32Array([-0.5, 0, 2]), { signOfZero: 0 }).values; // [-1, 0, 1]
 * ```
 */
export function quantizeBinary(x: Float32Array, options: BinaryOptions = {}): Quantized {
  const fn = 'quantizeBinary';
  const signOfZero = options.signOfZero ?? 1;
  checkSignOfZero(fn, signOfZero);
  checkNonEmpty(fn, 'x', x);
  const { shape } = resolveLayout(fn, x.length, options.shape, undefined);
  const n = x.length;
  const values = new Float32Array(n);
  const codes = new Uint8Array(n);
  const posCode = signOfZero === 1 ? 1 : 2;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (v > 0) {
      values[i] = 1;
      codes[i] = posCode;
    } else if (v < 0) {
      values[i] = -1; // code 0, already zero-filled
    } else if (v === 0) {
      values[i] = signOfZero;
      codes[i] = 1; // +1 in [-1, 1], 0 in [-1, 0, 1]
    } else {
      throw new RangeError(`${fn}: x must not contain NaN, got NaN at index ${i}`);
    }
  }
  const levels = binaryLevels(signOfZero);
  return { values, codes, levels, levelCount: levels.length, bits: signOfZero === 1 ? 1 : 2, shape, axis: null };
}

/** Throws unless `signOfZero` is 0 or 1. */
export function checkSignOfZero(fn: string, signOfZero: number): void {
  if (signOfZero !== 0 && signOfZero !== 1) {
    throw new RangeError(`${fn}: signOfZero must be 1 or 0, got ${String(signOfZero)}`);
  }
}
