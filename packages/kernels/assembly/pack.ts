// Activation packing and im2col on packed words (the layout of @quantprune/formats `packBinaryRows`:
// bit j of word w of a row holds element 32·w + j, bit 1 = −1, padding bits 0).

/**
 * Packs the signs of a row-major rows × cols float32 matrix: bit = 1 where x < 0 (so −0 and NaN give +1).
 * Each row gets wpr u32 words; words past ⌈cols/32⌉ are zeroed.
 */
export function packSigns(src: usize, rows: i32, cols: i32, dst: usize, wpr: i32): void {
  const zero = f32x4.splat(0);
  const full = cols >> 5;
  const rest = cols & 31;
  for (let r = 0; r < rows; r++) {
    let s = src + ((<usize>r * <usize>cols) << 2);
    const d = dst + ((<usize>r * <usize>wpr) << 2);
    for (let w = 0; w < full; w++) {
      const bits =
        i32x4.bitmask(f32x4.lt(v128.load(s), zero)) |
        (i32x4.bitmask(f32x4.lt(v128.load(s, 16), zero)) << 4) |
        (i32x4.bitmask(f32x4.lt(v128.load(s, 32), zero)) << 8) |
        (i32x4.bitmask(f32x4.lt(v128.load(s, 48), zero)) << 12) |
        (i32x4.bitmask(f32x4.lt(v128.load(s, 64), zero)) << 16) |
        (i32x4.bitmask(f32x4.lt(v128.load(s, 80), zero)) << 20) |
        (i32x4.bitmask(f32x4.lt(v128.load(s, 96), zero)) << 24) |
        (i32x4.bitmask(f32x4.lt(v128.load(s, 112), zero)) << 28);
      store<u32>(d + (<usize>w << 2), bits);
      s += 128;
    }
    let w = full;
    if (rest) {
      let bits: u32 = 0;
      for (let j = 0; j < rest; j++) if (load<f32>(s + (<usize>j << 2)) < 0) bits |= 1 << j;
      store<u32>(d + (<usize>w << 2), bits);
      w++;
    }
    for (; w < wpr; w++) store<u32>(d + (<usize>w << 2), 0);
  }
}

/**
 * im2col on packed pixels. src holds batch·h·w pixels (NHWC order), cw u32 words each (channels packed).
 * Writes one row per output pixel (batch·oh·ow rows, dstWpr words each): for every tap (ky, kx) in row-major
 * order cw words, copied from the input pixel or zero (+1) when the tap falls into the padding, then zeros up
 * to dstWpr. Zero words are the "one padding" of Larq; zero padding is exact after the correction term.
 */
export function im2col(
  src: usize, batch: i32, h: i32, w: i32, cw: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32,
  dst: usize, dstWpr: i32,
): void {
  const pixelBytes = <usize>cw << 2;
  const segmentWords = kw * cw; // the taps of one kernel row read kw adjacent input pixels
  const tapWords = kh * segmentWords;
  let d = dst;
  for (let img = 0; img < batch; img++) {
    const base = src + <usize>img * <usize>h * <usize>w * pixelBytes;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const rowStart = d;
        const ix0 = ox * sw - pw;
        const inside = ix0 >= 0 && ix0 + kw <= w;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - ph + ky;
          if (<u32>iy >= <u32>h) {
            for (let i = 0; i < segmentWords; i++) store<u32>(d + (<usize>i << 2), 0);
          } else if (inside) {
            copyWords(d, base + (<usize>iy * <usize>w + <usize>ix0) * pixelBytes, segmentWords);
          } else {
            for (let kx = 0; kx < kw; kx++) {
              const ix = ix0 + kx;
              const t = d + <usize>kx * pixelBytes;
              if (<u32>ix < <u32>w) copyWords(t, base + (<usize>iy * <usize>w + <usize>ix) * pixelBytes, cw);
              else for (let i = 0; i < cw; i++) store<u32>(t + (<usize>i << 2), 0);
            }
          }
          d += <usize>segmentWords << 2;
        }
        for (let i = tapWords; i < dstWpr; i++) store<u32>(rowStart + (<usize>i << 2), 0);
        d = rowStart + (<usize>dstWpr << 2);
      }
    }
  }
}

// @ts-ignore: decorator
@inline function copyWords(d: usize, s: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(d + (<usize>i << 2), v128.load(s + (<usize>i << 2)));
  for (; i + 2 <= n; i += 2) store<u64>(d + (<usize>i << 2), load<u64>(s + (<usize>i << 2)));
  if (i < n) store<u32>(d + (<usize>i << 2), load<u32>(s + (<usize>i << 2)));
}
