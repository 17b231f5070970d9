// BatchNorm with broadcasting: tf.batchNorm's gradient tiles per-channel vectors up to the activation shape
// (572 ms of a 1466 ms ResNet-20 step, environment-notes §1); per-channel [C] tensors broadcast instead. In
// training mode the fused kernels of fused-batch-norm.ts replace these ops when registered for the backend.
import * as tf from '@tensorflow/tfjs-core';
import { fusedBatchNormTrain, hasFusedBatchNorm } from './fused-batch-norm.ts';

/** The tensors and constants of one BatchNorm layer (channels on the last axis). */
export interface BatchNormState {
  /** γ, `[C]`; absent when affine = false. */
  readonly gamma?: tf.Tensor1D;
  /** β, `[C]`; absent when affine = false. */
  readonly beta?: tf.Tensor1D;
  /** Running mean, `[C]`, a non-trainable variable updated in training mode. */
  readonly runningMean: tf.Variable<tf.Rank.R1>;
  /** Running (unbiased) variance, `[C]`, a non-trainable variable updated in training mode. */
  readonly runningVar: tf.Variable<tf.Rank.R1>;
  readonly eps: number;
  /** torch convention: running = (1 − momentum)·running + momentum·batch. */
  readonly momentum: number;
}

/**
 * BatchNorm over the last axis, as `torch.nn.BatchNorm2d`/`1d`:
 * `(x − μ)·rsqrt(σ² + eps)·γ + β` with per-channel vectors broadcast (no tiling in the gradient).
 * Training: μ, σ² are the batch statistics of `tf.moments` (biased σ², differentiated through), and the
 * running statistics are updated in place with torch's momentum and the unbiased batch variance
 * σ²·n/(n − 1); when the fused kernels (see `registerFusedBatchNormKernels`) are registered for the active
 * backend, the forward and its gradient run as one kernel each, with the same values up to float32 rounding.
 * Evaluation: the running statistics, folded into one scale and shift per channel.
 *
 * @param x - activations `[N, H, W, C]` or `[N, C]` (float32)
 * @param state - γ, β, running statistics, eps, momentum
 * @param training - batch statistics and running-stat update (true) or running statistics (false)
 * @param options - `relu`: apply max(·, 0) to the result (fused into the kernel when it runs)
 * @returns the normalised tensor, shape of `x`
 * @throws RangeError when the channel counts disagree, or in training with one value per channel
 * @example
 * ```ts
 * const y = batchNorm(x, { runningMean, runningVar, eps: 1e-5, momentum: 0.1 }, true);
 * ```
 */
export function batchNorm<T extends tf.Tensor>(x: T, state: BatchNormState, training: boolean, options: { readonly relu?: boolean } = {}): T {
  const fn = 'batchNorm';
  const c = x.shape[x.rank - 1];
  for (const [name, t] of [['gamma', state.gamma], ['beta', state.beta], ['runningMean', state.runningMean], ['runningVar', state.runningVar]] as const) {
    if (t && (t.rank !== 1 || t.shape[0] !== c)) {
      throw new RangeError(`${fn}: ${name} must have shape [${String(c)}] (the last axis of x), got [${t.shape.join(', ')}]`);
    }
  }
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const n = x.size / (c ?? 1);
  if (training && n < 2) throw new RangeError(`${fn}: training needs more than one value per channel, got x of shape [${x.shape.join(', ')}]`);
  const relu = options.relu ?? false;
  return tf.tidy(() => {
    const { gamma, beta, eps, momentum } = state;
    if (!training) {
      let scale: tf.Tensor = tf.rsqrt(tf.add(state.runningVar, eps));
      if (gamma) scale = tf.mul(scale, gamma);
      let shift: tf.Tensor = tf.neg(tf.mul(state.runningMean, scale));
      if (beta) shift = tf.add(shift, beta);
      const y = tf.add(tf.mul(x, scale), shift);
      return (relu ? tf.relu(y) : y) as T;
    }
    let y: tf.Tensor;
    let mean: tf.Tensor;
    let variance: tf.Tensor;
    if (hasFusedBatchNorm(x)) {
      ({ y, mean, variance } = fusedBatchNormTrain(x, gamma ?? tf.ones([c!]), beta ?? tf.zeros([c!]), eps, relu));
    } else {
      ({ mean, variance } = tf.moments(x, axes));
      let scale: tf.Tensor = tf.rsqrt(tf.add(variance, eps));
      if (gamma) scale = tf.mul(scale, gamma);
      y = tf.mul(tf.sub(x, mean), scale);
      if (beta) y = tf.add(y, beta);
      if (relu) y = tf.relu(y);
    }
    state.runningMean.assign(tf.add(tf.mul(state.runningMean, 1 - momentum), tf.mul(mean, momentum)));
    state.runningVar.assign(tf.add(tf.mul(state.runningVar, 1 - momentum), tf.mul(variance, (momentum * n) / (n - 1))));
    return y as T;
  });
}
