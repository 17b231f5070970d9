// The filter gradient of an NHWC float32 convolution (dilation 1):
//   dW[a, b, ci, co] = Σ_{n,i,j} x[n, i·sh + a − top, j·sw + b − left, ci] · dy[n, i, j, co]
// (taps that fall in the zero padding add nothing). All pointers are byte offsets into the imported memory,
// which is the TF.js wasm backend's heap: this module has no data segments and allocates nothing.
//
// For each image and tap (a, b), a tile of 4 input channels × 8 output channels keeps its 8 f32x4 sums in
// registers over every output pixel of the image, then adds them to dW. One pixel costs 2 loads of dy, 4 splat
// loads of x and 8 mul + 8 add for 32 multiply-adds. One image of x and dy (≤ 64 KiB each for CIFAR ResNets) stays in
// cache across the tiles. Channel counts that are not multiples of 4 (input) or 8 (output) take the 1-channel
// and 4- or 1-wide tails.

/** First index i ≥ 0 with i·s + off ≥ 0. */
@inline
function firstInside(off: i32, s: i32): i32 {
  return off >= 0 ? 0 : (-off + s - 1) / s;
}

/** One past the last index i < limit with i·s + off < size. */
@inline
function endInside(off: i32, s: i32, size: i32, limit: i32): i32 {
  const last = size - 1 - off;
  return last < 0 ? 0 : min(limit, last / s + 1);
}

/**
 * Writes the filter gradient of images [n0, n1) to dW.
 *
 * @param x - input [N, H, W, Ci]
 * @param dy - output gradient [N, Ho, Wo, Co]
 * @param dw - filter gradient [Fh, Fw, Ci, Co]
 */
export function conv2dBackpropFilter(
  x: usize, dy: usize, dw: usize, n0: i32, n1: i32, h: i32, w: i32, ci: i32, ho: i32, wo: i32, co: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, top: i32, left: i32,
): void {
  memory.fill(dw, 0, <usize>(fh * fw * ci * co) << 2);
  for (let n = n0; n < n1; n++) {
    const xImage = x + ((<usize>n * <usize>h * <usize>w * <usize>ci) << 2);
    const dyImage = dy + ((<usize>n * <usize>ho * <usize>wo * <usize>co) << 2);
    for (let a = 0; a < fh; a++) {
      const rowOff = a - top;
      const i0 = firstInside(rowOff, sh);
      const i1 = endInside(rowOff, sh, h, ho);
      if (i0 >= i1) continue;
      for (let b = 0; b < fw; b++) {
        const colOff = b - left;
        const j0 = firstInside(colOff, sw);
        const j1 = endInside(colOff, sw, w, wo);
        if (j0 >= j1) continue;
        // x and dy at pixel (i0, j0) of this tap
        const xs = xImage + ((((i0 * sh + rowOff) * w + j0 * sw + colOff) * ci) << 2);
        const ds = dyImage + (((i0 * wo + j0) * co) << 2);
        const tap = dw + ((((a * fw + b) * ci) * co) << 2);
        tapTiles(xs, ds, tap, i1 - i0, j1 - j0, ci, co, <usize>((sh * w * ci) << 2), <usize>((sw * ci) << 2), <usize>((wo * co) << 2));
      }
    }
  }
}

/**
 * dW_tap[ci, co] += Σ over rows × cols pixels of x[pixel, ci] · dy[pixel, co]; xRow/xCol and dyRow are the byte
 * strides between pixel rows and columns (dy's column stride is co·4).
 */
function tapTiles(xs: usize, ds: usize, tap: usize, rows: i32, cols: i32, ci: i32, co: i32, xRow: usize, xCol: usize, dyRow: usize): void {
  const dyCol = <usize>co << 2;
  let c = 0;
  for (; c + 4 <= ci; c += 4) {
    const xc = xs + (<usize>c << 2);
    const out = tap + ((<usize>c * <usize>co) << 2);
    let o = 0;
    for (; o + 8 <= co; o += 8) tile4x8(xc, ds + (<usize>o << 2), out + (<usize>o << 2), rows, cols, co, xRow, xCol, dyRow, dyCol);
    for (; o + 4 <= co; o += 4) tile4x4(xc, ds + (<usize>o << 2), out + (<usize>o << 2), rows, cols, co, xRow, xCol, dyRow, dyCol);
    for (; o < co; o++) for (let k = 0; k < 4; k++) tile1x1(xc + (<usize>k << 2), ds + (<usize>o << 2), out + ((<usize>(k * co + o)) << 2), rows, cols, xRow, xCol, dyRow, dyCol);
  }
  for (; c < ci; c++) {
    const xc = xs + (<usize>c << 2);
    const out = tap + ((<usize>c * <usize>co) << 2);
    let o = 0;
    for (; o + 4 <= co; o += 4) tile1x4(xc, ds + (<usize>o << 2), out + (<usize>o << 2), rows, cols, xRow, xCol, dyRow, dyCol);
    for (; o < co; o++) tile1x1(xc, ds + (<usize>o << 2), out + (<usize>o << 2), rows, cols, xRow, xCol, dyRow, dyCol);
  }
}

