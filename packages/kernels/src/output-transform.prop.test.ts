import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { thresholdTransform } from './output-transform.ts';

const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });

test.prop([finite, finite, fc.array(fc.integer({ min: -(2 ** 20), max: 2 ** 20 }), { minLength: 1, maxLength: 20 })])(
  'thresholdTransform: (C < T) XOR flip = (scale·C + bias < 0) for any C',
  (scale, bias, cs) => {
    const t = thresholdTransform([scale], [bias]);
    const near = Number.isFinite(-bias / scale) ? Math.round(-bias / scale) : 0;
    const int32 = (c: number): boolean => c >= -(2 ** 31) && c < 2 ** 31;
    for (const c of [...cs, near - 1, near, near + 1].filter(int32)) {
      expect(c < t.threshold[0]! !== (t.flip[0] !== 0)).toBe(scale * c + bias < 0);
    }
  },
);
