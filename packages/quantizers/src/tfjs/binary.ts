import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { checkSignOfZero, type SignOfZero } from '../binary.ts';
import type { SteGate } from '../ste.ts';
import { checkFloat32, checkNotEmpty, keepNaN, unaryCustomGrad } from './internal.ts';

/** Options of {@link steBinary}. */
export interface SteBinaryOptions {
  /** Value of sign(0): +1 (Larq/LCE) or 0 (`torch.sign`). @default 1 */
  readonly signOfZero?: SignOfZero;
  /** Straight-through gate: `'hardtanh'` passes the gradient where |x| ≤ 1, `'identity'` everywhere. @default 'hardtanh' */
  readonly gate?: SteGate;
}

/** The forward sign with the chosen sign(0), NaN kept as NaN. */
export function signForward(x: Tensor, signOfZero: SignOfZero): Tensor {
  // sign(sign(x) + 1/2) maps −1, 0, +1 to −1, +1, +1: sign(0) = +1 in three element-wise kernels.
  const y = signOfZero === 1 ? tf.sign(tf.add(tf.sign(x), 0.5)) : tf.sign(x);
  return keepNaN(x, y); // tf.sign(NaN) is 0 on cpu and wasm
}

/** The straight-through gradient of sign under `gate`. */
export function gateGradient(dy: Tensor, x: Tensor, gate: SteGate): Tensor {
  return gate === 'identity' ? tf.clone(dy) : tf.mul(dy, tf.cast(tf.lessEqual(tf.abs(x), 1), 'float32'));
}

/**
 * Sign binarization as a TF.js op with a straight-through gradient (BNN activations and weights).
 * Forward equals {@link quantizeBinary}'s values; NaN stays NaN (the core function rejects it instead).
 *
 * @param x - float32 tensor
 * @param options - `signOfZero` (default 1) and `gate` (default 'hardtanh')
 * @returns a tensor of ±1 (and 0 for zeros when sign(0) = 0), same shape as `x`
 * @throws RangeError for an empty or non-float32 tensor, a bad `signOfZero` or `gate`
 * @example
 * ```ts
 * const y = steBinary(tf.tensor1d([-0.5, 0, 2])); // [-1, 1, 1]; dy/dx = [1, 1, 0] (hardtanh gate)
 * ```
 */
export function steBinary<T extends Tensor>(x: T, options: SteBinaryOptions = {}): T {
  const fn = 'steBinary';
  const signOfZero = options.signOfZero ?? 1;
  const gate = options.gate ?? 'hardtanh';
  checkSignOfZero(fn, signOfZero);
  checkGate(fn, gate);
  checkNotEmpty(fn, 'x', x);
  checkFloat32(fn, 'x', x);
  return unaryCustomGrad(
    (v) => signForward(v, signOfZero),
    (dy, v) => gateGradient(dy, v, gate),
  )(x) as T;
}

/** Throws unless `gate` is 'identity' or 'hardtanh'. */
export function checkGate(fn: string, gate: string): void {
  if (gate !== 'identity' && gate !== 'hardtanh') throw new RangeError(`${fn}: gate must be 'identity' or 'hardtanh', got ${String(gate)}`);
}
