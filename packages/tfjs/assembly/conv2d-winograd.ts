// A 3×3 stride-1 NHWC float32 convolution by Winograd's F(2×2, 3×3) (Lavin & Gray 2016): each 2×2 output tile is
// Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A over its 4×4 input tile d, 16 multiplies per tile and channel pair instead of 36. The
// transformed filter U = G g Gᵀ is packed as [16][co/8][ci][8] (winogradFilter). For each group of 4 tiles
// along a row: the input transform, 4 channels per vector, then transposed so that V is [16][ci][4 tiles]; 16 small
// GEMMs M[ξ] = V[ξ]·U[ξ] with 4 tiles × 8 output channels in registers and 4 input channels per iteration at
// constant offsets; the output transform, 4 output channels per vector. Input taps outside the image are zeros
// (any pad); tiles past the output are computed on zeros and not stored. ci a multiple of 4, co of 8.
// Pointers are byte offsets into the imported memory; `scratch` holds (256 + 64·ci + 64·co) floats.

/**
 * U = G g Gᵀ for every channel pair of the 3×3 filter f [3, 3, ci, co], G = [[1, 0, 0], [½, ½, ½], [½, −½, ½],
 * [0, 0, 1]], written packed as [16][co/8][ci][8] to u; 4 output channels per vector.
 */
export function winogradFilter(f: usize, ci: i32, co: i32, u: usize): void {
  const tap = <usize>(ci * co) << 2; // bytes per filter tap, and per ξ in u
  for (let c = 0; c < ci; c++) {
    for (let o = 0; o < co; o += 4) {
      const g = f + ((<usize>(c * co + o)) << 2);
      const out = u + ((<usize>(((o >> 3) * ci + c) * 8 + (o & 7))) << 2);
      const g00 = v128.load(g), g01 = v128.load(g + tap), g02 = v128.load(g + 2 * tap);
      const g10 = v128.load(g + 3 * tap), g11 = v128.load(g + 4 * tap), g12 = v128.load(g + 5 * tap);
      const g20 = v128.load(g + 6 * tap), g21 = v128.load(g + 7 * tap), g22 = v128.load(g + 8 * tap);
      // t = G g, row by row; then each row times Gᵀ
      filterRow(out, tap, 0, g00, g01, g02);
      filterRow(out, tap, 1, half(f32x4.add(f32x4.add(g00, g10), g20)), half(f32x4.add(f32x4.add(g01, g11), g21)), half(f32x4.add(f32x4.add(g02, g12), g22)));
      filterRow(out, tap, 2, half(f32x4.add(f32x4.sub(g00, g10), g20)), half(f32x4.add(f32x4.sub(g01, g11), g21)), half(f32x4.add(f32x4.sub(g02, g12), g22)));
      filterRow(out, tap, 3, g20, g21, g22);
    }
  }
}

// @ts-ignore: decorator
@inline
function half(v: v128): v128 {
  return f32x4.mul(v, f32x4.splat(0.5));
}

/** U[i][0..3] = (t0, (t0 + t1 + t2)/2, (t0 − t1 + t2)/2, t2) for row i of t = G g, at ξ = 4i + j. */
// @ts-ignore: decorator
@inline
function filterRow(out: usize, stride: usize, i: i32, t0: v128, t1: v128, t2: v128): void {
  const p = out + <usize>(4 * i) * stride;
  v128.store(p, t0);
  v128.store(p + stride, half(f32x4.add(f32x4.add(t0, t1), t2)));
  v128.store(p + 2 * stride, half(f32x4.add(f32x4.sub(t0, t1), t2)));
  v128.store(p + 3 * stride, t2);
}

/**
 * Writes y [N, Ho, Wo, Co] = conv(x [N, H, W, Ci], 3×3 filter) with pads top/left for images [n0, n1).
 */
export function conv2dWinograd(
  x: usize, u: usize, y: usize, scratch: usize, n0: i32, n1: i32, h: i32, w: i32, ci: i32, ho: i32, wo: i32, co: i32,
  top: i32, left: i32,
): void {
  const tmp = scratch; // [4 tiles][16][4 channels]
  const v = tmp + 1024; // [16][ci][4 tiles]
  const m = v + (<usize>ci << 8); // [4 tiles][16][co]
  const tilesW = (wo + 1) >> 1;
  for (let n = n0; n < n1; n++) {
    const xImage = x + <usize>n * <usize>h * <usize>w * (<usize>ci << 2);
    const yImage = y + <usize>n * <usize>ho * <usize>wo * (<usize>co << 2);
    for (let tr = 0; tr < ho; tr += 2) {
      for (let tc = 0; tc < tilesW; tc += 4) {
        inputTransform(xImage, tmp, v, tr - top, 2 * tc - left, min(4, tilesW - tc), h, w, ci);
        for (let xi = 0; xi < 16; xi++) {
          for (let ob = 0; ob < co; ob += 8) gemm(v + (<usize>(xi * ci) << 4), u + ((<usize>(xi * co + ob) * <usize>ci) << 2), m + (<usize>(xi * co + ob) << 2), ci, co);
        }
        outputTransform(m, yImage, tr, 2 * tc, min(4, tilesW - tc), ho, wo, co);
      }
    }
  }
}