// @ts-ignore: decorator
@inline
function fma(acc: v128, x: v128, d: v128): v128 {
  return f32x4.add(acc, f32x4.mul(x, d));
}

function tile4x8(xs: usize, ds: usize, out: usize, rows: i32, cols: i32, co: i32, xRow: usize, xCol: usize, dyRow: usize, dyCol: usize): void {
  const r1 = <usize>co << 2;
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  for (let i = 0; i < rows; i++) {
    let px = xs + <usize>i * xRow;
    let pd = ds + <usize>i * dyRow;
    const end = pd + <usize>cols * dyCol;
    while (pd < end) {
      const d0 = v128.load(pd);
      const d1 = v128.load(pd, 16);
      const x0 = v128.load32_splat(px);
      const x1 = v128.load32_splat(px, 4);
      const x2 = v128.load32_splat(px, 8);
      const x3 = v128.load32_splat(px, 12);
      a00 = fma(a00, x0, d0);
      a01 = fma(a01, x0, d1);
      a10 = fma(a10, x1, d0);
      a11 = fma(a11, x1, d1);
      a20 = fma(a20, x2, d0);
      a21 = fma(a21, x2, d1);
      a30 = fma(a30, x3, d0);
      a31 = fma(a31, x3, d1);
      px += xCol;
      pd += dyCol;
    }
  }
  v128.store(out, f32x4.add(v128.load(out), a00));
  v128.store(out, f32x4.add(v128.load(out, 16), a01), 16);
  v128.store(out + r1, f32x4.add(v128.load(out + r1), a10));
  v128.store(out + r1, f32x4.add(v128.load(out + r1, 16), a11), 16);
  v128.store(out + 2 * r1, f32x4.add(v128.load(out + 2 * r1), a20));
  v128.store(out + 2 * r1, f32x4.add(v128.load(out + 2 * r1, 16), a21), 16);
  v128.store(out + 3 * r1, f32x4.add(v128.load(out + 3 * r1), a30));
  v128.store(out + 3 * r1, f32x4.add(v128.load(out + 3 * r1, 16), a31), 16);
}

function tile4x4(xs: usize, ds: usize, out: usize, rows: i32, cols: i32, co: i32, xRow: usize, xCol: usize, dyRow: usize, dyCol: usize): void {
  const r1 = <usize>co << 2;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  for (let i = 0; i < rows; i++) {
    let px = xs + <usize>i * xRow;
    let pd = ds + <usize>i * dyRow;
    const end = pd + <usize>cols * dyCol;
    while (pd < end) {
      const d = v128.load(pd);
      a0 = fma(a0, v128.load32_splat(px), d);
      a1 = fma(a1, v128.load32_splat(px, 4), d);
      a2 = fma(a2, v128.load32_splat(px, 8), d);
      a3 = fma(a3, v128.load32_splat(px, 12), d);
      px += xCol;
      pd += dyCol;
    }
  }
  v128.store(out, f32x4.add(v128.load(out), a0));
  v128.store(out + r1, f32x4.add(v128.load(out + r1), a1));
  v128.store(out + 2 * r1, f32x4.add(v128.load(out + 2 * r1), a2));
  v128.store(out + 3 * r1, f32x4.add(v128.load(out + 3 * r1), a3));
}

function tile1x4(xs: usize, ds: usize, out: usize, rows: i32, cols: i32, xRow: usize, xCol: usize, dyRow: usize, dyCol: usize): void {
  let acc = f32x4.splat(0);
  for (let i = 0; i < rows; i++) {
    let px = xs + <usize>i * xRow;
    let pd = ds + <usize>i * dyRow;
    const end = pd + <usize>cols * dyCol;
    while (pd < end) {
      acc = fma(acc, v128.load32_splat(px), v128.load(pd));
      px += xCol;
      pd += dyCol;
    }
  }
  v128.store(out, f32x4.add(v128.load(out), acc));
}

function tile1x1(xs: usize, ds: usize, out: usize, rows: i32, cols: i32, xRow: usize, xCol: usize, dyRow: usize, dyCol: usize): void {
  let acc: f32 = 0;
  for (let i = 0; i < rows; i++) {
    let px = xs + <usize>i * xRow;
    let pd = ds + <usize>i * dyRow;
    const end = pd + <usize>cols * dyCol;
    while (pd < end) {
      acc += load<f32>(px) * load<f32>(pd);
      px += xCol;
      pd += dyCol;
    }
  }
  store<f32>(out, load<f32>(out) + acc);
}
