// Test helper (excluded from the build): float reference computations on unpacked ±1 / level values, written
// independently of the kernels (no bit tricks), so the kernels are checked against plain arithmetic.
import type { ConvGeometry } from './conv-geometry.ts';

/** sign with sign(±0) = sign(NaN) = +1, the packing convention. */
export const sign = (x: number): number => (x < 0 ? -1 : 1);

/** C[m][n] = Σ_k A[m][k]·B[n][k] in float64 (A is m×k, B is n×k, row-major). */
export function floatGemm(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += a[i * k + t]! * b[j * k + t]!;
      out[i * n + j] = s;
    }
  }
  return out;
}

/**
 * Direct NHWC × OHWI convolution in float64 of sign(x) and sign(w); padded positions hold `g.padValue`
 * (0 as in fp32 convolutions, or +1).
 */
export function floatBinaryConv(x: ArrayLike<number>, w: ArrayLike<number>, g: ConvGeometry): Float64Array {
  return floatConv(Array.from(x, sign), Array.from(w, sign), g, g.padValue);
}

/**
 * Direct NHWC × OHWI convolution in float64 of the values `x` and `w` as given (e.g. the levels c/3 and
 * 2c/3 − 1); padded positions hold `padValue`.
 */
export function floatConv(x: ArrayLike<number>, w: ArrayLike<number>, g: ConvGeometry, padValue = 0): Float64Array {
  const { batch, height, width, inChannels: c, outChannels: o, kernelHeight: kh, kernelWidth: kw } = g;
  const out = new Float64Array(batch * g.outHeight * g.outWidth * o);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        for (let n = 0; n < o; n++) {
          let s = 0;
          for (let ky = 0; ky < kh; ky++) {
            for (let kx = 0; kx < kw; kx++) {
              const iy = oy * g.strideHeight - g.padHeight + ky;
              const ix = ox * g.strideWidth - g.padWidth + kx;
              const inside = iy >= 0 && iy < height && ix >= 0 && ix < width;
              for (let ci = 0; ci < c; ci++) {
                const xv = inside ? x[((b * height + iy) * width + ix) * c + ci]! : padValue;
                s += xv * w[((n * kh + ky) * kw + kx) * c + ci]!;
              }
            }
          }
          out[((b * g.outHeight + oy) * g.outWidth + ox) * o + n] = s;
        }
      }
    }
  }
  return out;
}
