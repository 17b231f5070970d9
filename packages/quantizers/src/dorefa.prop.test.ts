import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { quantizeDoReFaActivations, quantizeDoReFaWeights } from './dorefa.ts';

const bits = fc.integer({ min: 1, max: 8 });
const arr = fc.float32Array({ minLength: 1, maxLength: 256, noNaN: true, noDefaultInfinity: true, min: -20, max: 20 });

test.prop([bits, arr])('weights: exactly 2^k ascending levels in [−1, 1], values on the table', (k, w) => {
  const q = quantizeDoReFaWeights(w, { bits: k });
  expect(q.levelCount).toBe(2 ** k);
  expect(q.levels[0]).toBe(-1);
  expect(q.levels[q.levelCount - 1]).toBe(1);
  for (let c = 1; c < q.levelCount; c++) expect(q.levels[c]!).toBeGreaterThan(q.levels[c - 1]!);
  for (let i = 0; i < w.length; i++) expect(q.values[i]).toBe(q.levels[q.codes[i]!]);
});

test.prop([bits, arr])('weights are odd, Q(−w) = −Q(w), away from rounding ties', (k, w) => {
  const n = 2 ** k - 1;
  let max = 0;
  for (const v of w) max = Math.max(max, Math.abs(Math.tanh(v)));
  // skip inputs whose n·u lies within 1e-4 of a .5 tie: float32 rounding may break the symmetry there
  const nearTie = Array.from(w).some((v) => {
    const t = (n * (Math.tanh(v) / (2 * (max || 1)) + 0.5)) % 1;
    return Math.abs(t - 0.5) < 1e-4;
  });
  fc.pre(!nearTie);
  const a = quantizeDoReFaWeights(w, { bits: k }).values;
  const b = quantizeDoReFaWeights(w.map((v) => -v), { bits: k }).values;
  for (let i = 0; i < w.length; i++) expect(b[i]! + a[i]!).toBe(0);
});

test.prop([bits, arr])('clip activations: idempotent; error ≤ step/2 inside [0, 1]', (k, x) => {
  const q = quantizeDoReFaActivations(x, { bits: k });
  expect(quantizeDoReFaActivations(q.values, { bits: k }).values).toEqual(q.values);
  const half = 1 / (2 * (2 ** k - 1));
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v >= 0 && v <= 1) expect(Math.abs(q.values[i]! - v)).toBeLessThanOrEqual(half * (1 + 1e-6));
  }
  expect(q.levelCount).toBe(2 ** k);
});

test.prop([bits, arr, fc.float({ min: Math.fround(0.05), max: 20, noNaN: true })])('clip activations with α: levels α·c/n; equals α·q(x/α) of α = 1', (k, x, alpha) => {
  const q = quantizeDoReFaActivations(x, { bits: k, clipValue: alpha });
  const unit = quantizeDoReFaActivations(x.map((v) => v / alpha), { bits: k }); // the same float32 x/α the quantizer computes
  expect(Array.from(q.codes)).toEqual(Array.from(unit.codes));
  for (let i = 0; i < x.length; i++) expect(q.values[i]).toBe(Math.fround(unit.values[i]! * alpha));
  expect(q.levels[q.levels.length - 1]).toBe(alpha);
});

test.prop([fc.integer({ min: 1, max: 4 }), arr])('tanh activations = the weight formula', (k, x) => {
  expect(quantizeDoReFaActivations(x, { bits: k, variant: 'tanh' }).values).toEqual(quantizeDoReFaWeights(x, { bits: k }).values);
});
