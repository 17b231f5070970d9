import type { PackedBinaryMatrix } from '@quantprune/formats';
import { lastWordMask, popcount32 } from '../internal/bits.ts';
import type { ActivationLevels, BitSerialGemmInputs } from '../kernel-names.ts';

/**
 * Integer level maps of the bit-serial kernels, `value·3 = u·code + v`: DoReFa 2-bit weights {−1, −⅓, ⅓, 1}
 * are `2w − 3`, binary weights (bit 1 = −1) are `1 − 2b`, activations {0, ⅓, ⅔, 1} are `a` ('unsigned') and
 * {−1, −⅓, ⅓, 1} are `2a − 3` ('signed').
 */
export function levelMaps(weightBits: number, levels: ActivationLevels): { ua: number; va: number; uw: number; vw: number } {
  const [ua, va] = levels === 'unsigned' ? [1, 0] : [2, -3];
  const [uw, vw] = weightBits === 1 ? [-2, 1] : [2, -3];
  return { ua, va, uw, vw };
}

/**
 * Reference `BitSerialGemm`: with D = Σ_p Σ_q 2^(p+q)·popcount(a_p AND w_q), Sa = Σ_k a, Sw = Σ_k w,
 * returns `ua·uw·D + ua·vw·Sa + va·uw·Sw + K·va·vw` = Σ_k (ua·a + va)(uw·w + vw), the dot product in level
 * units (3× the real value for A2W1, 9× for A2W2).
 *
 * @param inputs - activation planes (2), weight planes (1 or 2) and the activation level map
 * @returns M×N int32, row-major
 */
export function referenceBitSerialGemm({ activations, weights, activationLevels }: BitSerialGemmInputs): Int32Array {
  const { ua, va, uw, vw } = levelMaps(weights.length, activationLevels);
  const a0 = activations[0]!;
  const k = a0.cols;
  const words = Math.ceil(k / 32);
  const mask = lastWordMask(k);
  const sum = (planes: readonly PackedBinaryMatrix[], r: number): number => {
    let s = 0;
    planes.forEach((p, i) => {
      for (let w = 0; w < words; w++) s += popcount32(p.words[r * p.wordsPerRow + w]! & (w === words - 1 ? mask : 0xffffffff)) << i;
    });
    return s;
  };
  const out = new Int32Array(a0.rows * weights[0]!.rows);
  const n = weights[0]!.rows;
  for (let m = 0; m < a0.rows; m++) {
    const sa = sum(activations, m);
    for (let j = 0; j < n; j++) {
      let d = 0;
      activations.forEach((ap, p) => {
        weights.forEach((wq, q) => {
          let s = 0;
          for (let w = 0; w < words; w++) {
            s += popcount32(ap.words[m * ap.wordsPerRow + w]! & wq.words[j * wq.wordsPerRow + w]! & (w === words - 1 ? mask : 0xffffffff));
          }
          d += s << (p + q);
        });
      });
      out[m * n + j] = ua * uw * d + ua * vw * sa + va * uw * sum(weights, j) + k * va * vw;
    }
  }
  return out;
}
