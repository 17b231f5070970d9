import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { quantizeAdmmLevels } from './admm-levels.ts';
import { lsqBounds, lsqGradients, quantizeLsq } from './lsq.ts';

const arr = fc.float32Array({ minLength: 1, maxLength: 200, noNaN: true, noDefaultInfinity: true, min: -100, max: 100 });
const step = fc.float({ min: Math.fround(0.01), max: 10, noNaN: true });

test.prop([fc.integer({ min: 2, max: 8 }), fc.boolean(), step, arr])(
  'lsq: idempotent, 2^b levels, error ≤ s/2 inside the range, dx gate matches',
  (b, signed, s, x) => {
    const q = quantizeLsq(x, s, { bits: b, signed });
    expect(quantizeLsq(q.values, s, { bits: b, signed }).values).toEqual(q.values);
    expect(q.levelCount).toBe(2 ** b);
    const { qn, qp } = lsqBounds(b, signed);
    const { dx } = lsqGradients(x, s, new Float32Array(x.length).fill(1), { bits: b, signed });
    for (let i = 0; i < x.length; i++) {
      const t = Math.fround(x[i]! / Math.fround(s));
      const inside = t >= -qn && t <= qp;
      expect(dx[i]).toBe(inside ? 1 : 0);
      if (inside) expect(Math.abs(q.values[i]! - x[i]!)).toBeLessThanOrEqual(Math.fround(s) / 2 + Math.abs(x[i]!) * 2 ** -22);
    }
  },
);

test.prop([fc.integer({ min: 1, max: 16 }), step, arr])('Paper B levels: idempotent and odd, zeros stay zero', (c, q, w) => {
  const a = quantizeAdmmLevels(w, { clusters: c, step: q });
  expect(quantizeAdmmLevels(a.values, { clusters: c, step: q }).values).toEqual(a.values);
  const b = quantizeAdmmLevels(w.map((v) => -v), { clusters: c, step: q }).values;
  for (let i = 0; i < w.length; i++) {
    expect(b[i]! + a.values[i]!).toBe(0);
    if (w[i] === 0) expect(a.values[i]).toBe(0);
  }
  expect(a.levelCount).toBe(2 * c + 1);
});
