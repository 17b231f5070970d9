// Learned Step Size Quantization (Esser et al., "Learned Step Size Quantization", ICLR 2020,
// arXiv 1902.08153):  v̂ = round(clip(v/s, −Q_N, Q_P)) · s,  with gradients (paper eq. 3 and §2.2)
//   ∂v̂/∂v = 1 inside the clip range, 0 outside;
//   ∂v̂/∂s = round(v/s) − v/s inside, −Q_N below, Q_P above; times the gradient scale g = 1/√(N·Q_P).
// The clip range is inclusive, as `torch.clamp`'s backward in the authors' style of implementation.
import { uniformLevels, type UniformParams } from './uniform.ts';
import { roundHalfEven } from './internal/round.ts';
import { resolveLayout } from './internal/layout.ts';
import { checkBits, checkFinite, checkLength, checkNoNaN, checkNonEmpty } from './internal/validate.ts';
import type { UniformQuantized } from './types.ts';

const f32 = Math.fround;

/** Options of the LSQ functions. */
export interface LsqOptions {
  /** Bit-width b, an integer in [2, 8]. */
  readonly bits: number;
  /** Signed (weights: Q_N = 2^(b−1), Q_P = 2^(b−1)−1) or unsigned (activations: Q_N = 0, Q_P = 2^b−1). @default true */
  readonly signed?: boolean;
  /** Row-major shape recorded in the result. @default `[x.length]` */
  readonly shape?: readonly number[];
}

/** Options of {@link lsqGradients}. */
export interface LsqGradientOptions extends LsqOptions {
  /** Gradient scale g applied to ∂L/∂s. @default 1/√(x.length · Q_P) */
  readonly gradScale?: number;
}

/** Result of {@link lsqGradients}. */
export interface LsqGradients {
  /** ∂L/∂v per element. */
  readonly dx: Float32Array;
  /** ∂L/∂s, already multiplied by the gradient scale. */
  readonly dstep: number;
}

/**
 * Clip bounds of LSQ: `{ qn, qp }` with the range `[−qn, qp]`.
 *
 * @param bits - b in [2, 8]
 * @param signed - signed (weights) or unsigned (activations) @default true
 * @returns `{ qn, qp }`
 * @throws RangeError for a bad bit-width
 * @example
 * ```ts
 * lsqBounds(4); // { qn: 8, qp: 7 }
 * ```
 */
export function lsqBounds(bits: number, signed = true): { qn: number; qp: number } {
  checkBits('lsqBounds', bits, 2, 8);
  return signed ? { qn: 2 ** (bits - 1), qp: 2 ** (bits - 1) - 1 } : { qn: 0, qp: 2 ** bits - 1 };
}

/**
 * LSQ's step initialisation, `s₀ = 2·mean(|x|)/√Q_P` (float64 mean, float32 result).
 *
 * @param x - the weights or a batch of activations
 * @param options - bits and signedness
 * @returns the initial step size (1 if `x` is all zeros)
 * @throws RangeError for a bad bit-width, empty `x` or a non-finite value
 * @example
 * ```ts
 * lsqInitStep(new Float32Array([-1, 1]), { bits: 2 }); // 2
 * ```
 */
export function lsqInitStep(x: Float32Array, options: LsqOptions): number {
  const fn = 'lsqInitStep';
  checkBits(fn, options.bits, 2, 8);
  checkNonEmpty(fn, 'x', x);
  checkFinite(fn, 'x', x);
  const { qp } = lsqBounds(options.bits, options.signed ?? true);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i]!);
  const s = f32((2 * (sum / x.length)) / Math.sqrt(qp));
  return s > 0 ? s : 1;
}

/**
 * LSQ's default gradient scale `g = 1/√(n · Q_P)` for a tensor of `n` elements (weights: the layer's
 * weight count; activations: features per sample is what the paper uses, so pass that `n`).
 *
 * @param n - number of elements the step is shared by
 * @param options - bits and signedness
 * @returns g
 * @throws RangeError for a bad bit-width or n < 1
 * @example
 * ```ts
 * lsqGradScale(9, { bits: 2 }); // 1/3
 * ```
 */
export function lsqGradScale(n: number, options: LsqOptions): number {
  checkBits('lsqGradScale', options.bits, 2, 8);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`lsqGradScale: n must be a positive integer, got ${String(n)}`);
  return 1 / Math.sqrt(n * lsqBounds(options.bits, options.signed ?? true).qp);
}

