// Uniform affine / symmetric quantization with ONNX QuantizeLinear semantics:
//   q = saturate(roundHalfEven(x / scale) + zeroPoint),   x̂ = (q − zeroPoint) · scale
// (https://onnx.ai/onnx/operators/onnx__QuantizeLinear.html). Calibration follows onnxruntime's
// quantization tool (`compute_scale_zp`): the range always contains 0, scale = (rmax − rmin)/(qmax − qmin).
// Scale and zero point are computed with float32 rounding after every step, in the same order as the
// TF.js op in ../tfjs/uniform.ts, so both give identical parameters and codes.
import { forEachRun, resolveLayout, type Layout } from './internal/layout.ts';
import { roundHalfEven } from './internal/round.ts';
import { checkBits, checkFinite, checkLength, checkNonEmpty } from './internal/validate.ts';
import type { LayoutOptions, UniformQuantized, UniformScheme } from './types.ts';

const f32 = Math.fround;

/** Smallest and largest uniform bit-width accepted. */
export const UNIFORM_BITS: { readonly min: number; readonly max: number } = { min: 2, max: 8 };

/** How the scale is chosen from data. */
export type UniformCalibration = 'minmax' | 'mse';

/** Grid of range-shrink factors scanned by MSE calibration. */
export interface MseSearchOptions {
  /** Smallest factor of the min/max range tried, in (0, high]. @default 0.5 */
  readonly low?: number;
  /** Largest factor tried. @default 1 */
  readonly high?: number;
  /** Number of evenly spaced factors in [low, high] (both included when ≥ 2). @default 101 */
  readonly steps?: number;
}

/** Options of {@link calibrateUniform} and {@link quantizeUniform}. */
export interface UniformOptions extends LayoutOptions {
  /** Bit-width k, an integer in [2, 8]. */
  readonly bits: number;
  /** `'affine'`: codes 0..2^k−1 with a zero point; `'symmetric'`: signed codes, zero point 0. @default 'affine' */
  readonly scheme?: UniformScheme;
  /** Symmetric only: use codes −(2^(k−1)−1)..2^(k−1)−1 (2^k − 1 levels, symmetric about 0). @default false */
  readonly narrow?: boolean;
  /** `'minmax'`: the data range; `'mse'`: the range factor minimising Σ(x − x̂)² per group. @default 'minmax' */
  readonly calibration?: UniformCalibration;
  /** Grid for `'mse'` calibration. */
  readonly mseSearch?: MseSearchOptions;
}

/** Options of {@link quantizeUniform}: calibration options, or fixed parameters. */
export interface QuantizeUniformOptions extends UniformOptions {
  /** Use these parameters (one entry per group) instead of calibrating on `x`, like ONNX QuantizeLinear. */
  readonly params?: { readonly scale: ArrayLike<number>; readonly zeroPoint?: ArrayLike<number> };
}

/** Quantization parameters of a uniform quantizer, one scale and zero point per group. */
export interface UniformParams {
  readonly scheme: UniformScheme;
  readonly scale: Float32Array;
  readonly zeroPoint: Int32Array;
  readonly qmin: number;
  readonly qmax: number;
}

/**
 * Integer code range of a k-bit uniform quantizer: affine `[0, 2^k−1]`, symmetric `[−2^(k−1), 2^(k−1)−1]`,
 * narrow symmetric `[−2^(k−1)+1, 2^(k−1)−1]`.
 *
 * @param bits - k in [2, 8]
 * @param scheme - 'affine' or 'symmetric' @default 'affine'
 * @param narrow - symmetric only: drop the most negative code @default false
 * @returns `{ qmin, qmax }`
 * @throws RangeError for a bad bit-width, unknown scheme, or `narrow` with the affine scheme
 * @example
 * ```ts
 * uniformRange(8, 'symmetric'); // { qmin: -128, qmax: 127 }
 * ```
 */
export function uniformRange(bits: number, scheme: UniformScheme = 'affine', narrow = false): { qmin: number; qmax: number } {
  return rangeFor('uniformRange', bits, scheme, narrow);
}

function rangeFor(fn: string, bits: number, scheme: UniformScheme, narrow: boolean): { qmin: number; qmax: number } {
  checkBits(fn, bits, UNIFORM_BITS.min, UNIFORM_BITS.max);
  if (scheme === 'affine') {
    if (narrow) throw new RangeError(`${fn}: narrow applies to the symmetric scheme only, got narrow = true with scheme 'affine'`);
    return { qmin: 0, qmax: 2 ** bits - 1 };
  }
  if (scheme !== 'symmetric') throw new RangeError(`${fn}: scheme must be 'affine' or 'symmetric', got ${String(scheme)}`);
  const half = 2 ** (bits - 1);
  return { qmin: narrow ? 1 - half : -half, qmax: half - 1 };
}

/**
 * Scale and zero point from a range [rmin, rmax] widened to contain 0, in float32 arithmetic
 * (onnxruntime `compute_scale_zp`). A zero-width range gets scale 1.
 */
