import { describe, expect, it } from 'vitest';
import { scaleBiasTransform, thresholdTransform } from '../output-transform.ts';
import { BACKENDS, registerBoth } from '../test-backends.ts';
import { randomFloats, rng } from '../test-random.ts';
import { applyOutputTransform } from './output-transform.ts';

await registerBoth();

describe.each(BACKENDS)('applyOutputTransform (%s)', (backend) => {
  const rows = 5;
  const cols = 70; // two full 32-channel words and a 6-bit tail; SIMD body plus scalar tail
  const r = rng(3);
  const c = Int32Array.from({ length: rows * cols }, () => Math.floor(r() * 2001) - 1000);
  const scale = randomFloats(cols, 4);
  const bias = randomFloats(cols, 5).map((v) => v * 100);

  it('scale-bias is float32 multiply then float32 add', () => {
    const y = applyOutputTransform(c, rows, cols, scaleBiasTransform(scale, bias), { backend });
    for (let i = 0; i < rows * cols; i++) expect(y[i]).toBe(Math.fround(Math.fround(c[i]! * scale[i % cols]!) + bias[i % cols]!));
  });

  it('threshold bits equal sign(scale·C + bias) in float64, bit 1 = negative', () => {
    const y = applyOutputTransform(c, rows, cols, thresholdTransform(scale, bias), { backend });
    expect(y.wordsPerRow).toBe(3);
    for (let i = 0; i < rows * cols; i++) {
      const [row, j] = [Math.floor(i / cols), i % cols];
      const bit = (y.words[row * 3 + (j >>> 5)]! >>> (j & 31)) & 1;
      expect(bit).toBe(scale[j]! * c[i]! + bias[j]! < 0 ? 1 : 0);
    }
    // padding bits of the last word stay 0
    for (let row = 0; row < rows; row++) expect(y.words[row * 3 + 2]! >>> 6).toBe(0);
  });
});

describe('applyOutputTransform validation', () => {
  it('rejects a transform of the wrong width', () => {
    expect(() => applyOutputTransform(new Int32Array(6), 2, 3, scaleBiasTransform([1, 2], [0, 0]))).toThrow(/one per output channel \(3\)/);
    expect(() => applyOutputTransform(new Int32Array(5), 2, 3, scaleBiasTransform([1, 2, 3], [0, 0, 0]))).toThrow(/c must have 6 elements/);
  });
});
