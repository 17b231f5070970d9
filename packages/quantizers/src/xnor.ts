import { checkSignOfZero, type SignOfZero } from './binary.ts';
import { forEachRun, resolveLayout } from './internal/layout.ts';
import { checkFinite, checkNonEmpty } from './internal/validate.ts';
import type { LayoutOptions, Quantized } from './types.ts';

/** Options of {@link quantizeXnorWeights}. */
export interface XnorOptions extends LayoutOptions {
  /** Value of sign(0) (see {@link SignOfZero}). @default 1 */
  readonly signOfZero?: SignOfZero;
}

/**
 * XNOR-Net weight binarization (Rastegari et al. 2016; Paper A's `XnorNet` weights):
 * `w_b = sign(w) · α` with `α = mean(|w|)` per output channel (over C_in·k·k, i.e. every element of the
 * channel) when `axis` is given, or over the whole tensor otherwise.
 *
 * α is accumulated in float64 and rounded to float32 once. The level table of channel g is `[−α_g, α_g]`
 * (`[−α_g, 0, α_g]` with sign(0) = 0). For torch's OIHW layout use `axis: 0`, for TF.js's HWIO `axis: -1`.
 *
 * @param w - weights, row-major
 * @param options - `shape`, `axis` (per channel), `signOfZero` (default 1)
 * @returns ±α values, 1-bit codes (2-bit with sign(0) = 0) and one level table per channel
 * @throws RangeError when `w` is empty, contains NaN or ±Infinity, or `shape`/`axis` do not fit
 * @example
 * ```ts
 * // two output channels (torch OIHW, axis 0) of two weights each
 * quantizeXnorWeights(new Float32Array([0.5, -1.5, 2, 4]), { shape: [2, 2], axis: 0 }).values; // [1, -1, 3, 3]
 * ```
 */
export function quantizeXnorWeights(w: Float32Array, options: XnorOptions = {}): Quantized {
  const fn = 'quantizeXnorWeights';
  const signOfZero = options.signOfZero ?? 1;
  checkSignOfZero(fn, signOfZero);
  checkNonEmpty(fn, 'w', w);
  checkFinite(fn, 'w', w);
  const layout = resolveLayout(fn, w.length, options.shape, options.axis);
  const sums = new Float64Array(layout.groups);
  forEachRun(layout, (g, start, end) => {
    let s = 0;
    for (let i = start; i < end; i++) s += Math.abs(w[i]!);
    sums[g]! += s;
  });
  const count = w.length / layout.groups;
  const levelCount = signOfZero === 1 ? 2 : 3;
  const levels = new Float32Array(layout.groups * levelCount);
  for (let g = 0; g < layout.groups; g++) {
    const alpha = Math.fround(sums[g]! / count);
    levels[g * levelCount] = -alpha;
    levels[g * levelCount + levelCount - 1] = alpha;
  }
  const values = new Float32Array(w.length);
  const codes = new Uint8Array(w.length);
  const top = levelCount - 1;
  forEachRun(layout, (g, start, end) => {
    const alpha = levels[g * levelCount + top]!;
    for (let i = start; i < end; i++) {
      const v = w[i]!;
      if (v > 0 || (v === 0 && signOfZero === 1)) {
        values[i] = alpha;
        codes[i] = top;
      } else if (v < 0) {
        values[i] = -alpha;
      } else {
        codes[i] = 1; // sign(0) = 0: the middle level, value 0
      }
    }
  });
  return { values, codes, levels, levelCount, bits: signOfZero === 1 ? 1 : 2, shape: layout.shape, axis: layout.axis };
}
