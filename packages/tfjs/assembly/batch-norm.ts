// The passes of the fused BatchNorm training kernels (src/fused-batch-norm.ts) over x read as [m, c] rows, for
// c a multiple of 4. The per-channel arithmetic between the passes (means, scales, offsets) stays in the caller,
// in float64. Every value is shifted by the channel's first value k = x[0, ch], which keeps the sums from
// cancelling when |mean| ≫ std: d = x − k, then y = d·a + b and dx = s·g + p·d + q.
//
// Sums run in float32 lanes over blocks of BLOCK rows and are added to float64 totals (in memory, `sums`) after
// every block, so a float32 sum never spans more than BLOCK values. The channels go 8 at a time (2 vectors), then 4;
// a block of rows stays in cache across the channel groups.

const BLOCK = 16;

/** Adds the 4 lanes of the f32x4 v to the 4 float64 values at p. */
// @ts-ignore: decorator
@inline
function addWide(p: usize, v: v128): void {
  v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(v)));
  v128.store(p, f64x2.add(v128.load(p, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1))), 16);
}

/**
 * Σd and Σd² per channel, d = x − x[0]: sums (float64 [2c]) gets Σd in [0, c) and Σd² in [c, 2c).
 */
export function batchNormStats(x: usize, m: i32, c: i32, sums: usize): void {
  memory.fill(sums, 0, <usize>c << 4);
  const row = <usize>c << 2;
  const sq = sums + (<usize>c << 3);
  for (let r0 = 0; r0 < m; r0 += BLOCK) {
    const start = x + <usize>r0 * row;
    const end = x + <usize>min(m, r0 + BLOCK) * row;
    let g = 0;
    for (; g + 8 <= c; g += 8) {
      const o = <usize>g << 2;
      const k0 = v128.load(x + o);
      const k1 = v128.load(x + o, 16);
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), q0 = f32x4.splat(0), q1 = f32x4.splat(0);
      for (let p = start + o; p < end; p += row) {
        const d0 = f32x4.sub(v128.load(p), k0);
        const d1 = f32x4.sub(v128.load(p, 16), k1);
        s0 = f32x4.add(s0, d0);
        s1 = f32x4.add(s1, d1);
        q0 = f32x4.add(q0, f32x4.mul(d0, d0));
        q1 = f32x4.add(q1, f32x4.mul(d1, d1));
      }
      addWide(sums + (<usize>g << 3), s0);
      addWide(sums + (<usize>(g + 4) << 3), s1);
      addWide(sq + (<usize>g << 3), q0);
      addWide(sq + (<usize>(g + 4) << 3), q1);
    }
    for (; g < c; g += 4) {
      const o = <usize>g << 2;
      const k = v128.load(x + o);
      let s = f32x4.splat(0), q = f32x4.splat(0);
      for (let p = start + o; p < end; p += row) {
        const d = f32x4.sub(v128.load(p), k);
        s = f32x4.add(s, d);
        q = f32x4.add(q, f32x4.mul(d, d));
      }
      addWide(sums + (<usize>g << 3), s);
      addWide(sq + (<usize>g << 3), q);
    }
  }
}

/** y = (x − x[0])·a + b per channel (a, b: float32 [c]), then max(y, 0) when relu ≠ 0. */
export function batchNormAffine(x: usize, m: i32, c: i32, a: usize, b: usize, relu: i32, y: usize): void {
  const row = <usize>c << 2;
  const end = x + <usize>m * row;
  const zero = f32x4.splat(0);
  let py = y;
  for (let px = x; px < end; px += row) {
    for (let o: usize = 0; o < row; o += 16) {
      const v = f32x4.add(f32x4.mul(f32x4.sub(v128.load(px + o), v128.load(x + o)), v128.load(a + o)), v128.load(b + o));
      v128.store(py + o, relu ? f32x4.max(v, zero) : v);
    }
    py += row;
  }
}

