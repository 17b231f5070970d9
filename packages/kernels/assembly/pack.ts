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
      // 4 lane masks (all ones for x < 0) narrow with signed saturation to 16 bytes: one bitmask per 16 floats
      const lo = i8x16.narrow_i16x8_s(
        i16x8.narrow_i32x4_s(f32x4.lt(v128.load(s), zero), f32x4.lt(v128.load(s, 16), zero)),
        i16x8.narrow_i32x4_s(f32x4.lt(v128.load(s, 32), zero), f32x4.lt(v128.load(s, 48), zero)),
      );
      const hi = i8x16.narrow_i16x8_s(
        i16x8.narrow_i32x4_s(f32x4.lt(v128.load(s, 64), zero), f32x4.lt(v128.load(s, 80), zero)),
        i16x8.narrow_i32x4_s(f32x4.lt(v128.load(s, 96), zero), f32x4.lt(v128.load(s, 112), zero)),
      );
      store<u32>(d + (<usize>w << 2), i8x16.bitmask(lo) | (i8x16.bitmask(hi) << 16));
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
 * Packs 2-bit codes (one byte each, row-major rows × cols, bits above 1 ignored) into the bit-serial pixel
 * layout: per row cw64 pairs of u64 words, pair g holding bit 0 (plane 0) of codes 64g..64g+63 at +g·16 and
 * bit 1 (plane 1) at +g·16 + 8. Bits past cols and pairs past ⌈cols/64⌉ are zeroed (code 0).
 */
export function packCodePlanes(src: usize, rows: i32, cols: i32, dst: usize, cw64: i32): void {
  const full = cols >> 6;
  const rest = cols & 63;
  for (let r = 0; r < rows; r++) {
    let s = src + <usize>r * <usize>cols;
    let d = dst + ((<usize>r * <usize>cw64) << 4);
    for (let g = 0; g < full; g++) {
      // i8x16.shl moves bit 0 (or 1) of every code into the byte's sign bit, which i8x16.bitmask collects
      const v0 = v128.load(s);
      const v1 = v128.load(s, 16);
      const v2 = v128.load(s, 32);
      const v3 = v128.load(s, 48);
      const lo =
        <u64>i8x16.bitmask(i8x16.shl(v0, 7)) |
        (<u64>i8x16.bitmask(i8x16.shl(v1, 7)) << 16) |
        (<u64>i8x16.bitmask(i8x16.shl(v2, 7)) << 32) |
        (<u64>i8x16.bitmask(i8x16.shl(v3, 7)) << 48);
      const hi =
        <u64>i8x16.bitmask(i8x16.shl(v0, 6)) |
        (<u64>i8x16.bitmask(i8x16.shl(v1, 6)) << 16) |
        (<u64>i8x16.bitmask(i8x16.shl(v2, 6)) << 32) |
        (<u64>i8x16.bitmask(i8x16.shl(v3, 6)) << 48);
      store<u64>(d, lo);
      store<u64>(d, hi, 8);
      s += 64;
      d += 16;
    }
    let g = full;
    if (rest) {
      let lo: u64 = 0;
      let hi: u64 = 0;
      for (let j = 0; j < rest; j++) {
        const c = <u64>load<u8>(s + <usize>j);
        lo |= (c & 1) << <u64>j;
        hi |= ((c >> 1) & 1) << <u64>j;
      }
      store<u64>(d, lo);
      store<u64>(d, hi, 8);
      d += 16;
      g++;
    }
    for (; g < cw64; g++) {
      v128.store(d, i32x4.splat(0));
      d += 16;
    }
  }
}

/**
 * im2col on packed pixels. src holds batch·h·w pixels (NHWC order), cw u32 words each (channels packed).
 * Writes one row per output pixel (batch·oh·ow rows, dstWpr words each): for every tap (ky, kx) in row-major
 * order cw words, copied from the input pixel or zero (+1) when the tap falls into the padding, then zeros up
 * to dstWpr. Zero words are the "one padding" of Larq; zero padding is exact after the correction term.
 * With skipInside ≠ 0 the rows whose taps are all inside the input are left as they are (their GEMM reads the
 * input pixels directly).
 */
export function im2col(
  src: usize, batch: i32, h: i32, w: i32, cw: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32,
  dst: usize, dstWpr: i32, skipInside: i32,
): void {
  const pixelBytes = <usize>cw << 2;
  const segmentWords = kw * cw; // the taps of one kernel row read kw adjacent input pixels
  const tapWords = kh * segmentWords;
  let d = dst;
  for (let img = 0; img < batch; img++) {
    const base = src + <usize>img * <usize>h * <usize>w * pixelBytes;
    for (let oy = 0; oy < oh; oy++) {
      const iy0 = oy * sh - ph;
      const rowsInside = iy0 >= 0 && iy0 + kh <= h;
      for (let ox = 0; ox < ow; ox++) {
        const rowStart = d;
        const ix0 = ox * sw - pw;
        const inside = ix0 >= 0 && ix0 + kw <= w;
        if (skipInside && inside && rowsInside) {
          // the inside pixels of an output row are consecutive: skip to the last one
          const last = min(ow - 1, (w + pw - kw) / sw);
          d = rowStart + ((<usize>(last - ox + 1) * <usize>dstWpr) << 2);
          ox = last;
          continue;
        }
        for (let ky = 0; ky < kh; ky++) {
          const iy = iy0 + ky;
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

// Copies n ≥ 1 u32 words. From 4 words on with v128 moves only, the last one overlapping the previous
// (no scalar tail); segments are 3·C/32 words for a 3×3 kernel, e.g. 6 for 64 channels.
// @ts-ignore: decorator
@inline function copyWords(d: usize, s: usize, n: i32): void {
  const bytes = <usize>n << 2;
  if (bytes >= 16) {
    const last = bytes - 16;
    for (let o: usize = 0; o < last; o += 16) v128.store(d + o, v128.load(s + o));
    v128.store(d + last, v128.load(s + last));
  } else {
    let i = 0;
    for (; i + 2 <= n; i += 2) store<u64>(d + (<usize>i << 2), load<u64>(s + (<usize>i << 2)));
    if (i < n) store<u32>(d + (<usize>i << 2), load<u32>(s + (<usize>i << 2)));
  }
}
