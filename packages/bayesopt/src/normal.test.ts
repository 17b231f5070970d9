import { describe, expect, it } from 'vitest';
import { logH, logNormalCdf, normalCdf } from './normal.ts';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('normalCdf', () => {
  it('is accurate in the body and the far lower tail (relative tolerance 1e-12)', () => {
    // Reference values: Φ(z) = ½·erfc(−z/√2) from CPython 3 math.erfc (agrees to ~1e-14 relative)
    expect(rel(normalCdf(-3), 1.3498980316300957e-3)).toBeLessThan(1e-12);
    expect(rel(normalCdf(-5), 2.866515718791946e-7)).toBeLessThan(1e-12);
    expect(rel(normalCdf(-10), 7.619853024160593e-24)).toBeLessThan(1e-12);
    expect(rel(normalCdf(1), 0.8413447460685429)).toBeLessThan(1e-12);
    expect(normalCdf(0)).toBe(0.5);
  });

  it('log Φ stays finite where Φ underflows', () => {
    // log Φ(−40) ≈ −800 − log 40 − ½ log 2π − log(1 − 1/40² + …) = −804.6084420137538 (asymptotic Mills ratio)
    expect(logNormalCdf(-40)).toBeCloseTo(-804.6084420137538, 6);
  });
});

describe('logH (log expected improvement of a unit normal)', () => {
  it('matches the closed form where it is representable (relative tolerance 1e-10)', () => {
    for (const z of [2, 0.5, 0, -1, -2.5, -3.5, -6, -9]) {
      const direct = Math.log(Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) + z * normalCdf(z));
      // Cancellation in the direct form costs ~z² relative digits, so compare loosely for very negative z.
      expect(Math.abs(logH(z).value - direct)).toBeLessThan(z < -5 ? 1e-8 : 1e-10);
    }
    // h(0) = φ(0): log = −½ log 2π (exact identity)
    expect(logH(0).value).toBeCloseTo(-0.5 * Math.log(2 * Math.PI), 14);
  });

  it('is continuous across its branch points and finite far out', () => {
    for (const z of [-3, -10]) {
      expect(Math.abs(logH(z - 1e-9).value - logH(z + 1e-9).value)).toBeLessThan(1e-7);
    }
    // h(−40) ≈ φ(40)/40²·(1 − 3/40² + …): log ≈ −808.2985683566 (asymptotic series)
    expect(logH(-40).value).toBeCloseTo(-808.2985683566, 6);
    expect(Number.isFinite(logH(-1e4).value)).toBe(true);
  });

  it('has the derivative Φ(z)/h(z) (central differences, relative tolerance 1e-6)', () => {
    for (const z of [1, 0, -2, -4, -8, -12, -30]) {
      const e = 1e-5;
      const fd = (logH(z + e).value - logH(z - e).value) / (2 * e);
      expect(rel(logH(z).derivative, fd)).toBeLessThan(1e-6);
    }
  });
});