/**
 * LSQ forward: `v̂ = roundHalfEven(clip(v/s, −Q_N, Q_P)) · s` (v/s in float32).
 * This is a uniform quantizer with scale s and zero point 0: `intCodes` hold q ∈ [−Q_N, Q_P] and the
 * unsigned `codes = q + Q_N` index the level table `q·s`.
 *
 * @param x - input values
 * @param step - the step size s (> 0, finite)
 * @param options - bits, signedness, shape
 * @returns values, codes (`q + Q_N`), `intCodes` (q), level table, scale `[s]`, zero point `[0]`
 * @throws RangeError for a bad bit-width, step ≤ 0, empty `x` or NaN in `x`
 * @example
 * ```ts
 * quantizeLsq(new Float32Array([0.26, -3, 0.74]), 0.5, { bits: 2 }).values; // [0.5, -1, 0.5]
 * ```
 */
export function quantizeLsq(x: Float32Array, step: number, options: LsqOptions): UniformQuantized {
  const fn = 'quantizeLsq';
  checkBits(fn, options.bits, 2, 8);
  checkStep(fn, step);
  checkNonEmpty(fn, 'x', x);
  const { shape } = resolveLayout(fn, x.length, options.shape, undefined);
  const signed = options.signed ?? true;
  const { qn, qp } = lsqBounds(options.bits, signed);
  const s = f32(step);
  const params: UniformParams = {
    scheme: signed ? 'symmetric' : 'affine',
    scale: new Float32Array([s]),
    zeroPoint: new Int32Array([0]),
    qmin: -qn,
    qmax: qp,
  };
  const levels = uniformLevels(params);
  const values = new Float32Array(x.length);
  const codes = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v !== v) throw new RangeError(`${fn}: x must not contain NaN, got NaN at index ${i}`);
    let t = f32(v / s);
    t = t < -qn ? -qn : t > qp ? qp : t;
    const c = roundHalfEven(t) + qn;
    codes[i] = c;
    values[i] = levels[c]!;
  }
  let intCodes: Uint8Array | Int8Array = codes;
  if (signed) {
    intCodes = new Int8Array(codes.length);
    for (let i = 0; i < codes.length; i++) intCodes[i] = codes[i]! - qn;
  }
  return { values, codes, levels, levelCount: levels.length, bits: options.bits, shape, axis: null, ...params, intCodes };
}

/**
 * LSQ backward: the straight-through gradient for v and the gradient-scaled gradient for the step s.
 *
 * @param x - the forward input v
 * @param step - the step size s
 * @param dy - ∂L/∂v̂
 * @param options - bits, signedness, optional `gradScale`
 * @returns `{ dx, dstep }` (dstep summed over all elements in float64, then times g)
 * @throws RangeError for a bad bit-width, step ≤ 0, empty or mismatched arrays
 * @example
 * ```ts
 * lsqGradients(new Float32Array([0.3, 9]), 0.5, new Float32Array([1, 1]), { bits: 2, gradScale: 1 });
 * // { dx: [1, 0], dstep: (1 − 0.6) + 1 = 1.4 }
 * ```
 */
export function lsqGradients(x: Float32Array, step: number, dy: Float32Array, options: LsqGradientOptions): LsqGradients {
  const fn = 'lsqGradients';
  checkBits(fn, options.bits, 2, 8);
  checkStep(fn, step);
  checkNonEmpty(fn, 'x', x);
  checkLength(fn, 'dy', dy, x.length, 'one per element of x');
  checkNoNaN(fn, 'x', x);
  const { qn, qp } = lsqBounds(options.bits, options.signed ?? true);
  const g = options.gradScale ?? 1 / Math.sqrt(x.length * qp);
  const s = f32(step);
  const dx = new Float32Array(x.length);
  let ds = 0;
  for (let i = 0; i < x.length; i++) {
    const t = f32(x[i]! / s);
    const d = dy[i]!;
    if (t < -qn) ds -= qn * d;
    else if (t > qp) ds += qp * d;
    else {
      dx[i] = d;
      ds += (roundHalfEven(t) - t) * d;
    }
  }
  return { dx, dstep: ds * g };
}

function checkStep(fn: string, step: number): void {
  if (!(step > 0) || !Number.isFinite(step)) throw new RangeError(`${fn}: step must be a finite number > 0, got ${String(step)}`);
}