/**
 * Σd, Σg and Σg·d per channel, d = x − x[0], g = dy (masked by y > 0 when relu ≠ 0; the masked g is then written to
 * g, which the input-gradient pass reads): sums (float64 [3c]) gets them in [0, c), [c, 2c) and [2c, 3c).
 */
export function batchNormGradSums(dy: usize, y: usize, relu: i32, x: usize, m: i32, c: i32, g: usize, sums: usize): void {
  memory.fill(sums, 0, <usize>(c * 24));
  const row = <usize>c << 2;
  const sg = sums + (<usize>c << 3);
  const sgd = sums + (<usize>c << 4);
  const zero = f32x4.splat(0);
  for (let r0 = 0; r0 < m; r0 += BLOCK) {
    const first = <usize>r0 * row;
    const last = <usize>min(m, r0 + BLOCK) * row;
    let ch = 0;
    for (; ch + 8 <= c; ch += 8) {
      const o = <usize>ch << 2;
      const k0 = v128.load(x + o);
      const k1 = v128.load(x + o, 16);
      let x0 = zero, x1 = zero, g0 = zero, g1 = zero, h0 = zero, h1 = zero;
      for (let i = first + o; i < last; i += row) {
        let e0 = v128.load(dy + i);
        let e1 = v128.load(dy + i, 16);
        if (relu) {
          e0 = v128.and(e0, f32x4.gt(v128.load(y + i), zero));
          e1 = v128.and(e1, f32x4.gt(v128.load(y + i, 16), zero));
          v128.store(g + i, e0);
          v128.store(g + i, e1, 16);
        }
        const d0 = f32x4.sub(v128.load(x + i), k0);
        const d1 = f32x4.sub(v128.load(x + i, 16), k1);
        x0 = f32x4.add(x0, d0);
        x1 = f32x4.add(x1, d1);
        g0 = f32x4.add(g0, e0);
        g1 = f32x4.add(g1, e1);
        h0 = f32x4.add(h0, f32x4.mul(e0, d0));
        h1 = f32x4.add(h1, f32x4.mul(e1, d1));
      }
      addWide(sums + (<usize>ch << 3), x0);
      addWide(sums + (<usize>(ch + 4) << 3), x1);
      addWide(sg + (<usize>ch << 3), g0);
      addWide(sg + (<usize>(ch + 4) << 3), g1);
      addWide(sgd + (<usize>ch << 3), h0);
      addWide(sgd + (<usize>(ch + 4) << 3), h1);
    }
    for (; ch < c; ch += 4) {
      const o = <usize>ch << 2;
      const k = v128.load(x + o);
      let xs = zero, gs = zero, hs = zero;
      for (let i = first + o; i < last; i += row) {
        let e = v128.load(dy + i);
        if (relu) {
          e = v128.and(e, f32x4.gt(v128.load(y + i), zero));
          v128.store(g + i, e);
        }
        const d = f32x4.sub(v128.load(x + i), k);
        xs = f32x4.add(xs, d);
        gs = f32x4.add(gs, e);
        hs = f32x4.add(hs, f32x4.mul(e, d));
      }
      addWide(sums + (<usize>ch << 3), xs);
      addWide(sg + (<usize>ch << 3), gs);
      addWide(sgd + (<usize>ch << 3), hs);
    }
  }
}

/** dx = s·g + p·(x − x[0]) + q per channel (s, p, q: float32 [c]); dx may be g. */
export function batchNormInputGrad(g: usize, x: usize, m: i32, c: i32, s: usize, p: usize, q: usize, dx: usize): void {
  const row = <usize>c << 2;
  const total = <usize>m * row;
  for (let r: usize = 0; r < total; r += row) {
    for (let o: usize = 0; o < row; o += 16) {
      const d = f32x4.sub(v128.load(x + r + o), v128.load(x + o));
      const v = f32x4.add(f32x4.add(f32x4.mul(v128.load(s + o), v128.load(g + r + o)), f32x4.mul(v128.load(p + o), d)), v128.load(q + o));
      v128.store(dx + r + o, v);
    }
  }
}
