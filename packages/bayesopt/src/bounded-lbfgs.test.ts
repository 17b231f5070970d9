import { describe, expect, it } from 'vitest';
import { minimizeBounded } from './bounded-lbfgs.ts';

describe('minimizeBounded', () => {
  it('finds the Rosenbrock minimum (1, 1) inside a box (tolerance 1e-4)', () => {
    const r = minimizeBounded(
      (x, g) => {
        const a = x[0]!;
        const b = x[1]!;
        g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
        g[1] = 200 * (b - a * a);
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
      },
      new Float64Array([-1.2, 1]),
      { lower: [-2, -2], upper: [2, 2], maxIterations: 500, gradientTolerance: 1e-9, relativeTolerance: 0 },
    );
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
    expect(r.converged).toBe(true);
  });

  it('stops on an active bound with the right free coordinates', () => {
    // min (x−3)² + (y+1)² on [0, 2] × [−5, 5] → (2, −1)
    const r = minimizeBounded(
      (x, g) => {
        g[0] = 2 * (x[0]! - 3);
        g[1] = 2 * (x[1]! + 1);
        return (x[0]! - 3) ** 2 + (x[1]! + 1) ** 2;
      },
      new Float64Array([0.5, 4]),
      { lower: [0, -5], upper: [2, 5] },
    );
    expect(r.x[0]).toBe(2);
    expect(r.x[1]).toBeCloseTo(-1, 6);
  });

  it('rejects non-finite trial points instead of failing', () => {
    const r = minimizeBounded(
      (x, g) => {
        g[0] = 1 - 1 / x[0]!; // f = x − log x, minimum at x = 1
        return x[0]! > 0 ? -Math.log(x[0]!) + x[0]! : Number.NaN;
      },
      new Float64Array([3]),
      { lower: [-1], upper: [5] },
    );
    expect(r.x[0]).toBeCloseTo(1, 5);
  });
});
