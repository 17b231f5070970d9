import { forEachRun, resolveLayout } from './internal/layout.ts';
import { checkLength } from './internal/validate.ts';
import type { Quantized } from './types.ts';

/** The parts of a {@link Quantized} result needed to rebuild its values. */
export type QuantizedCodes = Pick<Quantized, 'codes' | 'levels' | 'levelCount' | 'shape' | 'axis'>;

/**
 * Rebuilds float values from stored codes and level tables: `levels[group * levelCount + codes[i]]`.
 * Works for every quantizer in this package, so a storage format only needs to keep codes and levels.
 *
 * @param q - codes, level tables, level count, shape and axis (e.g. a {@link Quantized} result)
 * @returns a new Float32Array equal to the quantizer's `values`
 * @throws RangeError when the level table does not have `groups × levelCount` entries, or a code is out of range
 * @example
 * ```ts
 * const q = quantizeDoReFaWeights(new Float32Array([0.3, -1, 2]), { bits: 2 });
 * dequantize(q); // Float32Array [0.3333333, -1, 1], same as q.values
 * ```
 */
export function dequantize(q: QuantizedCodes): Float32Array {
  const { codes, levels, levelCount } = q;
  const layout = resolveLayout('dequantize', codes.length, q.shape, q.axis ?? undefined);
  checkLength('dequantize', 'levels', levels, layout.groups * levelCount, 'groups × levelCount');
  const out = new Float32Array(codes.length);
  forEachRun(layout, (g, start, end) => {
    const base = g * levelCount;
    for (let i = start; i < end; i++) {
      const c = codes[i]!;
      if (c >= levelCount) throw new RangeError(`dequantize: codes must be < levelCount (${levelCount}), got ${c} at index ${i}`);
      out[i] = levels[base + c]!;
    }
  });
  return out;
}

/**
 * ONNX DequantizeLinear: `(q − zeroPoint) · scale`, per tensor or per channel, in float32.
 *
 * @param intCodes - integer codes (QuantizeLinear output)
 * @param scale - one scale per group
 * @param zeroPoint - one zero point per group
 * @param options - `shape` and `axis` (per channel when `axis` is given)
 * @returns the dequantized values
 * @throws RangeError when `scale`/`zeroPoint` do not have one entry per group
 * @example
 * ```ts
 * dequantizeLinear(new Int8Array([-2, 0, 1]), new Float32Array([0.5]), new Int32Array([0])); // [-1, 0, 0.5]
 * ```
 */
export function dequantizeLinear(
  intCodes: ArrayLike<number>,
  scale: Float32Array,
  zeroPoint: Int32Array,
  options: { readonly shape?: readonly number[]; readonly axis?: number | null } = {},
): Float32Array {
  const layout = resolveLayout('dequantizeLinear', intCodes.length, options.shape, options.axis ?? undefined);
  checkLength('dequantizeLinear', 'scale', scale, layout.groups, 'one per group');
  checkLength('dequantizeLinear', 'zeroPoint', zeroPoint, layout.groups, 'one per group');
  const out = new Float32Array(intCodes.length);
  forEachRun(layout, (g, start, end) => {
    const s = scale[g]!;
    const z = zeroPoint[g]!;
    for (let i = start; i < end; i++) out[i] = (intCodes[i]! - z) * s;
  });
  return out;
}