function paramsFromRange(rmin: number, rmax: number, scheme: UniformScheme, qmin: number, qmax: number): [number, number] {
  let lo = Math.min(rmin, 0);
  let hi = Math.max(rmax, 0);
  if (scheme === 'symmetric') {
    hi = Math.max(-lo, hi);
    lo = -hi;
  }
  let scale = f32(f32(hi - lo) / (qmax - qmin));
  if (scale === 0) scale = 1;
  if (scheme === 'symmetric') return [scale, 0];
  const zp = roundHalfEven(f32(qmin - f32(lo / scale)));
  return [scale, zp < qmin ? qmin : zp > qmax ? qmax : zp];
}

/**
 * Chooses per-tensor or per-channel scale and zero point for k-bit uniform quantization.
 * `'minmax'`: the range [min(x, 0), max(x, 0)] (symmetric: ±max|x|), `scale = (rmax − rmin)/(qmax − qmin)`,
 * `zeroPoint = roundHalfEven(qmin − rmin/scale)`. `'mse'`: the range is multiplied by each factor of
 * `mseSearch` and the factor with the smallest Σ(x − x̂)² (float64 sum; first one on ties) is kept per group.
 *
 * @param x - the data to calibrate on
 * @param options - bits, scheme, narrow, calibration, mseSearch, shape, axis
 * @returns the parameters (`scale`/`zeroPoint` hold one entry per group)
 * @throws RangeError for bad bits/scheme/shape/axis/search grid, empty `x`, or NaN/±Infinity in `x`
 * @example
 * ```ts
 * calibrateUniform(new Float32Array([-1, 0, 3]), { bits: 2 }); // scale [1.3333334], zeroPoint [1], qmin 0, qmax 3
 * ```
 */
export function calibrateUniform(x: Float32Array, options: UniformOptions): UniformParams {
  return calibrate('calibrateUniform', x, options, resolveLayout('calibrateUniform', x.length, options.shape, options.axis));
}

