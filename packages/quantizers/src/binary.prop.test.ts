import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { quantizeBinary } from './binary.ts';
import { quantizeXnorWeights } from './xnor.ts';

const arr = fc.float32Array({ minLength: 1, maxLength: 256, noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
const negate = (x: Float32Array): Float32Array => x.map((v) => -v);

test.prop([arr])('binary: idempotent, 2 levels (sign(0)=+1), values on the table', (x) => {
  const q = quantizeBinary(x);
  expect(quantizeBinary(q.values).values).toEqual(q.values);
  expect(q.levelCount).toBe(2 ** q.bits);
  for (let i = 0; i < x.length; i++) expect(q.values[i]).toBe(q.levels[q.codes[i]!]);
});

test.prop([arr])('binary sign(0)=0 is odd: Q(−x) = −Q(x)', (x) => {
  const a = quantizeBinary(x, { signOfZero: 0 }).values;
  const b = quantizeBinary(negate(x), { signOfZero: 0 }).values;
  for (let i = 0; i < x.length; i++) expect(b[i]! + a[i]!).toBe(0);
});

test.prop([fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 32 }), fc.integer({ min: 0, max: 1000 })])(
  'xnor per channel: idempotent with sign(0)=+1, odd with sign(0)=0',
  (channels, perChannel, seed) => {
    const x = new Float32Array(channels * perChannel).map((_, i) => Math.fround(Math.sin(seed + i * 12.9898) * 3));
    const plus = { shape: [channels, perChannel], axis: 0 };
    const p = quantizeXnorWeights(x, plus);
    expect(quantizeXnorWeights(p.values, plus).values).toEqual(p.values);
    // (with sign(0)=0 zeros lower the next mean|w|, so idempotence needs sign(0)=+1)
    const opts = { ...plus, signOfZero: 0 as const };
    const q = quantizeXnorWeights(x, opts);
    const neg = quantizeXnorWeights(negate(x), opts).values;
    for (let i = 0; i < x.length; i++) expect(neg[i]! + q.values[i]!).toBe(0);
  },
);
