// Test helper (excluded from the build): fast-check arbitraries shared by the convolution property tests.
import { fc } from '@fast-check/vitest';
import type { Conv2dOptions } from './conv-geometry.ts';

/**
 * Random convolution geometries: batch 1–2, height and width 1–`maxSize`, 1–`maxChannels` input and 1–9 output
 * channels, 1×1/1×3/3×1/3×3 kernels, strides 1–2, padding 0–2 (only geometries with at least one output), and a
 * padding value drawn from `padValues`.
 */
export function convGeometries(maxSize: number, maxChannels: number, padValues: readonly (0 | 1)[]): fc.Arbitrary<Conv2dOptions> {
  return fc
    .record({
      batch: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 1, max: maxSize }),
      w: fc.integer({ min: 1, max: maxSize }),
      c: fc.integer({ min: 1, max: maxChannels }),
      o: fc.integer({ min: 1, max: 9 }),
      kh: fc.constantFrom(1, 3),
      kw: fc.constantFrom(1, 3),
      sh: fc.integer({ min: 1, max: 2 }),
      sw: fc.integer({ min: 1, max: 2 }),
      ph: fc.integer({ min: 0, max: 2 }),
      pw: fc.integer({ min: 0, max: 2 }),
      padValue: fc.constantFrom(...padValues),
    })
    .filter((r) => r.h + 2 * r.ph >= r.kh && r.w + 2 * r.pw >= r.kw)
    .map(
      (r): Conv2dOptions => ({
        inputShape: [r.batch, r.h, r.w, r.c],
        outChannels: r.o,
        kernelSize: [r.kh, r.kw],
        strides: [r.sh, r.sw],
        padding: [r.ph, r.pw],
        padValue: r.padValue,
      }),
    );
}
