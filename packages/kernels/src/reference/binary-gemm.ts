import type { PackedBinaryMatrix } from '@quantprune/formats';
import { lastWordMask, popcount32 } from '../internal/bits.ts';
import type { BinaryGemmInputs } from '../kernel-names.ts';

/**
 * Reference `BinaryGemm`: `C[m][n] = K − 2·popcount(A_m XOR B_n)` word by word in plain TypeScript.
 *
 * @param inputs - `a` (M×K) and `b` (N×K) in the kernel layout
 * @returns M×N int32, row-major
 */
export function referenceBinaryGemm({ a, b }: BinaryGemmInputs): Int32Array {
  const k = a.cols;
  const words = Math.ceil(k / 32);
  const mask = lastWordMask(k);
  const out = new Int32Array(a.rows * b.rows);
  for (let m = 0; m < a.rows; m++) {
    for (let n = 0; n < b.rows; n++) out[m * b.rows + n] = k - 2 * xorPopcount(a, m, b, n, words, mask);
  }
  return out;
}

/** popcount(A_m XOR B_n) over `words` words, the last one masked. */
export function xorPopcount(a: PackedBinaryMatrix, m: number, b: PackedBinaryMatrix, n: number, words: number, mask: number): number {
  const pa = m * a.wordsPerRow;
  const pb = n * b.wordsPerRow;
  let s = 0;
  for (let w = 0; w < words - 1; w++) s += popcount32(a.words[pa + w]! ^ b.words[pb + w]!);
  return s + popcount32((a.words[pa + words - 1]! ^ b.words[pb + words - 1]!) & mask);
}
