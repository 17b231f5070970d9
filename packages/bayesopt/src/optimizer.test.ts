import { describe, expect, it } from 'vitest';
import { BayesianOptimizer, type OptimizerOptions } from './optimizer.ts';
import type { Point, SearchSpace } from './space.ts';

const space: SearchSpace = {
  x: { type: 'continuous', lower: -5, upper: 10 },
  y: { type: 'continuous', lower: 0, upper: 15 },
};
const branin = (p: Point): number => {
  const x = p['x'] as number;
  const y = p['y'] as number;
  return (y - (5.1 / (4 * Math.PI ** 2)) * x * x + (5 / Math.PI) * x - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x) + 10;
};
// Small candidate sets keep the unit tests fast; the benchmarks use the defaults.
const fast: OptimizerOptions = { candidates: 256, gpRestarts: 2 };

function run(opt: BayesianOptimizer, n: number, f = branin): void {
  for (let i = 0; i < n; i++) {
    const p = opt.ask();
    opt.tell(p, f(p));
  }
}

describe('BayesianOptimizer', () => {
  it('is deterministic for a given seed', () => {
    const a = new BayesianOptimizer(space, { ...fast, seed: 11 });
    const b = new BayesianOptimizer(space, { ...fast, seed: 11 });
    run(a, 12);
    run(b, 12);
    expect(b.observations).toEqual(a.observations);
    const c = new BayesianOptimizer(space, { ...fast, seed: 12 });
    run(c, 3);
    expect(c.observations.slice(0, 3)).not.toEqual(a.observations.slice(0, 3));
  });

  it('resumes from JSON with the same next suggestions as an uninterrupted run', () => {
    const a = new BayesianOptimizer(space, { ...fast, seed: 5 });
    run(a, 10);
    a.ask(); // a pending point and a fitted model are part of the state too
    const saved = JSON.parse(JSON.stringify(a)) as ReturnType<BayesianOptimizer['toJSON']>;
    const b = BayesianOptimizer.fromState(saved);
    expect(b.ask(2)).toEqual(a.ask(2));
    const p = a.pending[0]!;
    a.tell(p, branin(p));
    b.tell(p, branin(p));
    expect(b.ask()).toEqual(a.ask());
  });

  it('suggests probes first, then the initial design, then model-based points that improve', () => {
    const probes = [{ x: 0, y: 0 }, { x: 10, y: 15 }];
    const opt = new BayesianOptimizer(space, { ...fast, seed: 1, probes, initialPoints: 4 });
    expect(opt.ask()).toEqual(probes[0]);
    expect(opt.ask()).toEqual(probes[1]);
    for (const p of [...opt.pending]) opt.tell(p, branin(p));
    run(opt, 4);
    const afterDesign = opt.best()!.y!;
    run(opt, 14);
    expect(opt.best()!.y!).toBeLessThan(afterDesign);
    // 20 evaluations reach the Branin basin (optimum 0.397887); loose tolerance, this is a smoke test
    expect(opt.best()!.y!).toBeLessThan(1);
  });

  it('records failed evaluations and keeps them out of the GP as raw values (failure policy)', () => {
    const opt = new BayesianOptimizer(space, { ...fast, seed: 3 });
    for (let i = 0; i < 12; i++) {
      const p = opt.ask();
      // Every third evaluation fails: NaN, +Infinity or an explicit failure.
      if (i % 3 === 0) opt.tell(p, Number.NaN);
      else if (i % 3 === 1) opt.tell(p, Number.POSITIVE_INFINITY);
      else opt.tellFailure(p, new Error('simulator crashed'));
    }
    run(opt, 8);
    const failed = opt.observations.filter((o) => o.status === 'failed');
    expect(failed).toHaveLength(12);
    expect(failed[0]).toMatchObject({ y: null, status: 'failed', error: 'non-finite objective value NaN' });
    expect(failed[2]).toMatchObject({ error: 'simulator crashed' });
    // The model only ever saw finite values: its hyper-parameters and predictions are finite.
    const next = opt.ask();
    expect(Number.isFinite(next['x'] as number)).toBe(true);
    const gp = opt.model!;
    expect(Number.isFinite(gp.logMarginalLikelihood)).toBe(true);
    expect(gp.size).toBe(20); // 'worst' policy: 8 successes + 12 failures imputed with the worst success
    expect(JSON.parse(JSON.stringify(opt.toJSON())).observations[0].y).toBeNull();

    const ignoring = new BayesianOptimizer(space, { ...fast, seed: 3, failurePolicy: 'ignore' });
    for (let k = 0; k < 4; k++) ignoring.tell(ignoring.ask(), Number.NaN);
    run(ignoring, 8);
    ignoring.ask();
    expect(ignoring.model!.size).toBe(8);
  });

  it('restarts with a fresh design once a basin has converged, keeps the overall best, and resumes across it', () => {
    const bowl: SearchSpace = { x: { type: 'continuous', lower: 0, upper: 1 }, y: { type: 'continuous', lower: 0, upper: 1 } };
    const f = (p: Point): number => ((p['x'] as number) - 0.3) ** 2 + ((p['y'] as number) - 0.6) ** 2;
    const opt = new BayesianOptimizer(bowl, { ...fast, seed: 3, restartPatience: 5 });
    let restartAt = -1;
    let bestBefore = Number.POSITIVE_INFINITY;
    let saved: ReturnType<BayesianOptimizer['toJSON']> | undefined;
    for (let i = 0; i < 40 && restartAt < 0; i++) {
      const p = opt.ask();
      if ((opt.toJSON().epochStart ?? 0) > 0) {
        restartAt = i;
        // The first point of the new epoch is a design point, not a refinement of the incumbent.
        expect(Math.hypot((p['x'] as number) - 0.3, (p['y'] as number) - 0.6)).toBeGreaterThan(0.01);
      } else bestBefore = Math.min(bestBefore, opt.best()?.y ?? Number.POSITIVE_INFINITY);
      opt.tell(p, f(p));
      if (restartAt >= 0) saved = JSON.parse(JSON.stringify(opt)) as ReturnType<BayesianOptimizer['toJSON']>;
    }
    // The bowl is converged well before the restart (to 1e-6 of its minimum 0).
    expect(restartAt).toBeGreaterThan(opt.options.initialPoints);
    expect(bestBefore).toBeLessThan(1e-6);
    expect(saved!.epochStart).toBe(restartAt);
    run(opt, 10, f);
    expect(opt.best()!.y).toBeLessThanOrEqual(bestBefore);
    // Resume from the state saved just after the restart: the same suggestions follow.
    const resumed = BayesianOptimizer.fromState(saved!);
    run(resumed, 10, f);
    expect(resumed.observations).toEqual(opt.observations);

    // restartPatience: 0 never restarts; a state saved before restarts existed (no epochStart) still loads.
    const never = new BayesianOptimizer(bowl, { ...fast, seed: 3, restartPatience: 0 });
    run(never, restartAt + 5, f);
    expect(never.toJSON().epochStart).toBe(0);
    const { epochStart: _, ...legacy } = never.toJSON();
    expect(BayesianOptimizer.fromState(legacy).ask()).toEqual(never.ask());
  });

  it('takes ε-greedy exploration steps when asked to', () => {
    const opt = new BayesianOptimizer(space, { ...fast, seed: 8, exploration: 1 });
    run(opt, 10);
    const seen = new Set(opt.observations.map((o) => JSON.stringify(o.x)));
    expect(seen.size).toBe(10);
  });

  it('returns distinct valid batches for parallel evaluation', () => {
    for (const batchStrategy of ['kriging-believer', 'constant-liar'] as const) {
      const opt = new BayesianOptimizer(space, { ...fast, seed: 2, batchStrategy });
      run(opt, 8);
      const batch = opt.ask(4);
      expect(batch).toHaveLength(4);
      expect(new Set(batch.map((p) => JSON.stringify(p))).size).toBe(4);
      expect(opt.pending).toHaveLength(4);
      for (const p of batch) opt.tell(p, branin(p));
      expect(opt.pending).toHaveLength(0);
    }
  });

  it('handles integer, categorical and log-scale dimensions and maximisation', () => {
    const mixed: SearchSpace = {
      lr: { type: 'continuous', lower: 1e-4, upper: 1, log: true },
      width: { type: 'integer', lower: 1, upper: 8 },
      act: { type: 'categorical', choices: ['relu', 'gelu', 'tanh'] },
    };
    const score = (p: Point): number =>
      -((Math.log10(p['lr'] as number) + 2) ** 2) - 0.1 * ((p['width'] as number) - 5) ** 2 + (p['act'] === 'gelu' ? 1 : 0);
    const opt = new BayesianOptimizer(mixed, { ...fast, seed: 4, direction: 'maximize' });
    run(opt, 25, score);
    for (const o of opt.observations) expect(opt.encoding.checkPoint(o.x, 'test')).toEqual(o.x);
    const best = opt.best()!;
    expect(best.x['act']).toBe('gelu');
    expect(best.y!).toBeGreaterThan(0.5);
  });

  it('throws RangeError naming the argument and value', () => {
    expect(() => new BayesianOptimizer({ x: { type: 'continuous', lower: 2, upper: 1 } })).toThrow(
      /^BayesianOptimizer: space\.x\.lower must be < upper, got lower=2, upper=1$/,
    );
    expect(() => new BayesianOptimizer({ c: { type: 'categorical', choices: [] } })).toThrow(RangeError);
    expect(() => new BayesianOptimizer(space, { initialPoints: -1 })).toThrow(/^BayesianOptimizer: options\.initialPoints must be an integer ≥ 0, got -1$/);
    expect(() => new BayesianOptimizer(space, { acquisition: 'foo' as 'ei' })).toThrow(/^BayesianOptimizer: options\.acquisition must be one of ei, ucb, pi, got foo$/);
    expect(() => new BayesianOptimizer(space, { probes: [{ x: 20, y: 0 }] })).toThrow(/^BayesianOptimizer: options\.probes\[0\]: x must be a number in \[-5, 10\], got 20$/);
    expect(() => new BayesianOptimizer(space, { restartPatience: 1.5 })).toThrow(/^BayesianOptimizer: options\.restartPatience must be an integer ≥ 0, got 1\.5$/);
    expect(() => new BayesianOptimizer(space, { gpPrior: { lengthscale: { shape: 0, rate: 1 }, signalVariance: null, noiseVariance: null } })).toThrow(
      /^BayesianOptimizer: options\.gpPrior\.lengthscale must be null or \{ shape > 0, rate ≥ 0 \}, got \{"shape":0,"rate":1\}$/,
    );
    expect(() => new BayesianOptimizer(space, { exploration: 2 })).toThrow(/^BayesianOptimizer: options\.exploration must be a number in \[0, 1\], got 2$/);
    expect(() => new BayesianOptimizer(space, { gpBounds: { lengthscale: [0, 1], signalVariance: [1, 2], noiseVariance: [1e-6, 1], mean: [0, 0] } })).toThrow(
      /^BayesianOptimizer: options\.gpBounds\.lengthscale must be \[lower, upper\] with 0 < lower ≤ upper, got \[0,1\]$/,
    );
    const opt = new BayesianOptimizer(space);
    expect(() => opt.ask(0)).toThrow(/^BayesianOptimizer\.ask: q must be an integer ≥ 1, got 0$/);
    expect(() => opt.tell({ x: 0 }, 1)).toThrow(/^BayesianOptimizer\.tell: y must be a number in \[0, 15\], got undefined$/);
    expect(() => BayesianOptimizer.fromState({} as never)).toThrow(/^BayesianOptimizer\.fromState:/);
  });
});
