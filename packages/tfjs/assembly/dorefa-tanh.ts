// The element-wise passes of the tanh-normalised DoReFa kernels (src/fused-dorefa.ts): max|x|, the codes by
// boundary counting, and the backward with tanh in float32 lanes. The scalar decisions (code boundaries by bisection,
// ∂max, ties at the max when ∂max is not finite) stay in the caller.

/** max|x[i]| over n values; NaN when any is NaN (f32x4.max and f32.max propagate NaN). */
export function maxAbs(x: usize, n: i32): f32 {
  let m0 = f32x4.splat(0);
  let m1 = f32x4.splat(0);
  const end8 = x + ((<usize>n >> 3) << 5);
  let p = x;
  for (; p < end8; p += 32) {
    m0 = f32x4.max(m0, f32x4.abs(v128.load(p)));
    m1 = f32x4.max(m1, f32x4.abs(v128.load(p, 16)));
  }
  const m = f32x4.max(m0, m1);
  let r = max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  const end = x + (<usize>n << 2);
  for (; p < end; p += 4) r = max(r, abs(load<f32>(p)));
  return r;
}

/**
 * y = levels[number of bounds ≤ x] for count ≥ 1 ascending bounds (float32 [count]) and levels (float32 [count + 1]):
 * the bounds are ascending, so "x ≥ bound k" implies it for every lower k and a chain of selects picks the level.
 */
export function doReFaCodes(x: usize, n: i32, bounds: usize, levels: usize, count: i32, y: usize): void {
  const end4 = x + ((<usize>n >> 2) << 4);
  const first = v128.load32_splat(levels);
  let p = x;
  let q = y;
  for (; p < end4; p += 16) {
    const v = v128.load(p);
    let out = first;
    for (let k = 0; k < count; k++) {
      const ge = f32x4.ge(v, v128.load32_splat(bounds + (<usize>k << 2)));
      out = v128.bitselect(v128.load32_splat(levels + (<usize>(k + 1) << 2)), out, ge);
    }
    v128.store(q, out);
    q += 16;
  }
  const end = x + (<usize>n << 2);
  for (; p < end; p += 4) {
    const v = load<f32>(p);
    let k = 0;
    while (k < count && v >= load<f32>(bounds + (<usize>k << 2))) k++;
    store<f32>(q, load<f32>(levels + (<usize>k << 2)));
    q += 4;
  }
}

// tanh in float32 lanes: expm1(−z), z = 2v clamped to ±40 (tanh(±20) = ±1), with z = j·ln2 + r, |r| ≤ ln2/2:
// expm1(−z) = 2^−j·(e^−r − 1) + (2^−j − 1), e^−r − 1 by its Taylor polynomial to r^8 (truncation < 2·10^−8
// relative), 2^−j from the exponent bits; then tanh(v) = −expm1(−z)/(2 + expm1(−z)), which does not cancel for small
// |v| (j = 0). Within 3 ulp of the float64 tanh rounded to float32; the stock ops' float32 steps that follow change
// by as little (the gradient tests hold at 1e-5).
const LN2_HI: f32 = 0.693145751953125; // ln 2 split so that j·LN2_HI is exact for |j| ≤ 2^8
const LN2_LO: f32 = 1.428606765330187e-6;
const INV_LN2: f32 = 1.4426950408889634;

// @ts-ignore: decorator
@inline
function tanh32x4(v: v128): v128 {
  const z = f32x4.min(f32x4.max(f32x4.add(v, v), f32x4.splat(-40)), f32x4.splat(40));
  const j = f32x4.floor(f32x4.add(f32x4.mul(z, f32x4.splat(INV_LN2)), f32x4.splat(0.5)));
  const r = f32x4.sub(f32x4.sub(z, f32x4.mul(j, f32x4.splat(LN2_HI))), f32x4.mul(j, f32x4.splat(LN2_LO)));
  // e^u − 1 with u = −r: u·(1 + u·(1/2! + u·(1/3! + … + u/8!)))
  const u = f32x4.neg(r);
  let p = f32x4.splat(<f32>(1.0 / 40320));
  p = f32x4.add(f32x4.mul(p, u), f32x4.splat(<f32>(1.0 / 5040)));
  p = f32x4.add(f32x4.mul(p, u), f32x4.splat(<f32>(1.0 / 720)));
  p = f32x4.add(f32x4.mul(p, u), f32x4.splat(<f32>(1.0 / 120)));
  p = f32x4.add(f32x4.mul(p, u), f32x4.splat(<f32>(1.0 / 24)));
  p = f32x4.add(f32x4.mul(p, u), f32x4.splat(<f32>(1.0 / 6)));
  p = f32x4.add(f32x4.mul(p, u), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, u), f32x4.splat(1));
  const em1r = f32x4.mul(u, p);
  // 2^−j: j is integral in [−58, 58]; its exponent field is 127 − j
  const s = i32x4.shl(i32x4.sub(i32x4.splat(127), i32x4.trunc_sat_f32x4_s(j)), 23);
  const em1 = f32x4.add(f32x4.mul(s, em1r), f32x4.sub(s, f32x4.splat(1)));
  return f32x4.div(f32x4.neg(em1), f32x4.add(f32x4.splat(2), em1));
}

/**
 * dx = f32(f32(2·dy)/d)·f32(1 − f32(t·t)) with t = tanh(x) in float32, the stock ops' float32 steps; returns Σ dy·t
 * in float64, the caller's ∂max.
 */
export function doReFaTanhGrad(dy: usize, x: usize, n: i32, d: f32, dx: usize): f64 {
  const dv = f32x4.splat(d);
  const one = f32x4.splat(1);
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  const end4 = <usize>(n >> 2) << 4;
  let i: usize = 0;
  for (; i < end4; i += 16) {
    const g = v128.load(dy + i);
    const t = tanh32x4(v128.load(x + i));
    s0 = f64x2.add(s0, f64x2.mul(f64x2.promote_low_f32x4(g), f64x2.promote_low_f32x4(t)));
    s1 = f64x2.add(s1, f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(g, g, 2, 3, 0, 1)), f64x2.promote_low_f32x4(v128.shuffle<f32>(t, t, 2, 3, 0, 1))));
    const direct = f32x4.div(f32x4.add(g, g), dv);
    v128.store(dx + i, f32x4.mul(direct, f32x4.sub(one, f32x4.mul(t, t))));
  }
  let sum = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
  const total = <usize>n << 2;
  for (; i < total; i += 4) {
    const g = load<f32>(dy + i);
    const t = f32x4.extract_lane(tanh32x4(f32x4.splat(load<f32>(x + i))), 0);
    sum += <f64>g * <f64>t;
    store<f32>(dx + i, ((g + g) / d) * (1 - t * t));
  }
  return sum;
}

/**
 * The ∂max share of the elements that tie at the max (|x| ≥ atMax), for a finite ∂max:
 * dx = f32(f32(2·dy)/d ± ∂max)·w, + for x > 0, with w = f32(1 − M²).
 */
export function doReFaTanhTies(dy: usize, x: usize, n: i32, atMax: f32, dMax: f32, d: f32, w: f32, dx: usize): void {
  const total = <usize>n << 2;
  for (let i: usize = 0; i < total; i += 4) {
    const v = load<f32>(x + i);
    if (abs(v) >= atMax) {
      const g = load<f32>(dy + i);
      store<f32>(dx + i, ((g + g) / d + (v > 0 ? dMax : -dMax)) * w);
    }
  }
}
