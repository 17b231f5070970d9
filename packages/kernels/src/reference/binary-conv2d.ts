import { packBinaryRows, type PackedBinaryMatrix } from '@quantprune/formats';
import { tapWeightSums } from '../conv-weights.ts';
import { lastWordMask, popcount32 } from '../internal/bits.ts';
import type { BinaryConv2dInputs } from '../kernel-names.ts';
import { referenceOutputTransform } from './output-transform.ts';

/**
 * Reference `BinaryConv2d`: a direct convolution over packed pixels. For every output pixel and channel it
 * adds `C − 2·popcount(x XOR w)` per tap inside the input; a tap in the padding adds the tap's weight sum
 * when `padValue` is 1 (+1 inputs) and nothing when it is 0 (zero inputs). The optional output transform is
 * then applied.
 *
 * @param inputs - input, packed weights, geometry and transform
 * @returns int32 NHWC results, or the transformed output
 */
export function referenceBinaryConv2d({ input, weights, geometry: g, transform }: BinaryConv2dInputs): Int32Array | Float32Array | PackedBinaryMatrix {
  const pixels = input instanceof Float32Array ? packBinaryRows(input, g.batch * g.height * g.width, g.inChannels) : input;
  const cw = g.channelWords;
  const taps = g.kernelHeight * g.kernelWidth;
  const mask = lastWordMask(g.inChannels);
  const sums = tapWeightSums(weights, g);
  const rows = g.batch * g.outHeight * g.outWidth;
  const out = new Int32Array(rows * g.outChannels);
  let row = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++, row++) {
        for (let n = 0; n < g.outChannels; n++) {
          let acc = 0;
          for (let t = 0; t < taps; t++) {
            const iy = oy * g.strideHeight - g.padHeight + Math.floor(t / g.kernelWidth);
            const ix = ox * g.strideWidth - g.padWidth + (t % g.kernelWidth);
            if (iy < 0 || iy >= g.height || ix < 0 || ix >= g.width) {
              if (g.padValue === 1) acc += sums[t * g.outChannels + n]!;
              continue;
            }
            const px = ((b * g.height + iy) * g.width + ix) * pixels.wordsPerRow;
            const pw = n * weights.wordsPerRow + t * cw;
            let ones = 0;
            for (let w = 0; w < cw; w++) {
              ones += popcount32((pixels.words[px + w]! ^ weights.words[pw + w]!) & (w === cw - 1 ? mask : 0xffffffff));
            }
            acc += g.inChannels - 2 * ones;
          }
          out[row * g.outChannels + n] = acc;
        }
      }
    }
  }
  return transform ? referenceOutputTransform({ c: out, rows, cols: g.outChannels, transform }) : out;
}
