import { describe, expect, it } from 'vitest';
import { kernelTerms } from './kernel.ts';

describe('kernelTerms', () => {
  it('evaluates Matern-5/2 and RBF at known distances (tolerance 1e-15)', () => {
    const t = { k: 0, g: 0 };
    expect(kernelTerms('matern52', 0, t)).toEqual({ k: 1, g: 5 / 3 });
    // Matern-5/2 at r = 1: (1 + √5 + 5/3)·e^(−√5) = 0.5239941088318203 (Rasmussen & Williams eq. 4.17, evaluated in CPython)
    expect(kernelTerms('matern52', 1, t).k).toBeCloseTo(0.5239941088318203, 15);
    // RBF at r² = 1: e^(−1/2)
    expect(kernelTerms('rbf', 1, t).k).toBeCloseTo(Math.exp(-0.5), 15);
  });

  it('has ∂k/∂x = −g·Δ/ℓ² (central differences in 1-D, relative tolerance 1e-6)', () => {
    for (const kernel of ['matern52', 'rbf'] as const) {
      for (const delta of [0.05, 0.4, 1.7]) {
        const t = { k: 0, g: 0 };
        const e = 1e-6;
        const fd = (kernelTerms(kernel, (delta + e) ** 2, { k: 0, g: 0 }).k - kernelTerms(kernel, (delta - e) ** 2, { k: 0, g: 0 }).k) / (2 * e);
        const analytic = -kernelTerms(kernel, delta * delta, t).g * delta;
        expect(Math.abs(fd - analytic) / Math.abs(analytic)).toBeLessThan(1e-6);
      }
    }
  });
});
