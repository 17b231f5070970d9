import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc, Tensor } from '@tensorflow/tfjs-core';
import { uniformRange, type UniformParams } from '../uniform.ts';
import type { UniformScheme } from '../types.ts';
import { checkFloat32, checkNotEmpty, keepNaN, reduceAxes } from './internal.ts';

/** Options of {@link steUniform}. */
export interface SteUniformOptions {
  /** Bit-width k in [2, 8]. */
  readonly bits: number;
  /** 'affine' (zero point) or 'symmetric' (zero point 0). @default 'affine' */
  readonly scheme?: UniformScheme;
  /** Symmetric only: codes −(2^(k−1)−1)..2^(k−1)−1. @default false */
  readonly narrow?: boolean;
  /** Channel axis for per-channel parameters; omit for per tensor. */
  readonly axis?: number;
  /**
   * Fixed parameters, e.g. from {@link calibrateUniform} (MSE calibration) or a running range; one entry per
   * group. When omitted, min/max parameters are computed from `x` on every call, as {@link calibrateUniform} does.
   */
  readonly params?: Pick<UniformParams, 'scale' | 'zeroPoint'>;
}

/**
 * Uniform fake quantization as a TF.js op, ONNX QuantizeLinear + DequantizeLinear:
 * `x̂ = (clip(round(x/scale) + zp, qmin, qmax) − zp) · scale` with round half to even (`tf.round`).
 * Gradient: straight through where `round(x/scale) + zp` lies in [qmin, qmax], 0 where it saturates;
 * scale and zero point get no gradient. Forward equals {@link quantizeUniform} (min/max or given parameters).
 * NaN stays NaN element-wise (with min/max calibration, a NaN may also spoil its group's range).
 *
 * @param x - float32 tensor
 * @param options - bits, scheme, narrow, axis, params
 * @returns the fake-quantized tensor
 * @throws RangeError for bad bits/scheme/axis/params, an empty or non-float32 tensor
 * @example
 * ```ts
 * steUniform(tf.tensor1d([-1, 0, 0.5, 3]), { bits: 2 }); // [-1.3333334, 0, 0, 2.6666667]
 * ```
 */
export function steUniform<T extends Tensor>(x: T, options: SteUniformOptions): T {
  const fn = 'steUniform';
  const scheme = options.scheme ?? 'affine';
  const { qmin, qmax } = uniformRange(options.bits, scheme, options.narrow ?? false);
  checkNotEmpty(fn, 'x', x);
  checkFloat32(fn, 'x', x);
  const axes = reduceAxes(fn, x.rank, options.axis);
  const bshape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const groups = bshape.reduce((a, b) => a * b, 1);
  if (options.params) {
    const { scale: s, zeroPoint: z } = options.params;
    if (s.length !== groups || z.length !== groups) {
      throw new RangeError(`${fn}: params.scale and params.zeroPoint must have ${groups} elements (one per group), got ${s.length} and ${z.length}`);
    }
  }
  // Parameters are computed inside the custom op: they get no gradient and stay off the tape.
  const parameters = (v: Tensor): [Tensor, Tensor] => {
    if (options.params) {
      return [tf.tensor(Float32Array.from(options.params.scale), bshape), tf.tensor(Float32Array.from(options.params.zeroPoint), bshape)];
    }
    // onnxruntime compute_scale_zp in float32, same operation order as the core calibrateUniform
    let lo = tf.minimum(tf.min(v, axes, true), 0);
    let hi = tf.maximum(tf.max(v, axes, true), 0);
    if (scheme === 'symmetric') {
      hi = tf.maximum(tf.neg(lo), hi);
      lo = tf.neg(hi);
    }
    const raw = tf.div(tf.sub(hi, lo), qmax - qmin);
    const scale = tf.where(tf.equal(raw, 0), tf.onesLike(raw), raw);
    const zp = scheme === 'symmetric' ? tf.zerosLike(scale) : tf.clipByValue(tf.round(tf.sub(qmin, tf.div(lo, scale))), qmin, qmax);
    return [scale, zp];
  };
  const op = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const v = args[0] as Tensor;
    const save = args[1] as GradSaveFunc;
    const value = tf.tidy(() => {
      const [s, z] = parameters(v);
      save([v, s, z]);
      const q = tf.clipByValue(tf.add(tf.round(tf.div(v, s)), z), qmin, qmax);
      return keepNaN(v, tf.mul(tf.sub(q, z), s)); // wasm's clipByValue may turn NaN into a bound
    });
    const gradFunc = (dy: Tensor, saved: Tensor[]): Tensor => {
      const [sv, ss, sz] = saved as [Tensor, Tensor, Tensor];
      const q = tf.add(tf.round(tf.div(sv, ss)), sz);
      return tf.mul(dy, tf.cast(tf.logicalAnd(tf.greaterEqual(q, qmin), tf.lessEqual(q, qmax)), 'float32'));
    };
    return { value, gradFunc };
  });
  return op(x) as T;
}
