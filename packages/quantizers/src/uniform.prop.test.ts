import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { dequantize, dequantizeLinear } from './dequantize.ts';
import { calibrateUniform, quantizeUniform } from './uniform.ts';

const bits = fc.integer({ min: 2, max: 8 });
const scheme = fc.constantFrom('affine' as const, 'symmetric' as const);
const arr = fc.float32Array({ minLength: 1, maxLength: 200, noNaN: true, noDefaultInfinity: true, min: -1000, max: 1000 });

test.prop([bits, scheme, fc.constantFrom('minmax' as const, 'mse' as const), arr])(
  'exactly 2^k levels; dequantize(codes) = values; error ≤ scale/2 inside the range',
  (k, s, calibration, x) => {
    const q = quantizeUniform(x, { bits: k, scheme: s, calibration, mseSearch: { steps: 11 } });
    expect(q.levelCount).toBe(2 ** k);
    expect(dequantize(q)).toEqual(q.values);
    expect(dequantizeLinear(q.intCodes, q.scale, q.zeroPoint)).toEqual(q.values);
    const scale = q.scale[0]!;
    const lo = (q.qmin - q.zeroPoint[0]!) * scale;
    const hi = (q.qmax - q.zeroPoint[0]!) * scale;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      // float32 tolerance: x/scale is rounded once before rounding to an integer
      if (v >= lo && v <= hi) expect(Math.abs(q.values[i]! - v)).toBeLessThanOrEqual(scale / 2 + Math.abs(v) * 2 ** -23);
    }
  },
);

test.prop([bits, scheme, arr])('idempotent with fixed parameters: Q(Q(x)) = Q(x)', (k, s, x) => {
  const params = calibrateUniform(x, { bits: k, scheme: s });
  const q = quantizeUniform(x, { bits: k, scheme: s, params });
  expect(quantizeUniform(q.values, { bits: k, scheme: s, params }).values).toEqual(q.values);
});

test.prop([bits, arr])('narrow symmetric is odd: Q(−x) = −Q(x), 2^k − 1 levels', (k, x) => {
  const params = calibrateUniform(x, { bits: k, scheme: 'symmetric', narrow: true });
  const opts = { bits: k, scheme: 'symmetric' as const, narrow: true, params };
  const a = quantizeUniform(x, opts);
  const b = quantizeUniform(x.map((v) => -v), opts).values;
  expect(a.levelCount).toBe(2 ** k - 1);
  for (let i = 0; i < x.length; i++) expect(b[i]! + a.values[i]!).toBe(0);
});

test.prop([fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 20 }), fc.integer()])(
  'per channel (axis 0 and −1): each channel quantized like a tensor of its own',
  (channels, per, seed) => {
    const x = new Float32Array(channels * per).map((_, i) => Math.fround(Math.sin(seed + i * 7.77) * (1 + (i % channels))));
    const q = quantizeUniform(x, { bits: 4, shape: [per, channels], axis: -1 });
    for (let c = 0; c < channels; c++) {
      const column = new Float32Array(per).map((_, r) => x[r * channels + c]!);
      const alone = quantizeUniform(column, { bits: 4 });
      for (let r = 0; r < per; r++) expect(q.values[r * channels + c]).toBe(alone.values[r]);
    }
  },
);
