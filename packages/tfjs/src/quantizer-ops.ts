// The IR's quantizer annotations as straight-through TF.js ops (@quantprune/quantizers/tfjs; DoReFa as the fused
// kernels of fused-dorefa.ts when they are registered), with the channel axis translated from the IR's layouts
// (OIHW, [out, in], NCHW) to the TF.js ones (HWIO, [in, out], NHWC).
import * as tf from '@tensorflow/tfjs-core';
import type { QuantizerSpec } from '@quantprune/graph';
import { steBinary, steDoReFaActivations, steDoReFaWeights, steLsq, steUniform, steXnorWeights } from '@quantprune/quantizers/tfjs';
import { lsqBounds, lsqInitStep } from '@quantprune/quantizers';
import { fusedDoReFa, hasFusedDoReFaKernels } from './fused-dorefa.ts';

/** Where a quantizer sits: on conv weights, dense weights, or on a layer's input activations. */
export type QuantizerSite = 'conv-weight' | 'dense-weight' | 'activation';

/** A quantizer ready to apply, with its learnable LSQ step when it has one. */
export interface QuantizerOp {
  /** Quantizes a tensor in the TF.js layout of its site. */
  (x: tf.Tensor): tf.Tensor;
  /** LSQ only: the learnable step (scalar, trainable). */
  readonly step?: tf.Variable;
}

/** TF.js axis of each IR axis: conv OIHW → HWIO, dense [out, in] → [in, out], activations NCHW → NHWC. */
const AXIS_MAP: Record<QuantizerSite, readonly number[]> = {
  'conv-weight': [3, 2, 0, 1],
  'dense-weight': [1, 0],
  activation: [0, 3, 1, 2],
};

function option<T extends number | string | boolean>(spec: QuantizerSpec, key: string, type: 'number' | 'string' | 'boolean'): T | undefined {
  const v = spec.options?.[key];
  if (v === undefined) return undefined;
  if (typeof v !== type) throw new TypeError(`compileGraph: quantizer ${spec.name} option ${key} must be a ${type}, got ${JSON.stringify(v)}`);
  return v as T;
}

/** The TF.js axis for the spec's IR `axis` option, for a tensor of `rank` (2 for dense activations). */
function mapAxis(spec: QuantizerSpec, site: QuantizerSite, rank: number): number | undefined {
  const axis = option<number>(spec, 'axis', 'number');
  if (axis === undefined) return undefined;
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new RangeError(`compileGraph: quantizer ${spec.name} axis ${axis} is out of range for rank ${rank}`);
  return site === 'activation' && rank === 2 ? a : AXIS_MAP[site][a]; // [N, F] activations: the same layout in both
}

/**
 * Builds the straight-through op of one quantizer annotation.
 *
 * @param spec - the IR annotation (`binary`, `xnor`, `dorefa`, `uniform`, `lsq`)
 * @param site - where it applies (decides defaults and the axis translation)
 * @param latent - LSQ weights only: the latent weights (IR layout) for the step initialisation `2·mean|w|/√Q_P`
 * @param name - variable name prefix of an LSQ step
 * @returns the op (and its LSQ step variable)
 * @throws RangeError/TypeError for an unknown quantizer, a bad option, or `xnor` on activations
 */
export function quantizerOp(spec: QuantizerSpec, site: QuantizerSite, latent: Float32Array | undefined, name: string): QuantizerOp {
  const weights = site !== 'activation';
  switch (spec.name) {
    case 'binary': {
      const signOfZero = option<0 | 1>(spec, 'signOfZero', 'number');
      const gate = option<'identity' | 'hardtanh'>(spec, 'gate', 'string');
      return (x) => steBinary(x, { ...(signOfZero !== undefined ? { signOfZero } : {}), ...(gate ? { gate } : {}) });
    }
    case 'xnor': {
      if (!weights) throw new RangeError(`compileGraph: xnor is a weight quantizer, not an activation quantizer (${name})`);
      const signOfZero = option<0 | 1>(spec, 'signOfZero', 'number');
      const gate = option<'identity' | 'hardtanh'>(spec, 'gate', 'string');
      const rank = site === 'conv-weight' ? 4 : 2;
      const axis = mapAxis(spec, site, rank);
      return (x) => steXnorWeights(x, { ...(axis !== undefined ? { axis } : {}), ...(signOfZero !== undefined ? { signOfZero } : {}), ...(gate ? { gate } : {}) });
    }
    case 'dorefa': {
      // the fused kernels when registered for the backend that runs (same values, same gradient), else the ops
      if (weights) return (x) => (hasFusedDoReFaKernels() ? fusedDoReFa(x, { bits: spec.bits, weights: true }) : steDoReFaWeights(x, { bits: spec.bits }));
      const variant = option<'clip' | 'tanh'>(spec, 'variant', 'string');
      const clipValue = option<number>(spec, 'clipValue', 'number');
      const options = { bits: spec.bits, ...(variant ? { variant } : {}), ...(clipValue !== undefined ? { clipValue } : {}) };
      return (x) => (hasFusedDoReFaKernels() ? fusedDoReFa(x, options) : steDoReFaActivations(x, options));
    }
    case 'uniform': {
      const scheme = option<'affine' | 'symmetric'>(spec, 'scheme', 'string');
      const narrow = option<boolean>(spec, 'narrow', 'boolean');
      return (x) => {
        const axis = mapAxis(spec, site, x.rank);
        return steUniform(x, { bits: spec.bits, ...(scheme ? { scheme } : {}), ...(narrow !== undefined ? { narrow } : {}), ...(axis !== undefined ? { axis } : {}) });
      };
    }
    case 'lsq': {
      const signed = option<boolean>(spec, 'signed', 'boolean') ?? weights;
      const { qp } = lsqBounds(spec.bits, signed);
      const initial = option<number>(spec, 'step', 'number') ?? (latent ? lsqInitStep(latent, { bits: spec.bits, signed }) : undefined);
      // activations without a given step: initialised from the first batch, as LSQ does
      let pending = initial === undefined;
      const step = tf.variable(tf.scalar(initial ?? 1), true, `${name}.step`);
      const op = (x: tf.Tensor): tf.Tensor => {
        if (pending) {
          pending = false;
          tf.tidy(() => step.assign(tf.maximum(tf.div(tf.mul(tf.mean(tf.abs(x)), 2), Math.sqrt(qp)), 1e-8) as tf.Scalar));
        }
        return steLsq(x, step, { bits: spec.bits, signed });
      };
      return Object.assign(op, { step });
    }
    default:
      throw new RangeError(`compileGraph: unknown quantizer ${JSON.stringify((spec as { name: unknown }).name)} (${name})`);
  }
}
