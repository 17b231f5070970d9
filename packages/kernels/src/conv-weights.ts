import { packBinaryRows, type PackedBinaryMatrix } from '@quantprune/formats';
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