function calibrate(fn: string, x: Float32Array, options: UniformOptions, layout: Layout): UniformParams {
  const scheme = options.scheme ?? 'affine';
  const { qmin, qmax } = rangeFor(fn, options.bits, scheme, options.narrow ?? false);
  checkNonEmpty(fn, 'x', x);
  checkFinite(fn, 'x', x);
  const G = layout.groups;
  const mins = new Float32Array(G).fill(Infinity);
  const maxs = new Float32Array(G).fill(-Infinity);
  forEachRun(layout, (g, start, end) => {
    let lo = mins[g]!;
    let hi = maxs[g]!;
    for (let i = start; i < end; i++) {
      const v = x[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    mins[g] = lo;
    maxs[g] = hi;
  });
  const scale = new Float32Array(G);
  const zeroPoint = new Int32Array(G);
  const calibration = options.calibration ?? 'minmax';
  if (calibration === 'minmax') {
    for (let g = 0; g < G; g++) [scale[g], zeroPoint[g]] = paramsFromRange(mins[g]!, maxs[g]!, scheme, qmin, qmax);
    return { scheme, scale, zeroPoint, qmin, qmax };
  }
  if (calibration !== 'mse') throw new RangeError(`${fn}: calibration must be 'minmax' or 'mse', got ${String(calibration)}`);
  const { low = 0.5, high = 1, steps = 101 } = options.mseSearch ?? {};
  if (!(low > 0) || !(high >= low) || !Number.isFinite(high)) {
    throw new RangeError(`${fn}: mseSearch must satisfy 0 < low ≤ high < ∞, got low ${String(low)}, high ${String(high)}`);
  }
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`${fn}: mseSearch.steps must be a positive integer, got ${String(steps)}`);
  const best = new Float64Array(G).fill(Infinity);
  const candScale = new Float32Array(G);
  const candZp = new Int32Array(G);
  const err = new Float64Array(G);
  for (let j = 0; j < steps; j++) {
    const factor = f32(steps === 1 ? high : low + ((high - low) * j) / (steps - 1));
    for (let g = 0; g < G; g++) {
      [candScale[g], candZp[g]] = paramsFromRange(f32(factor * mins[g]!), f32(factor * maxs[g]!), scheme, qmin, qmax);
    }
    err.fill(0);
    forEachRun(layout, (g, start, end) => {
      const s = candScale[g]!;
      const z = candZp[g]!;
      let e = 0;
      for (let i = start; i < end; i++) {
        const v = x[i]!;
        let q = roundHalfEven(f32(v / s)) + z;
        q = q < qmin ? qmin : q > qmax ? qmax : q;
        const d = v - f32((q - z) * s);
        e += d * d;
      }
      err[g]! += e;
    });
    for (let g = 0; g < G; g++) {
      if (err[g]! < best[g]!) {
        best[g] = err[g]!;
        scale[g] = candScale[g]!;
        zeroPoint[g] = candZp[g]!;
      }
    }
  }
  return { scheme, scale, zeroPoint, qmin, qmax };
}

/**
 * Level tables of uniform parameters: row g is `(q − zeroPoint[g]) · scale[g]` for q = qmin..qmax.
 *
 * @param params - scale, zero point and code range
 * @returns `groups × (qmax − qmin + 1)` ascending levels
 * @example
 * ```ts
 * uniformLevels(calibrateUniform(new Float32Array([-1, 0, 3]), { bits: 2 })); // [-1.3333334, 0, 1.3333334, 2.6666667]
 * ```
 */
export function uniformLevels(params: UniformParams): Float32Array {
  const L = params.qmax - params.qmin + 1;
  const out = new Float32Array(params.scale.length * L);
  for (let g = 0; g < params.scale.length; g++) {
    const s = params.scale[g]!;
    const z = params.zeroPoint[g]!;
    for (let c = 0; c < L; c++) out[g * L + c] = (c + params.qmin - z) * s;
  }
  return out;
}

/**
 * k-bit uniform quantization, per tensor or per channel (`axis`), exactly like ONNX QuantizeLinear:
 * `q = clamp(roundHalfEven(x / scale) + zeroPoint, qmin, qmax)` with `x / scale` rounded to float32,
 * and `x̂ = (q − zeroPoint) · scale`. Parameters come from {@link calibrateUniform} unless `params` is given.
 * With given parameters ±Infinity saturate to qmin/qmax; NaN is always rejected.
 *
 * @param x - input values
 * @param options - bits (2..8), scheme, narrow, calibration, mseSearch, shape, axis, params
 * @returns values, unsigned `codes = q − qmin`, ONNX `intCodes = q`, level tables, scale and zero point
 * @throws RangeError for bad bits/scheme/shape/axis, empty `x`, NaN in `x`, non-finite data when
 *   calibrating, or `params` of the wrong length, with a scale ≤ 0 or a zero point outside [qmin, qmax]
 * @example
 * ```ts
 * const q = quantizeUniform(new Float32Array([-1, 0, 0.5, 3]), { bits: 2 });
 * q.intCodes; // Uint8Array [0, 1, 1, 3]   (0.5 / 1.3333334 = 0.375 → 0, plus zero point 1)
 * q.values;   // Float32Array [-1.3333334, 0, 0, 2.6666667]
 * ```
 */
export function quantizeUniform(x: Float32Array, options: QuantizeUniformOptions): UniformQuantized {
  const fn = 'quantizeUniform';
  const layout = resolveLayout(fn, x.length, options.shape, options.axis);
  const params = options.params ? checkedParams(fn, options, layout) : calibrate(fn, x, options, layout);
  checkNonEmpty(fn, 'x', x);
  const { scheme, scale, zeroPoint, qmin, qmax } = params;
  const L = qmax - qmin + 1;
  const levels = uniformLevels(params);
  const values = new Float32Array(x.length);
  const codes = new Uint8Array(x.length);
  forEachRun(layout, (g, start, end) => {
    const s = scale[g]!;
    const z = zeroPoint[g]!;
    const base = g * L;
    for (let i = start; i < end; i++) {
      const v = x[i]!;
      if (v !== v) throw new RangeError(`${fn}: x must not contain NaN, got NaN at index ${i}`);
      let q = roundHalfEven(f32(v / s)) + z;
      q = q < qmin ? qmin : q > qmax ? qmax : q;
      codes[i] = q - qmin;
      values[i] = levels[base + q - qmin]!;
    }
  });
  const intCodes = scheme === 'affine' ? codes : new Int8Array(codes.length);
  if (intCodes !== codes) for (let i = 0; i < codes.length; i++) intCodes[i] = codes[i]! + qmin;
  const bits = Math.ceil(Math.log2(L));
  return { values, codes, levels, levelCount: L, bits, shape: layout.shape, axis: layout.axis, scheme, scale, zeroPoint, qmin, qmax, intCodes };
}

function checkedParams(fn: string, options: QuantizeUniformOptions, layout: Layout): UniformParams {
  const scheme = options.scheme ?? 'affine';
  const { qmin, qmax } = rangeFor(fn, options.bits, scheme, options.narrow ?? false);
  const given = options.params!;
  checkLength(fn, 'params.scale', given.scale, layout.groups, 'one per group');
  const scale = Float32Array.from(given.scale);
  checkFinite(fn, 'params.scale', scale);
  for (let g = 0; g < scale.length; g++) {
    if (!(scale[g]! > 0)) throw new RangeError(`${fn}: params.scale must be > 0, got ${scale[g]} at index ${g}`);
  }
  const zeroPoint = new Int32Array(layout.groups);
  if (given.zeroPoint) {
    checkLength(fn, 'params.zeroPoint', given.zeroPoint, layout.groups, 'one per group');
    for (let g = 0; g < layout.groups; g++) {
      const z = given.zeroPoint[g]!;
      if (!Number.isInteger(z) || z < qmin || z > qmax || (scheme === 'symmetric' && z !== 0)) {
        throw new RangeError(`${fn}: params.zeroPoint must be an integer in [${qmin}, ${qmax}] (0 when symmetric), got ${z} at index ${g}`);
      }
      zeroPoint[g] = z;
    }
  } else if (scheme === 'affine') {
    zeroPoint.fill(qmin);
  }
  return { scheme, scale, zeroPoint, qmin, qmax };
}
