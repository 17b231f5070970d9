import jpeg from 'jpeg-js';
import pica from 'pica';
import { DataError } from './errors.ts';
import type { ResizeFilter } from './types.ts';

/** Options of {@link decodeImageNetJpeg}. */
export interface JpegPreprocessOptions {
  /** Side of the square centre crop. @default 224 */
  readonly size?: number;
  /** Length the shorter side is resized to before cropping (≥ size). @default 256 */
  readonly resize?: number;
  /** pica resampling filter. @default 'hamming' */
  readonly filter?: ResizeFilter;
  /** Refuse JPEGs larger than this many megapixels. @default 100 */
  readonly maxResolutionInMP?: number;
  /** Refuse JPEGs whose decoding needs more memory than this. @default 512 */
  readonly maxMemoryUsageInMB?: number;
  /** Where to write the `size × size × 3` result (a new array when absent). */
  readonly out?: Uint8Array;
}

/** One pica instance, created on first use, restricted to its pure-JS path (no canvas, workers or WebAssembly). */
let resizer: ReturnType<typeof pica> | undefined;

/**
 * The ImageNet evaluation transform of torchvision (`Resize(256)` then `CenterCrop(224)`) on a JPEG file:
 * decodes it with jpeg-js (strict: truncated or corrupt data is an error), resizes it with pica so that the
 * shorter side is `resize` (the longer one `floor(resize × long / short)`), and cuts the centred `size × size`
 * window (offset `round((side - size) / 2)`, halves to even as Python rounds).
 *
 * @param bytes the JPEG file.
 * @param file the file name, used in error messages.
 * @param options crop and resize sizes, filter, decoder limits and an optional output buffer.
 * @returns `size × size × 3` uint8 RGB pixels, HWC.
 * @throws {DataError} when the bytes are not a JPEG, are corrupt or truncated, or exceed the decoder limits.
 * @throws {RangeError} for invalid sizes or a too small `out`.
 * @example
 * ```ts
 * const pixels = await decodeImageNetJpeg(readFileSync('ILSVRC2012_val_00000001.JPEG'), 'ILSVRC2012_val_00000001.JPEG');
 * // Uint8Array(150528)
 * ```
 */
export async function decodeImageNetJpeg(bytes: Uint8Array, file: string, options: JpegPreprocessOptions = {}): Promise<Uint8Array> {
  const { size = 224, resize = 256, filter = 'hamming', maxResolutionInMP = 100, maxMemoryUsageInMB = 512 } = options;
  checkSizes('decodeImageNetJpeg', size, resize);
  const out = options.out ?? new Uint8Array(size * size * 3);
  if (out.length < size * size * 3) throw new RangeError(`decodeImageNetJpeg: out must hold ${size * size * 3} bytes, got ${out.length}`);
  if (bytes.length < 3 || bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes[2] !== 0xff) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    const png = bytes[0] === 0x89 && bytes[1] === 0x50;
    throw new DataError(file, 0, `not a JPEG: a JPEG starts with ff d8 ff, got ${head || 'an empty file'}${png ? ' (a PNG image with a .JPEG name: convert it to JPEG)' : ''}`);
  }
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: false, maxResolutionInMP, maxMemoryUsageInMB });
  } catch (e) {
    // jpeg-js reports neither a class nor a position for corrupt data; anything it throws means a bad file.
    const message = e instanceof Error ? e.message : String(e);
    throw new DataError(file, undefined, `corrupt or unsupported JPEG (jpeg-js: ${message}); download the file again or remove it`);
  }
  const { width, height, data } = decoded;
  if (!(width >= 1 && height >= 1) || data.length !== width * height * 4) {
    throw new DataError(file, undefined, `corrupt JPEG: decoded to ${width} × ${height} pixels; download the file again or remove it`);
  }
  const [toWidth, toHeight] = width <= height ? [resize, Math.floor((resize * height) / width)] : [Math.floor((resize * width) / height), resize];
  if (toWidth * toHeight > maxResolutionInMP * 1e6) {
    throw new DataError(file, undefined, `a ${width} × ${height} image resized to ${toWidth} × ${toHeight} exceeds maxResolutionInMP (${maxResolutionInMP}): the aspect ratio is too extreme; remove the file or raise the limit`);
  }
  let rgba = data;
  if (toWidth !== width || toHeight !== height) {
    resizer ??= pica({ features: ['js'], concurrency: 1 });
    rgba = await resizer.resizeBuffer({ src: data, width, height, toWidth, toHeight, filter });
  }
  const top = roundHalfEven((toHeight - size) / 2);
  const left = roundHalfEven((toWidth - size) / 2);
  for (let y = 0; y < size; y++) {
    let s = ((top + y) * toWidth + left) * 4;
    let d = y * size * 3;
    for (let x = 0; x < size; x++, s += 4, d += 3) {
      out[d] = rgba[s]!;
      out[d + 1] = rgba[s + 1]!;
      out[d + 2] = rgba[s + 2]!;
    }
  }
  return out;
}

/** Validates crop and resize sizes (shared with loadImageNet). */
export function checkSizes(fn: string, size: number, resize: number): void {
  if (!Number.isSafeInteger(size) || size < 1 || size > 8192) throw new RangeError(`${fn}: size must be an integer in [1, 8192], got ${size}`);
  if (!Number.isSafeInteger(resize) || resize < size || resize > 8192) {
    throw new RangeError(`${fn}: resize must be an integer in [size (${size}), 8192], got ${resize}`);
  }
}

/** Python's `round` for halves: to the nearest even integer (torchvision's centre-crop offsets use it). */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
