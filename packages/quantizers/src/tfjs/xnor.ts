import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { checkSignOfZero } from '../binary.ts';
import { checkGate, steBinary, type SteBinaryOptions } from './binary.ts';
import { checkFloat32, checkNotEmpty, reduceAxes } from './internal.ts';

/** Options of {@link steXnorWeights}. */
export interface SteXnorOptions extends SteBinaryOptions {
  /** Output-channel axis (TF.js conv2d filters [kh, kw, cin, cout]: −1); omit for one α per tensor. */
  readonly axis?: number;
}

/**
 * XNOR-Net weights as a TF.js op: `ste_sign(w) · mean(|w|)` per output channel (or per tensor).
 * The sign uses the straight-through gate (default 'identity', as Paper A's code); α = mean|w| is an
 * ordinary differentiable TF.js expression, so its gradient (1/n)·sign(w)·Σ dy·sign(w) is included.
 * Forward equals {@link quantizeXnorWeights} up to α's float32 summation order (≤ 1e-6 relative).
 * A NaN weight makes its whole channel NaN (α is NaN).
 *
 * @param w - float32 weights
 * @param options - `axis`, `signOfZero` (default 1), `gate` (default 'identity')
 * @returns ±α per element
 * @throws RangeError for an empty or non-float32 tensor, a bad axis, `signOfZero` or `gate`
 * @example
 * ```ts
 * steXnorWeights(tf.tensor2d([[0.5, -1.5], [2, 4]]), { axis: 0 }); // [[1, -1], [3, 3]]
 * ```
 */
export function steXnorWeights<T extends Tensor>(w: T, options: SteXnorOptions = {}): T {
  const fn = 'steXnorWeights';
  const signOfZero = options.signOfZero ?? 1;
  const gate = options.gate ?? 'identity';
  checkSignOfZero(fn, signOfZero);
  checkGate(fn, gate);
  checkNotEmpty(fn, 'w', w);
  checkFloat32(fn, 'w', w);
  const axes = reduceAxes(fn, w.rank, options.axis);
  return tf.tidy(() => tf.mul(steBinary(w, { signOfZero, gate }), tf.mean(tf.abs(w), axes, true)) as T);
}
