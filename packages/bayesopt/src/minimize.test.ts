import { describe, expect, it } from 'vitest';
import { maximize, minimize, type ProgressInfo } from './minimize.ts';
import type { OptimizerState } from './optimizer.ts';
import type { Point, SearchSpace } from './space.ts';

const space: SearchSpace = { x: { type: 'continuous', lower: -5, upper: 5 }, y: { type: 'continuous', lower: -5, upper: 5 } };
const bowl = (p: Point): number => ((p['x'] as number) - 1) ** 2 + ((p['y'] as number) + 2) ** 2;
const fast = { candidates: 256, gpRestarts: 2 };

describe('minimize / maximize', () => {
  it('minimises an async objective within the budget and reports progress', async () => {
    const seen: ProgressInfo[] = [];
    const r = await minimize(async (p) => bowl(p), space, { ...fast, budget: 20, seed: 1, onProgress: (i) => void seen.push(i) });
    expect(r.evaluations).toBe(20);
    expect(seen.map((s) => s.evaluations)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(seen[19]!.best!.y).toBe(r.y);
    // A 2-D quadratic bowl: 20 evaluations get within 0.05 of the minimum 0 (loose smoke-test tolerance)
    expect(r.y!).toBeLessThan(0.05);
    expect(r.failures).toBe(0);
  });

  it('maximises, and Paper A-style probes are evaluated first', async () => {
    const calls: number[] = [];
    const r = await maximize(
      ({ ratio }) => {
        calls.push(ratio as number);
        return -(((ratio as number) - 27) ** 2);
      },
      { ratio: { type: 'continuous', lower: 0, upper: 40 } },
      { ...fast, budget: 13, probes: [{ ratio: 0 }, { ratio: 20 }, { ratio: 40 }], initialPoints: 5, acquisition: 'ucb', kappa: 2.576 },
    );
    expect(calls.slice(0, 3)).toEqual([0, 20, 40]);
    expect(Math.abs((r.x!['ratio'] as number) - 27)).toBeLessThan(1);
  });

  it('records throwing and non-finite objectives as failures and keeps going', async () => {
    let n = 0;
    const r = await minimize(
      (p) => {
        n++;
        if (n % 4 === 1) throw new Error(`boom ${n}`);
        if (n % 4 === 2) return Number.NaN;
        return bowl(p);
      },
      space,
      { ...fast, budget: 16, seed: 2 },
    );
    expect(r.evaluations).toBe(16);
    expect(r.failures).toBe(8);
    expect(r.observations[0]).toMatchObject({ status: 'failed', error: 'boom 1', y: null });
    expect(r.observations[1]).toMatchObject({ status: 'failed', error: 'non-finite objective value NaN' });
    expect(Number.isFinite(r.y!)).toBe(true);
  });

  it('resumes from a checkpoint exactly like an uninterrupted run, also with batches', async () => {
    const full = await minimize(bowl, space, { ...fast, budget: 14, seed: 9, batchSize: 2 });
    let checkpoint: OptimizerState | undefined;
    await minimize(bowl, space, {
      ...fast,
      budget: 8,
      seed: 9,
      batchSize: 2,
      onProgress: (i) => {
        if (i.evaluations === 8) checkpoint = JSON.parse(JSON.stringify(i.state())) as OptimizerState;
      },
    });
    const resumed = await minimize(bowl, space, { budget: 14, batchSize: 2, state: checkpoint! });
    expect(resumed.observations).toEqual(full.observations);
  });

  it('throws RangeError naming the argument and value', () => {
    expect(() => minimize(bowl, space, { budget: 0 })).toThrow(/^minimize: budget must be an integer ≥ 1, got 0$/);
    expect(() => maximize(bowl, space, { budget: 2.5 })).toThrow(/^maximize: budget must be an integer ≥ 1, got 2.5$/);
    expect(() => minimize(bowl, { x: { type: 'continuous', lower: 3, upper: 3 } }, { budget: 5 })).toThrow(
      /^minimize: space\.x\.lower must be < upper, got lower=3, upper=3$/,
    );
    expect(() => minimize(bowl, { c: { type: 'categorical', choices: [] } }, { budget: 5 })).toThrow(/^minimize: space\.c\.choices must be a non-empty array/);
    expect(() => minimize(bowl, space, { budget: 5, batchSize: 0 })).toThrow(/^minimize: batchSize must be an integer ≥ 1, got 0$/);
  });
});
