// The input gradient of a strided NHWC float32 convolution (dilation 1), without the zero-dilated dy:
//   dx[n, r, c, ci] = Σ dy[n, i, j, co] · f[a, b, ci, co] over r = i·sh + a − top, c = j·sw + b − left
// For a stride s > 1 the Conv2D formulation convolves dy dilated by s zeros, s² times the useful multiply-adds. Here an
// output pixel only visits its own taps: a ≡ r + top (mod sh), b ≡ c + left (mod sw). Output columns are tiled 4 at a
// time within one phase (c, c + sw, c + 2sw, c + 3sw share their taps and read 4 consecutive dy pixels), × 8 input
// channels, with the 8 f32x4 sums in registers over every tap and output channel. The filter is packed first
// (packBackpropInputFilter) as [tap][ci/8][co][8], so the inner loop takes 4 output channels per iteration at
// constant offsets. Pixels whose dy column falls outside read a block of co zeros (`zeros`) instead.
// Requires ci a multiple of 8 and co a multiple of 4. Pointers are byte offsets into the imported memory.

/** Packs f [taps, ci, co] into wp [taps][ci/8][co][8]. */
export function packBackpropInputFilter(f: usize, taps: i32, ci: i32, co: i32, wp: usize): void {
  let out = wp;
  for (let t = 0; t < taps; t++) {
    for (let cb = 0; cb < ci; cb += 8) {
      for (let o = 0; o < co; o++) {
        for (let k = 0; k < 8; k++) {
          store<f32>(out, load<f32>(f + ((<usize>((t * ci + cb + k) * co + o)) << 2)));
          out += 4;
        }
      }
    }
  }
}

/**
 * Writes dx for images [n0, n1) from dy and the packed filter wp; `zeros` points at co floats it zeroes.
 *
 * @param dy - output gradient [N, Ho, Wo, Co]
 * @param wp - filter packed by {@link packBackpropInputFilter}
 * @param dx - input gradient [N, H, W, Ci]
 */
export function conv2dBackpropInput(
  dy: usize, wp: usize, dx: usize, zeros: usize, n0: i32, n1: i32, h: i32, w: i32, ci: i32, ho: i32, wo: i32, co: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, top: i32, left: i32,
): void {
  memory.fill(zeros, 0, <usize>co << 2);
  const dyPixel = <usize>co << 2;
  const dyRow = <usize>wo * dyPixel;
  const dxPixel = <usize>ci << 2;
  for (let n = n0; n < n1; n++) {
    const dyImage = dy + <usize>n * <usize>ho * dyRow;
    for (let r = 0; r < h; r++) {
      const out = dx + (<usize>n * <usize>h + <usize>r) * <usize>w * dxPixel;
      for (let phase = 0; phase < sw; phase++) {
        for (let c = phase; c < w; c += 4 * sw) {
          const count = min(4, (w - c + sw - 1) / sw);
          for (let cb = 0; cb < ci; cb += 8) {
            tile(dyImage, wp, out + (<usize>(c * ci + cb) << 2), r, c, count, cb, ci, ho, wo, co, fh, fw, sh, sw, top, left, dyRow, dyPixel, dxPixel * <usize>sw, zeros);
          }
        }
      }
    }
  }
}

/** dx at output row r, columns c, c + sw, … (count ≤ 4 of them), input channels cb..cb+7. */
// @ts-ignore: decorator
@inline
function tile(
  dyImage: usize, wp: usize, out: usize, r: i32, c: i32, count: i32, cb: i32, ci: i32, ho: i32, wo: i32, co: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, top: i32, left: i32, dyRow: usize, dyPixel: usize, outStep: usize, zeros: usize,
): void {
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  const wTap = <usize>(ci * co) << 2; // bytes of one packed tap
  const wBlock = <usize>(cb * co) << 2; // this 8-channel block within a tap
  for (let a = (r + top) % sh; a < fh; a += sh) {
    const i = (r + top - a) / sh;
    if (i >= ho) continue;
    if (i < 0) break;
    const dyR = dyImage + <usize>i * dyRow;
    for (let b = (c + left) % sw; b < fw; b += sw) {
      const j0 = (c + left - b) / sw; // dy column of the tile's first pixel
      let p0: usize, p1: usize, p2: usize, p3: usize;
      if (count == 4 && j0 >= 0 && j0 + 3 < wo) {
        p0 = dyR + <usize>j0 * dyPixel;
        p1 = p0 + dyPixel;
        p2 = p1 + dyPixel;
        p3 = p2 + dyPixel;
      } else {
        p0 = dyColumn(dyR, j0, wo, dyPixel, zeros, 0 < count);
        p1 = dyColumn(dyR, j0 + 1, wo, dyPixel, zeros, 1 < count);
        p2 = dyColumn(dyR, j0 + 2, wo, dyPixel, zeros, 2 < count);
        p3 = dyColumn(dyR, j0 + 3, wo, dyPixel, zeros, 3 < count);
      }
      let q = wp + <usize>(a * fw + b) * wTap + wBlock;
      const end = p0 + dyPixel;
      while (p0 < end) {
        let w0 = v128.load(q);
        let w1 = v128.load(q, 16);
        let v0 = v128.load32_splat(p0);
        let v1 = v128.load32_splat(p1);
        let v2 = v128.load32_splat(p2);
        let v3 = v128.load32_splat(p3);
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
        v0 = v128.load32_splat(p0, 4);
        v1 = v128.load32_splat(p1, 4);
        v2 = v128.load32_splat(p2, 4);
        v3 = v128.load32_splat(p3, 4);
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
        v0 = v128.load32_splat(p0, 8);
        v1 = v128.load32_splat(p1, 8);
        v2 = v128.load32_splat(p2, 8);
        v3 = v128.load32_splat(p3, 8);
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
        v0 = v128.load32_splat(p0, 12);
        v1 = v128.load32_splat(p1, 12);
        v2 = v128.load32_splat(p2, 12);
        v3 = v128.load32_splat(p3, 12);
        a00 = f32x4.add(a00, f32x4.mul(v0, w0));
        a01 = f32x4.add(a01, f32x4.mul(v0, w1));
        a10 = f32x4.add(a10, f32x4.mul(v1, w0));
        a11 = f32x4.add(a11, f32x4.mul(v1, w1));
        a20 = f32x4.add(a20, f32x4.mul(v2, w0));
        a21 = f32x4.add(a21, f32x4.mul(v2, w1));
        a30 = f32x4.add(a30, f32x4.mul(v3, w0));
        a31 = f32x4.add(a31, f32x4.mul(v3, w1));
        p0 += 16;
        p1 += 16;
        p2 += 16;
        p3 += 16;
        q += 128;
      }
    }
  }
  v128.store(out, a00);
  v128.store(out, a01, 16);
  if (count > 1) {
    v128.store(out + outStep, a10);
    v128.store(out + outStep, a11, 16);
  }
  if (count > 2) {
    v128.store(out + 2 * outStep, a20);
    v128.store(out + 2 * outStep, a21, 16);
  }
  if (count > 3) {
    v128.store(out + 3 * outStep, a30);
    v128.store(out + 3 * outStep, a31, 16);
  }
}

/** dy at column j of the row dyR, or the zero pixel when j is outside or the output pixel is not used. */
// @ts-ignore: decorator
@inline
function dyColumn(dyR: usize, j: i32, wo: i32, dyPixel: usize, zeros: usize, used: bool): usize {
  return used && j >= 0 && j < wo ? dyR + <usize>j * dyPixel : zeros;
}
