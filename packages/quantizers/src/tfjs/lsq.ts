import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc, Tensor } from '@tensorflow/tfjs-core';
import { lsqBounds } from '../lsq.ts';
import { checkFloat32, checkNotEmpty, keepNaN } from './internal.ts';

/** Options of {@link steLsq}. */
export interface SteLsqOptions {
  /** Bit-width b in [2, 8]. */
  readonly bits: number;
  /** Signed (weights) or unsigned (activations). @default true */
  readonly signed?: boolean;
  /** Gradient scale g for ∂L/∂s. @default 1/√(x.size · Q_P) */
  readonly gradScale?: number;
}

/**
 * Learned Step Size Quantization as a TF.js op: `v̂ = round(clip(v/s, −Q_N, Q_P)) · s` with LSQ's gradients
 * (straight through for v inside the range; `round(v/s) − v/s`, −Q_N or Q_P for s, times g). Pass the step as
 * a scalar `tf.Variable` to learn it with any optimizer. Forward equals {@link quantizeLsq}; gradients equal
 * {@link lsqGradients} up to float32 summation of ∂L/∂s. NaN stays NaN.
 *
 * @param x - float32 tensor
 * @param step - scalar float32 tensor s > 0 (e.g. `tf.variable(tf.scalar(lsqInitStep(data, opts)))`)
 * @param options - bits, signed, gradScale
 * @returns the quantized tensor
 * @throws RangeError for a bad bit-width, an empty or non-float32 `x`, or a non-scalar step
 * @example
 * ```ts
 * const s = tf.variable(tf.scalar(0.5));
 * steLsq(tf.tensor1d([0.26, -3, 0.74]), s, { bits: 2 }); // [0.5, -1, 0.5]
 * ```
 */
export function steLsq<T extends Tensor>(x: T, step: Tensor, options: SteLsqOptions): T {
  const fn = 'steLsq';
  const { qn, qp } = lsqBounds(options.bits, options.signed ?? true);
  checkNotEmpty(fn, 'x', x);
  checkFloat32(fn, 'x', x);
  if (step.size !== 1) throw new RangeError(`${fn}: step must be a scalar, got shape [${step.shape.join(', ')}]`);
  const g = options.gradScale ?? 1 / Math.sqrt(x.size * qp);
  const op = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [v, s] = args as [Tensor, Tensor];
    (args[2] as GradSaveFunc)([v, s]);
    // keepNaN: wasm's clipByValue may turn NaN into a bound
    const value = tf.tidy(() => keepNaN(v, tf.mul(tf.round(tf.clipByValue(tf.div(v, s), -qn, qp)), s)));
    const gradFunc = (dy: Tensor, saved: Tensor[]): Tensor[] => {
      const [sv, ss] = saved as [Tensor, Tensor];
      const t = tf.div(sv, ss);
      const below = tf.less(t, -qn);
      const above = tf.greater(t, qp);
      const inside = tf.logicalNot(tf.logicalOr(below, above));
      const dx = tf.mul(dy, tf.cast(inside, 'float32'));
      const perElement = tf.where(inside, tf.sub(tf.round(t), t), tf.where(below, tf.fill(t.shape, -qn), tf.fill(t.shape, qp)));
      const ds = tf.reshape(tf.mul(tf.sum(tf.mul(dy, perElement)), g), ss.shape);
      return [dx, ds];
    };
    return { value, gradFunc };
  });
  return op(x, step) as T;
}
