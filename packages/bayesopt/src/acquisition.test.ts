import { describe, expect, it } from 'vitest';
import { acquisitionValue } from './acquisition.ts';
import { normalCdf, normalPdf } from './normal.ts';

describe('acquisitionValue', () => {
  it('log-EI equals log of the textbook EI where EI is representable (tolerance 1e-10)', () => {
    // EI = (best − μ)Φ(z) + σφ(z), z = (best − μ)/σ (Jones, Schonlau & Welch 1998, eq. 15)
    for (const [mu, sd, best] of [[0, 1, 0], [1, 0.5, 0.2], [-0.3, 2, 0], [2, 0.3, 0]] as const) {
      const z = (best - mu) / sd;
      const ei = (best - mu) * normalCdf(z) + sd * normalPdf(z);
      expect(acquisitionValue('ei', mu, sd, best, 0, 0)).toBeCloseTo(Math.log(ei), 10);
    }
  });

  it('ranks points where EI underflows to zero', () => {
    const far = acquisitionValue('ei', 60, 1, 0, 0, 0);
    const farther = acquisitionValue('ei', 70, 1, 0, 0, 0);
    expect(Number.isFinite(far)).toBe(true);
    expect(far).toBeGreaterThan(farther);
  });

  it('UCB is κσ − μ and PI is log Φ(z)', () => {
    expect(acquisitionValue('ucb', 1, 2, 0, 2.576, 0)).toBeCloseTo(2.576 * 2 - 1, 14);
    expect(acquisitionValue('pi', 0, 1, 1, 0, 0)).toBeCloseTo(Math.log(normalCdf(1)), 14);
  });

  it('returns derivatives in μ and σ that match central differences (relative tolerance 1e-6)', () => {
    for (const kind of ['ei', 'pi', 'ucb'] as const) {
      for (const [mu, sd] of [[0.2, 0.7], [3, 0.2], [-1, 1.5]] as const) {
        const g = { dMean: 0, dSd: 0 };
        acquisitionValue(kind, mu, sd, 0, 2, 0.01, g);
        const h = 1e-6;
        const dm = (acquisitionValue(kind, mu + h, sd, 0, 2, 0.01) - acquisitionValue(kind, mu - h, sd, 0, 2, 0.01)) / (2 * h);
        const ds = (acquisitionValue(kind, mu, sd + h, 0, 2, 0.01) - acquisitionValue(kind, mu, sd - h, 0, 2, 0.01)) / (2 * h);
        expect(Math.abs(dm - g.dMean)).toBeLessThan(1e-6 * Math.max(1, Math.abs(dm)));
        expect(Math.abs(ds - g.dSd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(ds)));
      }
    }
  });
});
