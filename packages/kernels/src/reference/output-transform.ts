import type { PackedBinaryMatrix } from '@quantprune/formats';
import type { OutputTransformInputs } from '../kernel-names.ts';

/**
 * Reference `OutputTransform`: `fround(fround(C·scale) + bias)` per element (bit-identical to float32 math),
 * or the threshold bits `(C < threshold) XOR flip` packed 32 per word (rows of ⌈cols/32⌉ words).
 *
 * @param inputs - int32 results, their shape and the transform
 * @returns float32 values or packed bits
 */
export function referenceOutputTransform({ c, rows, cols, transform }: OutputTransformInputs): Float32Array | PackedBinaryMatrix {
  if (transform.kind === 'scale-bias') {
    const out = new Float32Array(rows * cols);
    for (let i = 0; i < rows * cols; i++) {
      const j = i % cols;
      out[i] = Math.fround(Math.fround(c[i]! * transform.scale[j]!) + transform.bias[j]!);
    }
    return out;
  }
  const wordsPerRow = Math.ceil(cols / 32);
  const words = new Uint32Array(rows * wordsPerRow);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const bit = c[r * cols + j]! < transform.threshold[j]! !== (transform.flip[j] !== 0);
      if (bit) words[r * wordsPerRow + (j >>> 5)]! |= 1 << (j & 31);
    }
  }
  return { words, rows, cols, wordsPerRow };
}
