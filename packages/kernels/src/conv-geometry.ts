/** Options of a binary convolution (NHWC input, OHWI weights). */
export interface Conv2dOptions {
  /** `[batch, height, width, channels]` of the input. */
  readonly inputShape: readonly [number, number, number, number];
  /** Output channels (rows of the packed weights). */
  readonly outChannels: number;
  /** `k` or `[kh, kw]` (1×1 and 3×3 are the tuned cases; any size with kh·kw ≤ 32 works). */
  readonly kernelSize: number | readonly [number, number];
  /** `s` or `[sh, sw]`. @default 1 */
  readonly strides?: number | readonly [number, number];
  /** Symmetric padding `p` or `[ph, pw]` on each side. @default 0 */
  readonly padding?: number | readonly [number, number];
  /**
   * Value of padded positions: `0` (zero padding, as fp32 convolutions; exact through a correction term) or
   * `1` (+1 padding, Larq's `pad_values=1`, which is free for binary kernels). @default 0
   */
  readonly padValue?: 0 | 1;
}

/** A validated convolution geometry. */
export interface ConvGeometry {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly padHeight: number;
  readonly padWidth: number;
  readonly padValue: 0 | 1;
  readonly outHeight: number;
  readonly outWidth: number;
  /** 32-bit words per packed input pixel, ⌈inChannels/32⌉. */
  readonly channelWords: number;
}

const pair = (fn: string, name: string, v: number | readonly [number, number], min: number): [number, number] => {
  const [a, b] = typeof v === 'number' ? [v, v] : v;
  for (const x of [a, b]) {
    if (!Number.isInteger(x) || x < min) throw new RangeError(`${fn}: ${name} must be integers ≥ ${min}, got ${String(v)}`);
  }
  return [a, b];
};

/**
 * Validates convolution options and derives the output size `⌊(H + 2p − k)/s⌋ + 1`.
 *
 * @param options - the convolution options
 * @param fn - calling function, for error messages @default 'resolveConvGeometry'
 * @returns the geometry
 * @throws RangeError on a non-positive size, a kernel larger than the padded input, or kh·kw > 32
 * @example
 * ```ts
 * resolveConvGeometry({ inputShape: [1, 56, 56, 64], outChannels: 64, kernelSize: 3, padding: 1 }).outHeight; // 56
 * ```
 */
export function resolveConvGeometry(options: Conv2dOptions, fn = 'resolveConvGeometry'): ConvGeometry {
  const shape = options.inputShape;
  if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new RangeError(`${fn}: inputShape must be 4 positive integers [batch, height, width, channels], got [${shape.join(', ')}]`);
  }
  if (!Number.isInteger(options.outChannels) || options.outChannels < 1) {
    throw new RangeError(`${fn}: outChannels must be a positive integer, got ${options.outChannels}`);
  }
  const [kh, kw] = pair(fn, 'kernelSize', options.kernelSize, 1);
  const [sh, sw] = pair(fn, 'strides', options.strides ?? 1, 1);
  const [ph, pw] = pair(fn, 'padding', options.padding ?? 0, 0);
  const padValue = options.padValue ?? 0;
  if (padValue !== 0 && padValue !== 1) throw new RangeError(`${fn}: padValue must be 0 or 1, got ${String(padValue)}`);
  if (kh * kw > 32) throw new RangeError(`${fn}: kernelSize ${kh}×${kw} has more than 32 taps`);
  const [batch, height, width, inChannels] = shape;
  if (height + 2 * ph < kh || width + 2 * pw < kw) {
    throw new RangeError(`${fn}: kernel ${kh}×${kw} is larger than the padded input ${height + 2 * ph}×${width + 2 * pw}`);
  }
  return {
    batch,
    height,
    width,
    inChannels,
    outChannels: options.outChannels,
    kernelHeight: kh,
    kernelWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    padHeight: ph,
    padWidth: pw,
    padValue,
    outHeight: Math.floor((height + 2 * ph - kh) / sh) + 1,
    outWidth: Math.floor((width + 2 * pw - kw) / sw) + 1,
    channelWords: Math.ceil(inChannels / 32),
  };
}

/**
 * For every output pixel (of all images) whose window reaches into the padding: its row index
 * `(b·outHeight + oy)·outWidth + ox` and a bit mask of the taps `ky·kw + kx` that fall outside the input.
 *
 * @param g - the geometry
 * @returns pairs `[row, mask]` flattened into one Int32Array
 */
export function paddedTaps(g: ConvGeometry): Int32Array {
  const perImage: number[] = [];
  for (let oy = 0; oy < g.outHeight; oy++) {
    for (let ox = 0; ox < g.outWidth; ox++) {
      let mask = 0;
      for (let ky = 0; ky < g.kernelHeight; ky++) {
        const iy = oy * g.strideHeight - g.padHeight + ky;
        for (let kx = 0; kx < g.kernelWidth; kx++) {
          const ix = ox * g.strideWidth - g.padWidth + kx;
          if (iy < 0 || iy >= g.height || ix < 0 || ix >= g.width) mask |= 1 << (ky * g.kernelWidth + kx);
        }
      }
      if (mask !== 0) perImage.push(oy * g.outWidth + ox, mask);
    }
  }
  const pixels = g.outHeight * g.outWidth;
  const out = new Int32Array(perImage.length * g.batch);
  for (let b = 0; b < g.batch; b++) {
    for (let i = 0; i < perImage.length; i += 2) {
      out[b * perImage.length + i] = b * pixels + perImage[i]!;
      out[b * perImage.length + i + 1] = perImage[i + 1]!;
    }
  }
  return out;
}

/**
 * The output rows grouped into spans of consecutive rows (output pixels of all images, row-major) whose taps
 * inside the input form the same window: `[firstRow, endRow, window, validBits]` per span, flattened.
 * `window` is −1 when every tap is inside, else `ky0 | ky1 << 8 | kx0 << 16 | kx1 << 24` (taps ky0 ≤ ky < ky1,
 * kx0 ≤ kx < kx1 are inside); `validBits` = window taps × inChannels, the reduction length of those rows.
 * A zero-padded convolution computed over the window only needs no padding correction.
 *
 * @param g - the geometry
 * @returns 4 integers per span
 */
export function windowSpans(g: ConvGeometry): Int32Array {
  const spans: number[] = [];
  let row = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      const y0 = oy * g.strideHeight - g.padHeight;
      const ky0 = Math.max(0, -y0);
      const ky1 = Math.max(ky0, Math.min(g.kernelHeight, g.height - y0));
      for (let ox = 0; ox < g.outWidth; ox++, row++) {
        const x0 = ox * g.strideWidth - g.padWidth;
        const kx0 = Math.max(0, -x0);
        const kx1 = Math.max(kx0, Math.min(g.kernelWidth, g.width - x0));
        const full = ky0 === 0 && kx0 === 0 && ky1 === g.kernelHeight && kx1 === g.kernelWidth;
        const window = full ? -1 : ky0 | (ky1 << 8) | (kx0 << 16) | (kx1 << 24);
        const last = spans.length - 4;
        if (last >= 0 && spans[last + 1] === row && spans[last + 2] === window) spans[last + 1] = row + 1;
        else spans.push(row, row + 1, window, (ky1 - ky0) * (kx1 - kx0) * g.inChannels);
      }
    }
  }
  return Int32Array.from(spans);
}
