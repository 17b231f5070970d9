// DoReFa-Net quantizers (Zhou et al. 2016) as Paper A's code applies them (shared/reference/papers.md §A.3.2).
//
// Every intermediate is rounded to float32 (Math.fround) in the same order as the TF.js ops in
// ../tfjs/dorefa.ts, so codes agree bit for bit wherever tanh agrees.
import { checkBits, checkClipValue, checkNonEmpty } from './internal/validate.ts';
import { roundHalfEven } from './internal/round.ts';
import { resolveLayout } from './internal/layout.ts';
import type { Quantized } from './types.ts';

/** Smallest and largest DoReFa bit-width accepted. */
export const DOREFA_BITS: { readonly min: number; readonly max: number } = { min: 1, max: 8 };

/** 2^−126, the smallest normal float32: the floor of max|tanh(w)| (reached only by an all-zero input). */
export const MIN_NORMAL_F32: number = 2 ** -126;

/** Which DoReFa activation quantizer: the paper's clipped one, or the tanh-normalised one of Paper A's code. */
export type DoReFaActivationVariant = 'clip' | 'tanh';

/** Options of the DoReFa quantizers. */
export interface DoReFaOptions {
  /** Bit-width k, an integer in [1, 8]. */
  readonly bits: number;
  /** Row-major shape recorded in the result. @default `[x.length]` */
  readonly shape?: readonly number[];
}

/** Options of {@link quantizeDoReFaActivations}. */
export interface DoReFaActivationOptions extends DoReFaOptions {
  /**
   * `'clip'`: `round_k(clip(x, 0, 1))`, levels `c/(2^k−1)` in [0, 1] (DoReFa paper).
   * `'tanh'`: the weight formula applied to activations (Paper A's `DoReFa_A`), levels in [−1, 1].
   * @default 'clip'
   */
  readonly variant?: DoReFaActivationVariant;
  /**
   * `'clip'` only: the clipping value α > 0 (PACT's upper bound): `α·round_k(clip(x/α, 0, 1))`, levels
   * `α·c/(2^k−1)`. A BatchNorm or the next layer absorbs α; only where the clip falls changes. Pick α from data
   * with {@link calibrateActivationClip}. @default 1
   */
  readonly clipValue?: number;
}

/**
 * Level table of DoReFa k-bit weights: `2c/(2^k−1) − 1` for c = 0 .. 2^k−1 (k = 2: −1, −1/3, 1/3, 1).
 *
 * @param bits - k, in [1, 8]
 * @returns 2^k ascending levels in [−1, 1], each the float32 nearest to the exact fraction
 * @throws RangeError when `bits` is not an integer in [1, 8]
 * @example
 * ```ts
 * doReFaWeightLevels(2); // Float32Array [-1, -0.3333333, 0.3333333, 1]
 * ```
 */
export function doReFaWeightLevels(bits: number): Float32Array {
  checkBits('doReFaWeightLevels', bits, DOREFA_BITS.min, DOREFA_BITS.max);
  const n = 2 ** bits - 1;
  const out = new Float32Array(n + 1);
  // (2c − n)/n: an exact integer over n, so float32 division (the TF.js op) gives the same nearest float.
  for (let c = 0; c <= n; c++) out[c] = (2 * c - n) / n;
  return out;
}

/**
 * Level table of DoReFa k-bit clipped activations: `c/(2^k−1)` for c = 0 .. 2^k−1 (k = 2: 0, 1/3, 2/3, 1).
 *
 * @param bits - k, in [1, 8]
 * @returns 2^k ascending levels in [0, 1]
 * @throws RangeError when `bits` is not an integer in [1, 8]
 * @example
 * ```ts
 * doReFaActivationLevels(1); // Float32Array [0, 1]
 * ```
 */
export function doReFaActivationLevels(bits: number): Float32Array {
  checkBits('doReFaActivationLevels', bits, DOREFA_BITS.min, DOREFA_BITS.max);
  const n = 2 ** bits - 1;
  const out = new Float32Array(n + 1);
  for (let c = 0; c <= n; c++) out[c] = c / n;
  return out;
}

/**
 * DoReFa k-bit weights: `w_q = 2·round_k(tanh(w) / (2·max|tanh(w)|) + 1/2) − 1`, with
 * `round_k(u) = round((2^k−1)·u) / (2^k−1)` and the max over the whole tensor.
 * `round` is round-half-to-even (`torch.round`). ±Infinity are accepted (tanh(±∞) = ±1).
 * max|tanh(w)| is floored at 2^−126, so an all-zero tensor (0/0 in the formula) gets `u = 1/2` everywhere.
 *
 * @param w - weights
 * @param options - `bits` (k in [1, 8]) and an optional `shape`
 * @returns values on {@link doReFaWeightLevels}, codes `c = round((2^k−1)·u)` and the level table
 * @throws RangeError when `bits` is out of range, `w` is empty or contains NaN
 * @example
 * ```ts
 * quantizeDoReFaWeights(new Float32Array([0.05, -0.4, 1.2]), { bits: 2 }).codes; // Uint8Array [2, 1, 3]
 * ```
 */
