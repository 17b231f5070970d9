// Helpers shared by the TF.js ops (not exported from the package).
import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc, Tensor } from '@tensorflow/tfjs-core';

/** A typed customGrad for ops with one tensor input. */
export function unaryCustomGrad(
  forward: (x: Tensor) => Tensor,
  backward: (dy: Tensor, x: Tensor) => Tensor,
): (x: Tensor) => Tensor {
  const op = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const x = args[0] as Tensor;
    const save = args[1] as GradSaveFunc;
    save([x]);
    return {
      value: tf.tidy(() => forward(x)),
      gradFunc: (dy: Tensor, saved: Tensor[]) => backward(dy, saved[0]!),
    };
  });
  return (x) => op(x);
}

/** `where(isNaN(x), x, y)`: keeps NaN inputs visible in the output. */
export function keepNaN(x: Tensor, y: Tensor): Tensor {
  return tf.where(tf.isNaN(x), x, y);
}

/** Axes to reduce over for a per-channel statistic along `axis` (all axes per tensor). */
export function reduceAxes(fn: string, rank: number, axis: number | undefined): number[] {
  const all = Array.from({ length: rank }, (_, i) => i);
  if (axis === undefined) return all;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new RangeError(`${fn}: axis must be an integer in [${-rank}, ${rank - 1}] for rank ${rank}, got ${String(axis)}`);
  }
  const a = axis < 0 ? axis + rank : axis;
  return all.filter((i) => i !== a);
}

/** Throws a RangeError for an empty tensor. */
export function checkNotEmpty(fn: string, name: string, x: Tensor): void {
  if (x.size === 0) throw new RangeError(`${fn}: ${name} must not be empty, got shape [${x.shape.join(', ')}]`);
}

/** Throws a RangeError for a non-float32 tensor. */
export function checkFloat32(fn: string, name: string, x: Tensor): void {
  if (x.dtype !== 'float32') throw new RangeError(`${fn}: ${name} must have dtype float32, got ${x.dtype}`);
}
