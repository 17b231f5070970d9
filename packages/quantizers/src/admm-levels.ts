// Paper B's quantization projection (ADMM-NN Caffe code, `clustering_phase`; shared/reference/papers.md §B.3.3):
// levels {−c·q, …, −q, +q, …, +c·q} (2c levels, no zero), decision boundaries at the midpoints (0 between −q
// and +q), zeros (pruned weights) kept at zero, and q chosen by scanning [0.9·q0, 1.1·q0] in steps of
// 0.001·q0 with q0 = max|W|/c, keeping the q with the smallest Σ(w − nearest level)².
import { resolveLayout } from './internal/layout.ts';
import { checkFinite, checkNonEmpty } from './internal/validate.ts';
import type { Quantized } from './types.ts';

/** Options of {@link quantizeAdmmLevels}. */
export interface AdmmLevelsOptions {
  /** c: the number of positive levels (2c non-zero levels), an integer in [1, 127]. */
  readonly clusters: number;
  /** The level spacing q; fitted with {@link fitAdmmStep} when omitted. */
  readonly step?: number;
  /** Keep exact zeros at 0 (the level table then has 2c + 1 entries, 0 in the middle). @default true */
  readonly keepZeros?: boolean;
  /** Row-major shape recorded in the result. @default `[w.length]` */
  readonly shape?: readonly number[];
}

/**
 * The ascending level table `{−c·q, …, −q, [0,] q, …, c·q}`.
 *
 * @param clusters - c in [1, 127]
 * @param step - q > 0
 * @param withZero - insert 0 in the middle @default false
 * @returns 2c (or 2c + 1) levels
 * @throws RangeError for a bad `clusters` or `step`
 * @example
 * ```ts
 * admmLevels(2, 0.5); // Float32Array [-1, -0.5, 0.5, 1]
 * ```
 */
export function admmLevels(clusters: number, step: number, withZero = false): Float32Array {
  checkClusters('admmLevels', clusters);
  checkStep('admmLevels', step);
  const out = new Float32Array(2 * clusters + (withZero ? 1 : 0));
  for (let j = 0; j < clusters; j++) {
    out[j] = -(clusters - j) * step;
    out[out.length - 1 - j] = (clusters - j) * step;
  }
  return out;
}

/** Index j ∈ [1, c] of the level nearest to |v| (ties away from zero: the bins are [(j−½)q, (j+½)q)). */
function magnitudeIndex(a: number, q: number, c: number): number {
  const j = Math.floor(a / q + 0.5);
  return j < 1 ? 1 : j > c ? c : j;
}

/**
 * Paper B's MSE step search: q0 = max|w|/c, candidates q0·(0.9 + 0.001·i) for i = 0..200, keeping the
 * first q with the smallest Σ(w − nearest non-zero level)² (float64). Like the authors' code, zeros are not
 * skipped: each contributes q² (its nearest level is ±q).
 *
 * @param w - weights (finite)
 * @param clusters - c in [1, 127]
 * @returns the fitted step q (1 when w is all zeros)
 * @throws RangeError for a bad `clusters`, empty `w` or non-finite values
 * @example
 * ```ts
 * fitAdmmStep(new Float32Array([-1, 0.5, 1]), 2); // 0.5
 * ```
 */
export function fitAdmmStep(w: Float32Array, clusters: number): number {
  const fn = 'fitAdmmStep';
  checkClusters(fn, clusters);
  checkNonEmpty(fn, 'w', w);
  checkFinite(fn, 'w', w);
  let max = 0;
  for (let i = 0; i < w.length; i++) max = Math.max(max, Math.abs(w[i]!));
  if (max === 0) return 1;
  const q0 = max / clusters;
  let bestQ = q0;
  let bestErr = Infinity;
  for (let i = 0; i <= 200; i++) {
    const q = q0 * (0.9 + 0.001 * i);
    let err = 0;
    for (let k = 0; k < w.length; k++) {
      const a = Math.abs(w[k]!);
      const d = a - magnitudeIndex(a, q, clusters) * q;
      err += d * d;
    }
    if (err < bestErr) {
      bestErr = err;
      bestQ = q;
    }
  }
  return Math.fround(bestQ);
}

/**
 * Paper B's projection onto `{±q, …, ±c·q}`: every non-zero weight goes to the level of its bin
 * (boundaries at midpoints, 0 between −q and +q); exact zeros stay 0 unless `keepZeros` is false,
 * in which case they go to +q (the [0, 1.5q) bin).
 *
 * @param w - weights
 * @param options - clusters (c), optional step (fitted by {@link fitAdmmStep} otherwise), keepZeros, shape
 * @returns values, codes into the level table {@link admmLevels}(c, q, keepZeros), and that table
 * @throws RangeError for a bad `clusters`/`step`, empty `w` or NaN in `w` (±Infinity saturate to ±c·q)
 * @example
 * ```ts
 * quantizeAdmmLevels(new Float32Array([0.2, -0.7, 0, 3]), { clusters: 2, step: 0.5 }).values; // [0.5, -0.5, 0, 1]
 * ```
 */
export function quantizeAdmmLevels(w: Float32Array, options: AdmmLevelsOptions): Quantized {
  const fn = 'quantizeAdmmLevels';
  const c = options.clusters;
  checkClusters(fn, c);
  checkNonEmpty(fn, 'w', w);
  const { shape } = resolveLayout(fn, w.length, options.shape, undefined);
  const q = options.step ?? fitAdmmStep(w, c);
  checkStep(fn, q);
  const keepZeros = options.keepZeros ?? true;
  const levels = admmLevels(c, q, keepZeros);
  // Codes: −j·q sits at c − j; 0 (if kept) at c; +j·q at c + j with the zero, c − 1 + j without.
  const up = keepZeros ? c : c - 1;
  const values = new Float32Array(w.length);
  const codes = new Uint8Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const v = w[i]!;
    if (v !== v) throw new RangeError(`${fn}: w must not contain NaN, got NaN at index ${i}`);
    let code: number;
    if (v === 0 && keepZeros) code = c;
    else if (v >= 0) code = up + magnitudeIndex(v, q, c);
    else code = c - magnitudeIndex(-v, q, c);
    codes[i] = code;
    values[i] = levels[code]!;
  }
  return { values, codes, levels, levelCount: levels.length, bits: Math.ceil(Math.log2(levels.length)), shape, axis: null };
}

function checkClusters(fn: string, c: number): void {
  if (!Number.isInteger(c) || c < 1 || c > 127) throw new RangeError(`${fn}: clusters must be an integer in [1, 127], got ${String(c)}`);
}

function checkStep(fn: string, step: number): void {
  if (!(step > 0) || !Number.isFinite(step)) throw new RangeError(`${fn}: step must be a finite number > 0, got ${String(step)}`);
}
