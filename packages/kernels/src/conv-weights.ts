import { packBinaryRows, packBitPlanes, type PackedBinaryMatrix } from '@quantprune/formats';
import type { ConvGeometry } from './conv-geometry.ts';
import { lastWordMask, popcount32 } from './internal/bits.ts';
import { checkPacked } from './internal/validate.ts';

/**
 * Packs OHWI convolution weights into the layout the binary convolution consumes: `packBinaryRows` of the
 * `[outChannels, kh·kw·Cpad]` matrix where the input-channel axis is padded with zeros (+1 bits) to
 * `Cpad = 32·⌈C/32⌉`, so every tap starts on a fresh 32-bit word. When C is a multiple of 32 this is exactly
 * `packBinaryRows(values, outChannels, kh·kw·C)`. Packed size: `outChannels·wordsPerRow·4` bytes.
 *
 * @param values - `outChannels·kh·kw·C` weights in OHWI order; negative → −1, otherwise +1
 * @param shape - `[outChannels, kh, kw, C]`
 * @param rowAlignWords - row alignment in 32-bit words @default 1
 * @returns the packed weights (`cols` = kh·kw·Cpad)
 * @throws RangeError when the shape is not 4 positive integers or does not match `values.length`
 * @example
 * ```ts
 * const w = packConv2dWeights(weightsOhwi, [64, 3, 3, 64]); // 64 rows of 18 words
 * ```
 */
export function packConv2dWeights(
  values: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  rowAlignWords = 1,
): PackedBinaryMatrix {
  if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new RangeError(`packConv2dWeights: shape must be 4 positive integers [out, kh, kw, in], got [${shape.join(', ')}]`);
  }
  const [out, kh, kw, cin] = shape;
  const taps = kh * kw;
  if (values.length !== out * taps * cin) {
    throw new RangeError(`packConv2dWeights: shape [${shape.join(', ')}] needs ${out * taps * cin} values, got ${values.length}`);
  }
  const cpad = Math.ceil(cin / 32) * 32;
  if (cpad === cin) return packBinaryRows(values, out, taps * cin, { rowAlignWords });
  const padded = new Float32Array(out * taps * cpad);
  for (let r = 0; r < out * taps; r++) {
    for (let c = 0; c < cin; c++) padded[r * cpad + c] = values[r * cin + c]!;
  }
  return packBinaryRows(padded, out, taps * cpad, { rowAlignWords });
}

/**
 * Packs OHWI weight codes into the bit planes the bit-serial convolution consumes: `packBitPlanes` of the
 * `[outChannels, kh·kw·Cpad]` code matrix with every tap's channels padded to `Cpad = 32·⌈C/32⌉` (padding code
 * 0), the layout of {@link packConv2dWeights} per plane. With `bits` 2 the codes 0..3 are the DoReFa levels
 * {−1, −⅓, ⅓, 1} (A2W2); with `bits` 1 code 1 means −1 and 0 means +1 (A2W1, the same plane as
 * `packConv2dWeights` of the ±1 values).
 *
 * @param codes - `outChannels·kh·kw·C` integer codes in `[0, 2^bits)`, OHWI order
 * @param shape - `[outChannels, kh, kw, C]`
 * @param bits - 1 or 2
 * @param rowAlignWords - row alignment in 32-bit words @default 1
 * @returns `bits` planes, least significant first
 * @throws RangeError on a bad shape, a length mismatch, `bits` other than 1 or 2, or a code out of range
 * @example
 * ```ts
 * const w = packConv2dWeightPlanes(codes, [64, 3, 3, 64], 2); // 2 planes of 64 rows × 18 words
 * ```
 */
export function packConv2dWeightPlanes(
  codes: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  bits: 1 | 2,
  rowAlignWords = 1,
): PackedBinaryMatrix[] {
  const fn = 'packConv2dWeightPlanes';
  if (bits !== 1 && bits !== 2) throw new RangeError(`${fn}: bits must be 1 or 2, got ${String(bits)}`);
  if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new RangeError(`${fn}: shape must be 4 positive integers [out, kh, kw, in], got [${shape.join(', ')}]`);
  }
  const [out, kh, kw, cin] = shape;
  const taps = kh * kw;
  if (codes.length !== out * taps * cin) {
    throw new RangeError(`${fn}: shape [${shape.join(', ')}] needs ${out * taps * cin} codes, got ${codes.length}`);
  }
  const cpad = Math.ceil(cin / 32) * 32;
  const padded = new Uint8Array(out * taps * cpad);
  for (let r = 0; r < out * taps; r++) {
    for (let c = 0; c < cin; c++) {
      const v = codes[r * cin + c]!;
      if (!Number.isInteger(v) || v < 0 || v >= 1 << bits) throw new RangeError(`${fn}: codes[${r * cin + c}] must be an integer in [0, ${1 << bits}), got ${v}`);
      padded[r * cpad + c] = v;
    }
  }
  return packBitPlanes(padded, bits, out, taps * cpad, { rowAlignWords });
}

/**
 * Throws RangeError unless `weights` has the shape {@link packConv2dWeights} gives for geometry `g`:
 * `outChannels` rows of `kh·kw·32·⌈C/32⌉` columns.
 */
export function checkConvWeights(fn: string, weights: PackedBinaryMatrix, g: ConvGeometry): void {
  checkPacked(fn, 'weights', weights);
  const cols = g.kernelHeight * g.kernelWidth * g.channelWords * 32;
  if (weights.rows !== g.outChannels || weights.cols !== cols) {
    throw new RangeError(
      `${fn}: weights must be ${g.outChannels}×${cols} (outChannels × kh·kw·32·⌈C/32⌉, see packConv2dWeights), got ${weights.rows}×${weights.cols}`,
    );
  }
}

/**
 * Sum of the ±1 weights of every tap and output channel, `table[t·outChannels + n] = C − 2·popcount(tap bits)`:
 * what a tap contributes when its input is +1 everywhere. Zero padding subtracts it for taps in the padding.
 *
 * @param weights - packed weights (see {@link packConv2dWeights})
 * @param g - the convolution geometry
 * @returns `kh·kw × outChannels` int32, tap-major
 */
export function tapWeightSums(weights: PackedBinaryMatrix, g: ConvGeometry): Int32Array {
  const taps = g.kernelHeight * g.kernelWidth;
  const cw = g.channelWords;
  const mask = lastWordMask(g.inChannels);
  const table = new Int32Array(taps * g.outChannels);
  for (let n = 0; n < g.outChannels; n++) {
    for (let t = 0; t < taps; t++) {
      const base = n * weights.wordsPerRow + t * cw;
      let ones = 0;
      for (let w = 0; w < cw; w++) ones += popcount32(weights.words[base + w]! & (w === cw - 1 ? mask : 0xffffffff));
      table[t * g.outChannels + n] = g.inChannels - 2 * ones;
    }
  }
  return table;
}