/** x at (row, col) for 4 channels at channel offset cb (bytes), or zeros outside the image. */
// @ts-ignore: decorator
@inline
function at(xImage: usize, row: i32, col: i32, h: i32, w: i32, ci: i32, cb: usize): v128 {
  return row >= 0 && row < h && col >= 0 && col < w ? v128.load(xImage + (<usize>(row * w + col) * <usize>ci << 2) + cb) : f32x4.splat(0);
}

/** V = Bᵀ d B of `tiles` tiles with top-left input corner (r0, c0 + 2q), as [16][ci][4 tiles] at v. */
function inputTransform(xImage: usize, tmp: usize, v: usize, r0: i32, c0: i32, tiles: i32, h: i32, w: i32, ci: i32): void {
  for (let c = 0; c < ci; c += 4) {
    const cb = <usize>c << 2;
    for (let q = 0; q < 4; q++) {
      const t = tmp + (<usize>q << 8);
      if (q >= tiles) {
        for (let k = 0; k < 16; k++) v128.store(t + (<usize>k << 4), f32x4.splat(0));
        continue;
      }
      const cc = c0 + 2 * q;
      for (let j = 0; j < 4; j++) {
        // column j of Bᵀ d: rows combined as d0 − d2, d1 + d2, d2 − d1, d1 − d3
        const d0 = at(xImage, r0, cc + j, h, w, ci, cb);
        const d1 = at(xImage, r0 + 1, cc + j, h, w, ci, cb);
        const d2 = at(xImage, r0 + 2, cc + j, h, w, ci, cb);
        const d3 = at(xImage, r0 + 3, cc + j, h, w, ci, cb);
        v128.store(t + (<usize>j << 4), f32x4.sub(d0, d2));
        v128.store(t + (<usize>(4 + j) << 4), f32x4.add(d1, d2));
        v128.store(t + (<usize>(8 + j) << 4), f32x4.sub(d2, d1));
        v128.store(t + (<usize>(12 + j) << 4), f32x4.sub(d1, d3));
      }
      for (let i = 0; i < 4; i++) {
        // row i of (Bᵀ d) B: columns combined the same way, in place
        const p = t + (<usize>i << 6);
        const e0 = v128.load(p);
        const e1 = v128.load(p, 16);
        const e2 = v128.load(p, 32);
        const e3 = v128.load(p, 48);
        v128.store(p, f32x4.sub(e0, e2));
        v128.store(p, f32x4.add(e1, e2), 16);
        v128.store(p, f32x4.sub(e2, e1), 32);
        v128.store(p, f32x4.sub(e1, e3), 48);
      }
    }
    // transpose each ξ's 4 tiles × 4 channels into 4 channels × 4 tiles
    for (let k = 0; k < 16; k++) {
      const a = v128.load(tmp + (<usize>k << 4));
      const b = v128.load(tmp + 256 + (<usize>k << 4));
      const cv = v128.load(tmp + 512 + (<usize>k << 4));
      const d = v128.load(tmp + 768 + (<usize>k << 4));
      const t0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(cv, d, 0, 4, 1, 5);
      const t3 = v128.shuffle<f32>(cv, d, 2, 6, 3, 7);
      const out = v + ((<usize>(k * ci + c)) << 4);
      v128.store(out, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(out, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 16);
      v128.store(out, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 32);
      v128.store(out, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 48);
    }
  }
}

/** M[q][ξ][ob..ob+7] = Σ_c V[ξ][c][q]·U[ξ][ob/8][c][0..7] for the 4 tiles q; pv, pu, pm point at ξ's parts. */
function gemm(pv: usize, pu: usize, pm: usize, ci: i32, co: i32): void {
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  const end = pv + (<usize>ci << 4);
  let p = pv;
  let q = pu;
  let w0: v128, w1: v128, v0: v128, v1: v128, v2: v128, v3: v128;
  while (p < end) {
    w0 = v128.load(q, 0);
    w1 = v128.load(q, 16);
    v0 = v128.load32_splat(p, 0);
    v1 = v128.load32_splat(p, 4);
    v2 = v128.load32_splat(p, 8);
    v3 = v128.load32_splat(p, 12);
    a00 = f32x4.add(a00, f32x4.mul(v0, w0));
    a01 = f32x4.add(a01, f32x4.mul(v0, w1));
    a10 = f32x4.add(a10, f32x4.mul(v1, w0));
    a11 = f32x4.add(a11, f32x4.mul(v1, w1));
    a20 = f32x4.add(a20, f32x4.mul(v2, w0));
    a21 = f32x4.add(a21, f32x4.mul(v2, w1));
    a30 = f32x4.add(a30, f32x4.mul(v3, w0));
    a31 = f32x4.add(a31, f32x4.mul(v3, w1));
    w0 = v128.load(q, 32);
    w1 = v128.load(q, 48);
    v0 = v128.load32_splat(p, 16);
    v1 = v128.load32_splat(p, 20);
    v2 = v128.load32_splat(p, 24);
    v3 = v128.load32_splat(p, 28);
    a00 = f32x4.add(a00, f32x4.mul(v0, w0));
    a01 = f32x4.add(a01, f32x4.mul(v0, w1));
    a10 = f32x4.add(a10, f32x4.mul(v1, w0));
    a11 = f32x4.add(a11, f32x4.mul(v1, w1));
    a20 = f32x4.add(a20, f32x4.mul(v2, w0));
    a21 = f32x4.add(a21, f32x4.mul(v2, w1));
    a30 = f32x4.add(a30, f32x4.mul(v3, w0));
    a31 = f32x4.add(a31, f32x4.mul(v3, w1));
    w0 = v128.load(q, 64);
    w1 = v128.load(q, 80);
    v0 = v128.load32_splat(p, 32);
    v1 = v128.load32_splat(p, 36);
    v2 = v128.load32_splat(p, 40);
    v3 = v128.load32_splat(p, 44);
    a00 = f32x4.add(a00, f32x4.mul(v0, w0));
    a01 = f32x4.add(a01, f32x4.mul(v0, w1));
    a10 = f32x4.add(a10, f32x4.mul(v1, w0));
    a11 = f32x4.add(a11, f32x4.mul(v1, w1));
    a20 = f32x4.add(a20, f32x4.mul(v2, w0));
    a21 = f32x4.add(a21, f32x4.mul(v2, w1));
    a30 = f32x4.add(a30, f32x4.mul(v3, w0));
    a31 = f32x4.add(a31, f32x4.mul(v3, w1));
    w0 = v128.load(q, 96);
    w1 = v128.load(q, 112);
    v0 = v128.load32_splat(p, 48);
    v1 = v128.load32_splat(p, 52);
    v2 = v128.load32_splat(p, 56);
    v3 = v128.load32_splat(p, 60);
    a00 = f32x4.add(a00, f32x4.mul(v0, w0));
    a01 = f32x4.add(a01, f32x4.mul(v0, w1));
    a10 = f32x4.add(a10, f32x4.mul(v1, w0));
    a11 = f32x4.add(a11, f32x4.mul(v1, w1));
    a20 = f32x4.add(a20, f32x4.mul(v2, w0));
    a21 = f32x4.add(a21, f32x4.mul(v2, w1));
    a30 = f32x4.add(a30, f32x4.mul(v3, w0));
    a31 = f32x4.add(a31, f32x4.mul(v3, w1));
    p += 64;
    q += 128;
  }
  const tileStride = <usize>co << 6; // 16·co floats per tile
  v128.store(pm, a00);
  v128.store(pm, a01, 16);
  v128.store(pm + tileStride, a10);
  v128.store(pm + tileStride, a11, 16);
  v128.store(pm + 2 * tileStride, a20);
  v128.store(pm + 2 * tileStride, a21, 16);
  v128.store(pm + 3 * tileStride, a30);
  v128.store(pm + 3 * tileStride, a31, 16);
}

/** y rows tr, tr + 1 and columns c0 + 2q, c0 + 2q + 1 = Aᵀ M A of the tiles q < tiles, clipped to the output. */
function outputTransform(m: usize, yImage: usize, tr: i32, c0: i32, tiles: i32, ho: i32, wo: i32, co: i32): void {
  const xiStride = <usize>co << 2;
  for (let q = 0; q < tiles; q++) {
    const mt = m + <usize>q * (xiStride << 4);
    const col = c0 + 2 * q;
    for (let o = 0; o < co; o += 4) {
      const p = mt + (<usize>o << 2);
      // rows: s0 = m0 + m1 + m2, s1 = m1 − m2 − m3 (m_i = row i of the 4×4 M), per column j
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
      for (let j = 0; j < 4; j++) {
        const m0 = v128.load(p + <usize>j * xiStride);
        const m1 = v128.load(p + <usize>(4 + j) * xiStride);
        const m2 = v128.load(p + <usize>(8 + j) * xiStride);
        const m3 = v128.load(p + <usize>(12 + j) * xiStride);
        const r0 = f32x4.add(f32x4.add(m0, m1), m2);
        const r1 = f32x4.sub(f32x4.sub(m1, m2), m3);
        if (j == 0) { s00 = r0; s10 = r1; }
        else if (j == 1) { s01 = r0; s11 = r1; }
        else if (j == 2) { s02 = r0; s12 = r1; }
        else { s03 = r0; s13 = r1; }
      }
      const out = yImage + ((<usize>(tr * wo + col) * <usize>co + <usize>o) << 2);
      const right = col + 1 < wo;
      const below = tr + 1 < ho;
      v128.store(out, f32x4.add(f32x4.add(s00, s01), s02));
      if (right) v128.store(out + xiStride, f32x4.sub(f32x4.sub(s01, s02), s03));
      if (below) {
        const out1 = out + <usize>wo * xiStride;
        v128.store(out1, f32x4.add(f32x4.add(s10, s11), s12));
        if (right) v128.store(out1 + xiStride, f32x4.sub(f32x4.sub(s11, s12), s13));
      }
    }
  }
}
