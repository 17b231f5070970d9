import { packBitPlanes } from '@quantprune/formats';
import { lastWordMask, popcount32 } from '../internal/bits.ts';
import type { BitSerialConv2dInputs } from '../kernel-names.ts';
import { levelMaps } from './bit-serial-gemm.ts';
import { referenceOutputTransform } from './output-transform.ts';

/**
 * Reference `BitSerialConv2d`: a direct convolution over packed pixel planes. For every output pixel it sums,
 * over the taps inside the input, `D = Σ_p Σ_q 2^(p+q)·popcount(a_p AND w_q)` and the activation codes `Sa`,
 * and returns `ua·uw·D + ua·vw·Sa` (the level maps of `bitSerialGemm` with 'unsigned' activations). Code 0 is
 * the level 0, so taps in the zero padding add nothing. The optional scale-bias transform is then applied.
 *
 * @param inputs - activation codes or planes, weight planes, geometry and transform
 * @returns int32 NHWC results in level units (/3 for A2W1, /9 for A2W2), or float32 after the transform
 */
export function referenceBitSerialConv2d({ input, weights, geometry: g, transform }: BitSerialConv2dInputs): Int32Array | Float32Array {
  const pixels = g.batch * g.height * g.width;
  const planes = input instanceof Uint8Array ? packBitPlanes(input, 2, pixels, g.inChannels) : input;
  const { ua, uw, vw } = levelMaps(weights.length, 'unsigned');
  const cw = g.channelWords;
  const mask = lastWordMask(g.inChannels);
  const rows = g.batch * g.outHeight * g.outWidth;
  const out = new Int32Array(rows * g.outChannels);
  // activation words with the channel padding cleared; AND-ing them clears it in the weights too
  const act = (p: number, px: number, w: number): number => planes[p]!.words[px * planes[p]!.wordsPerRow + w]! & (w === cw - 1 ? mask : 0xffffffff);
  let row = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++, row++) {
        // the input pixel of every tap, or −1 in the padding
        const inside: number[] = [];
        for (let ky = 0; ky < g.kernelHeight; ky++) {
          for (let kx = 0; kx < g.kernelWidth; kx++) {
            const iy = oy * g.strideHeight - g.padHeight + ky;
            const ix = ox * g.strideWidth - g.padWidth + kx;
            inside.push(iy < 0 || iy >= g.height || ix < 0 || ix >= g.width ? -1 : (b * g.height + iy) * g.width + ix);
          }
        }
        let sa = 0;
        for (const px of inside) {
          if (px < 0) continue;
          for (let w = 0; w < cw; w++) sa += popcount32(act(0, px, w)) + (popcount32(act(1, px, w)) << 1);
        }
        for (let n = 0; n < g.outChannels; n++) {
          let d = 0;
          inside.forEach((px, t) => {
            if (px < 0) return;
            for (let w = 0; w < cw; w++) {
              for (let p = 0; p < 2; p++) {
                const x = act(p, px, w);
                weights.forEach((wq, q) => (d += popcount32(x & wq.words[n * wq.wordsPerRow + t * cw + w]!) << (p + q)));
              }
            }
          });
          out[row * g.outChannels + n] = ua * uw * d + ua * vw * sa;
        }
      }
    }
  }
  return transform ? (referenceOutputTransform({ c: out, rows, cols: g.outChannels, transform }) as Float32Array) : out;
}
