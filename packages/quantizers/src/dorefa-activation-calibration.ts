// Clip-value calibration for DoReFa activations (post-training, from sample activations).
//
// DoReFa's activation quantizer clips to [0, 1] before rounding to 2^k levels. That range suits a network trained
// with it; a pretrained float network's ReLU outputs reach 3–10, so clipping at 1 discards most of the signal
// (pretrained CIFAR ResNet-20 with only its activations quantized to 2 bits: 62.7 % at α = 1, 77.6 % at one
// global α = 2.4, after BatchNorm re-estimation). PACT makes α a parameter; this picks it per layer as the α that
// minimises Σ(x − α·round_k(clip(x/α, 0, 1)))² on sample activations — the MSE range search of NNCF, AIMET and
// TensorRT's calibrators, applied to DoReFa's quantizer.
import { checkBits, checkFinite, checkNonEmpty } from './internal/validate.ts';
import { DOREFA_BITS } from './dorefa.ts';

/** Options of {@link calibrateDoReFaActivationClip}. */
export interface DoReFaActivationClipOptions {
  /** Bit-width k in [1, 8]. */
  readonly bits: number;
  /** Candidate α as fractions of max(x), each in (0, 1]. @default 0.01, 0.02, …, 1 (100 candidates) */
  readonly fractions?: readonly number[];
}

/** Result of {@link calibrateDoReFaActivationClip}. */
export interface DoReFaActivationClip {
  /** The best α (the `clipValue` option of the 'clip' variant); 1 when every sample is ≤ 0. */
  readonly clipValue: number;
  /** Its mean squared error over the samples. */
  readonly error: number;
  /** The mean squared error at α = 1 (DoReFa's own clip), for reporting. */
  readonly unitError: number;
}

const DEFAULT_FRACTIONS: readonly number[] = Array.from({ length: 100 }, (_, j) => (j + 1) / 100);

/** Mean of (x − α·round(n·clip(x/α, 0, 1))/n)², in float64 (a calibration criterion, not the quantizer itself). */
function clipError(x: Float32Array, alpha: number, n: number): number {
  const step = alpha / n;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const d = v <= 0 ? v : v >= alpha ? v - alpha : v - Math.round(v / step) * step;
    sum += d * d;
  }
  return sum / x.length;
}

/**
 * Picks DoReFa's activation clipping value α (from a grid of fractions of the sample maximum) that minimises the
 * mean squared quantization error of `α·round_k(clip(x/α, 0, 1))` on sample activations of one layer's input.
 * Pass the result as `clipValue` to `quantizeDoReFaActivations` / `steDoReFaActivations` (graph annotation
 * option `clipValue`).
 *
 * @param x - sample activations (e.g. a strided subsample of a few batches of the float network)
 * @param options - `bits`, optional candidate `fractions`
 * @returns the best α, its error and the error at α = 1
 * @throws RangeError for a bad bit-width, an empty `x` or one with NaN or ±Infinity, or a fraction outside (0, 1]
 * @example
 * ```ts
 * const { clipValue } = calibrateDoReFaActivationClip(samples, { bits: 2 });
 * quantizeDoReFaActivations(x, { bits: 2, clipValue });
 * ```
 */
export function calibrateDoReFaActivationClip(x: Float32Array, options: DoReFaActivationClipOptions): DoReFaActivationClip {
  const fn = 'calibrateDoReFaActivationClip';
  checkBits(fn, options.bits, DOREFA_BITS.min, DOREFA_BITS.max);
  checkNonEmpty(fn, 'x', x);
  checkFinite(fn, 'x', x);
  const fractions = options.fractions ?? DEFAULT_FRACTIONS;
  if (fractions.length === 0) throw new RangeError(`${fn}: fractions must not be empty`);
  for (const f of fractions) if (!(f > 0 && f <= 1)) throw new RangeError(`${fn}: every fraction must be in (0, 1], got ${f}`);
  const n = 2 ** options.bits - 1;
  const unitError = clipError(x, 1, n);
  let max = 0;
  for (let i = 0; i < x.length; i++) if (x[i]! > max) max = x[i]!;
  if (!(max > 0)) return { clipValue: 1, error: unitError, unitError };
  let best = { clipValue: 1, error: Number.POSITIVE_INFINITY };
  for (const f of fractions) {
    const alpha = Math.fround(f * max);
    if (!(alpha > 0)) continue;
    const error = clipError(x, alpha, n);
    if (error < best.error) best = { clipValue: alpha, error };
  }
  return { ...best, unitError };
}
