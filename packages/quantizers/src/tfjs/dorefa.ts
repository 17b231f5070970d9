import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { DOREFA_BITS, MIN_NORMAL_F32, type DoReFaActivationVariant } from '../dorefa.ts';
import { checkBits, checkClipValue } from '../internal/validate.ts';
import { checkFloat32, checkNotEmpty, keepNaN, unaryCustomGrad } from './internal.ts';

/**
 * `u ↦ (2·round(n·u) − n)/n` with gradient `2·dy`: DoReFa's rounding of u ∈ [0, 1] to 2^k levels in [−1, 1],
 * straight through (RoundNoGradient in Paper A's code). (2c − n)/n is one float32 division of integers, so
 * it equals the core level table exactly.
 */
function roundToWeightLevels(u: Tensor, n: number): Tensor {
  return unaryCustomGrad(
    (v) => tf.div(tf.sub(tf.mul(tf.round(tf.mul(v, n)), 2), n), n),
    (dy) => tf.mul(dy, 2),
  )(u);
}

/**
 * tanh(w)/(2·max(max|tanh(w)|, 2^−126)) + 1/2 in the core's operation order. The floor only matters for an
 * all-zero input (0/0 in the formula; here u = 1/2) and keeps the expression differentiable (no tf.equal).
 */
function tanhNormalise(w: Tensor): Tensor {
  const t = tf.tanh(w);
  const m = tf.maximum(tf.max(tf.abs(t)), MIN_NORMAL_F32);
  return tf.add(tf.div(t, tf.mul(m, 2)), 0.5);
}

/** Options of {@link steDoReFaWeights}. */
export interface SteDoReFaOptions {
  /** Bit-width k in [1, 8]. */
  readonly bits: number;
}

/**
 * DoReFa k-bit weights as a TF.js op: `2·round_k(tanh(w)/(2·max|tanh(w)|) + 1/2) − 1`.
 * Only `round` is straight-through; tanh, the max and the division are differentiated normally (as the
 * autograd of Paper A's code does). Forward equals {@link quantizeDoReFaWeights}; NaN stays NaN.
 *
 * @param w - float32 weights
 * @param options - `bits` (k in [1, 8])
 * @returns the quantized weights, on {@link doReFaWeightLevels}(k)
 * @throws RangeError for a bad bit-width, an empty or non-float32 tensor
 * @example
 * ```ts
 * steDoReFaWeights(tf.tensor1d([0.05, -0.4, 1.2]), { bits: 2 }); // [0.3333333, -0.3333333, 1]
 * ```
 */
export function steDoReFaWeights<T extends Tensor>(w: T, options: SteDoReFaOptions): T {
  const fn = 'steDoReFaWeights';
  checkBits(fn, options.bits, DOREFA_BITS.min, DOREFA_BITS.max);
  checkNotEmpty(fn, 'w', w);
  checkFloat32(fn, 'w', w);
  const n = 2 ** options.bits - 1;
  return tf.tidy(() => roundToWeightLevels(tanhNormalise(w), n) as T);
}

/** Options of {@link steDoReFaActivations}. */
export interface SteDoReFaActivationOptions extends SteDoReFaOptions {
  /** `'clip'`: α·round_k(clip(x/α, 0, 1)); `'tanh'`: the weight formula (Paper A's `DoReFa_A`). @default 'clip' */
  readonly variant?: DoReFaActivationVariant;
  /** `'clip'` only: the clipping value α > 0 (see {@link quantizeDoReFaActivations}). @default 1 */
  readonly clipValue?: number;
}

/**
 * DoReFa k-bit activations as a TF.js op. `'clip'`: `α·round(n·clip(x/α, 0, 1))/n` (α = `clipValue`, default 1),
 * gradient `dy·1{0 ≤ x ≤ α}`;
 * `'tanh'`: exactly {@link steDoReFaWeights} applied to the activation tensor.
 * Forward equals {@link quantizeDoReFaActivations}; NaN stays NaN.
 *
 * @param x - float32 activations
 * @param options - `bits` (k in [1, 8]), `variant` (default 'clip'), `clipValue` (α, default 1)
 * @returns the quantized activations
 * @throws RangeError for a bad bit-width, variant or clip value, an empty or non-float32 tensor
 * @example
 * ```ts
 * steDoReFaActivations(tf.tensor1d([-1, 0.2, 0.5, 3]), { bits: 2 }); // [0, 0.3333333, 0.6666667, 1]
 * ```
 */
export function steDoReFaActivations<T extends Tensor>(x: T, options: SteDoReFaActivationOptions): T {
  const fn = 'steDoReFaActivations';
  const variant = options.variant ?? 'clip';
  if (variant !== 'clip' && variant !== 'tanh') throw new RangeError(`${fn}: variant must be 'clip' or 'tanh', got ${String(variant)}`);
  const alpha = checkClipValue(fn, variant, options.clipValue);
  checkBits(fn, options.bits, DOREFA_BITS.min, DOREFA_BITS.max);
  checkNotEmpty(fn, 'x', x);
  checkFloat32(fn, 'x', x);
  const n = 2 ** options.bits - 1;
  if (variant === 'tanh') return tf.tidy(() => roundToWeightLevels(tanhNormalise(x), n) as T);
  if (alpha === 1) {
    return unaryCustomGrad(
      // c/n is one float32 division of integers: equal to the core's level c/n.
      // keepNaN: the wasm backend's clipByValue maps NaN to 0.
      (v) => keepNaN(v, tf.div(tf.round(tf.mul(tf.clipByValue(v, 0, 1), n)), n)),
      (dy, v) => tf.mul(dy, tf.cast(tf.logicalAnd(tf.greaterEqual(v, 0), tf.lessEqual(v, 1)), 'float32')),
    )(x) as T;
  }
  return unaryCustomGrad(
    (v) => keepNaN(v, tf.mul(tf.div(tf.round(tf.mul(tf.clipByValue(tf.div(v, alpha), 0, 1), n)), n), alpha)),
    (dy, v) => tf.mul(dy, tf.cast(tf.logicalAnd(tf.greaterEqual(v, 0), tf.lessEqual(tf.div(v, alpha), 1)), 'float32')),
  )(x) as T;
}