export function quantizeDoReFaWeights(w: Float32Array, options: DoReFaOptions): Quantized {
  return tanhNormalised('quantizeDoReFaWeights', w, options);
}

/**
 * DoReFa k-bit activations. `'clip'` (default): `α·round_k(clip(x/α, 0, 1))` with α = `clipValue` (default 1),
 * levels in [0, α];
 * `'tanh'`: the same tanh-normalised formula as {@link quantizeDoReFaWeights}, levels in [−1, 1], max over
 * the whole activation tensor, as Paper A's code does for `DoReFa_A`.
 *
 * @param x - activations
 * @param options - `bits` (k in [1, 8]), `variant` ('clip' | 'tanh'), `clipValue` (α, 'clip' only), optional `shape`
 * @returns the quantized activations with codes and level table
 * @throws RangeError when `bits` is out of range, `variant` is unknown, `clipValue` is not finite and > 0 (or
 *   given with 'tanh'), `x` is empty or contains NaN
 * @example
 * ```ts
 * quantizeDoReFaActivations(new Float32Array([-1, 0.2, 0.5, 3]), { bits: 2 }).values; // [0, 0.3333333, 0.6666667, 1]
 * ```
 */
export function quantizeDoReFaActivations(x: Float32Array, options: DoReFaActivationOptions): Quantized {
  const fn = 'quantizeDoReFaActivations';
  const variant = options.variant ?? 'clip';
  const alpha = checkClipValue(fn, variant, options.clipValue);
  if (variant === 'tanh') return tanhNormalised(fn, x, options);
  if (variant !== 'clip') throw new RangeError(`${fn}: variant must be 'clip' or 'tanh', got ${String(variant)}`);
  checkBits(fn, options.bits, DOREFA_BITS.min, DOREFA_BITS.max);
  checkNonEmpty(fn, 'x', x);
  const { shape } = resolveLayout(fn, x.length, options.shape, undefined);
  const unit = doReFaActivationLevels(options.bits);
  const n = unit.length - 1;
  // float32 in the TF.js op's order: x/α, clip, round, c/n, ·α (α = 1 skips both steps, as the op does)
  const levels = alpha === 1 ? unit : unit.map((l) => l * alpha);
  const values = new Float32Array(x.length);
  const codes = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v !== v) throw new RangeError(`${fn}: x must not contain NaN, got NaN at index ${i}`);
    const u = alpha === 1 ? v : Math.fround(v / alpha);
    const clipped = u < 0 ? 0 : u > 1 ? 1 : u;
    const c = roundHalfEven(Math.fround(clipped * n));
    codes[i] = c;
    values[i] = levels[c]!;
  }
  return { values, codes, levels, levelCount: n + 1, bits: options.bits, shape, axis: null };
}

function tanhNormalised(fn: string, w: Float32Array, options: DoReFaOptions): Quantized {
  checkBits(fn, options.bits, DOREFA_BITS.min, DOREFA_BITS.max);
  checkNonEmpty(fn, 'x', w);
  const { shape } = resolveLayout(fn, w.length, options.shape, undefined);
  const levels = doReFaWeightLevels(options.bits);
  const n = levels.length - 1;
  const t = new Float32Array(w.length); // tanh(w) in float32, as tf.tanh returns it
  let max = 0;
  for (let i = 0; i < w.length; i++) {
    const v = w[i]!;
    if (v !== v) throw new RangeError(`${fn}: x must not contain NaN, got NaN at index ${i}`);
    const s = Math.tanh(v);
    t[i] = s;
    const a = Math.abs(t[i]!);
    if (a > max) max = a;
  }
  // max = 0 only for an all-zero tensor (0/0 in the formula): the floor gives u = 1/2 there, like the TF.js op.
  const denom = 2 * Math.max(max, MIN_NORMAL_F32);
  const values = new Float32Array(w.length);
  const codes = new Uint8Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const u = Math.fround(Math.fround(t[i]! / denom) + 0.5);
    const c = roundHalfEven(Math.fround(u * n));
    codes[i] = c;
    values[i] = levels[c]!;
  }
  return { values, codes, levels, levelCount: n + 1, bits: options.bits, shape, axis: null };
}
