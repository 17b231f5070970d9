// The convenience loop around BayesianOptimizer: ask, evaluate (possibly in parallel batches), tell, report
// progress, until the evaluation budget is spent. Failures of the objective are recorded, never thrown.
import { BayesianOptimizer, type Observation, type OptimizerOptions, type OptimizerState } from './optimizer.ts';
import type { Point, SearchSpace } from './space.ts';

/** An objective: a number (or a promise of one) for a point. Throwing or returning NaN/±Infinity marks a failure. */
export type Objective = (x: Point) => number | Promise<number>;

/** What `onProgress` receives after every evaluation. */
export interface ProgressInfo {
  /** Evaluations done so far (including restored ones). */
  readonly evaluations: number;
  /** The total budget. */
  readonly budget: number;
  /** The observation just recorded. */
  readonly observation: Observation;
  /** Best successful observation so far, if any. */
  readonly best: Observation | undefined;
  /** Milliseconds since this call started. */
  readonly elapsedMs: number;
  /** The optimiser's JSON state now, for checkpoints (computed on demand). */
  readonly state: () => OptimizerState;
}

/** Options of {@link minimize} and {@link maximize}. */
export interface MinimizeOptions extends Omit<OptimizerOptions, 'direction'> {
  /** Total number of objective evaluations, including probes, the initial design and restored ones. */
  readonly budget: number;
  /** Points evaluated concurrently per round (`ask(q)`). @default 1 */
  readonly batchSize?: number | undefined;
  /** Resume from a state saved by a previous run (its space and options are used; `space` must match). */
  readonly state?: OptimizerState | undefined;
  /** Called after every evaluation; may return a promise (awaited), e.g. to write a checkpoint. */
  readonly onProgress?: ((info: ProgressInfo) => void | Promise<void>) | undefined;
}

/** Result of {@link minimize} and {@link maximize}. */
export interface MinimizeResult {
  /** Best point found, undefined if every evaluation failed. */
  readonly x: Point | undefined;
  /** Objective value at `x`, undefined if every evaluation failed. */
  readonly y: number | undefined;
  /** Evaluations performed in total (including restored ones). */
  readonly evaluations: number;
  /** How many of them failed. */
  readonly failures: number;
  /** Every observation in order. */
  readonly observations: readonly Observation[];
  /** Final state, resumable with a larger budget. */
  readonly state: OptimizerState;
}

/** Validates synchronously (so bad arguments throw, not reject) and returns the optimisation loop. */
function run(caller: 'minimize' | 'maximize', fn: Objective, space: SearchSpace, options: MinimizeOptions): Promise<MinimizeResult> {
  if (typeof fn !== 'function') throw new TypeError(`${caller}: fn must be a function, got ${typeof fn}`);
  if (options === null || typeof options !== 'object') throw new TypeError(`${caller}: options must be an object with a budget, got ${String(options)}`);
  const { budget, batchSize = 1, state, onProgress, ...rest } = options;
  if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1) {
    throw new RangeError(`${caller}: budget must be an integer ≥ 1, got ${String(budget)}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`${caller}: batchSize must be an integer ≥ 1, got ${batchSize}`);
  const direction = caller === 'minimize' ? 'minimize' : 'maximize';
  let opt: BayesianOptimizer;
  if (state) {
    if (state.options?.direction !== direction) {
      throw new RangeError(`${caller}: state was saved by a ${String(state.options?.direction)} run, got ${caller}`);
    }
    if (JSON.stringify(state.space) !== JSON.stringify(space)) {
      throw new RangeError(`${caller}: space differs from the space stored in state, got ${JSON.stringify(space)}`);
    }
    opt = BayesianOptimizer.fromState(state);
  } else {
    try {
      opt = new BayesianOptimizer(space, { ...rest, direction });
    } catch (e) {
      // Re-label the constructor's messages so that they start with the function the caller used.
      if (e instanceof RangeError) throw new RangeError(e.message.replace(/^BayesianOptimizer:/, `${caller}:`));
      if (e instanceof TypeError) throw new TypeError(e.message.replace(/^BayesianOptimizer:/, `${caller}:`));
      throw e;
    }
  }
  return loop(opt, fn, budget, batchSize, onProgress);
}

async function loop(
  opt: BayesianOptimizer,
  fn: Objective,
  budget: number,
  batchSize: number,
  onProgress: MinimizeOptions['onProgress'],
): Promise<MinimizeResult> {
  const started = Date.now();
  // Points suggested but never told before a checkpoint (e.g. the process died mid-evaluation) go first.
  let carried: Point[] = [...opt.pending];
  while (opt.observations.length < budget) {
    const q = Math.min(batchSize, budget - opt.observations.length);
    let points: Point[];
    if (carried.length > 0) {
      points = carried.slice(0, q);
      carried = carried.slice(q);
    } else {
      points = opt.ask(q);
    }
    // Evaluate concurrently, but tell in suggestion order so that runs are reproducible.
    const values = await Promise.all(
      points.map(async (x) => {
        try {
          return { x, y: await fn(x), error: undefined as unknown };
        } catch (error) {
          return { x, y: Number.NaN, error };
        }
      }),
    );
    for (const v of values) {
      const observation =
        v.error !== undefined
          ? opt.tellFailure(v.x, v.error)
          : typeof v.y !== 'number'
            ? opt.tellFailure(v.x, `objective returned ${typeof v.y}, not a number`)
            : opt.tell(v.x, v.y);
      if (onProgress) {
        await onProgress({
          evaluations: opt.observations.length,
          budget,
          observation,
          best: opt.best(),
          elapsedMs: Date.now() - started,
          state: () => opt.toJSON(),
        });
      }
    }
  }
  const best = opt.best();
  return {
    x: best?.x,
    y: best?.y ?? undefined,
    evaluations: opt.observations.length,
    failures: opt.observations.filter((o) => o.status === 'failed').length,
    observations: opt.observations,
    state: opt.toJSON(),
  };
}

/**
 * Minimises an (async) objective over a search space with Gaussian-process Bayesian optimisation.
 *
 * @param fn - the objective; throwing or returning NaN/±Infinity records a failed evaluation
 * @param space - the search space
 * @param options - `budget` (required) plus {@link OptimizerOptions}, `batchSize`, `state` (resume), `onProgress`
 * @returns the best point and value, every observation and the final state
 * @throws RangeError if the space, budget or an option is invalid (message starts with `minimize:`)
 * @example
 * ```ts
 * const r = await minimize(({ x }) => ((x as number) - 1) ** 2, { x: { type: 'continuous', lower: -5, upper: 5 } },
 *   { budget: 20, seed: 1 });
 * r.x; // { x: ≈1 }
 * ```
 */
export function minimize(fn: Objective, space: SearchSpace, options: MinimizeOptions): Promise<MinimizeResult> {
  return run('minimize', fn, space, options);
}

/**
 * Maximises an (async) objective; otherwise identical to {@link minimize}.
 *
 * @param fn - the objective; throwing or returning NaN/±Infinity records a failed evaluation
 * @param space - the search space
 * @param options - `budget` (required) plus {@link OptimizerOptions}, `batchSize`, `state` (resume), `onProgress`
 * @returns the best (largest) point and value, every observation and the final state
 * @throws RangeError if the space, budget or an option is invalid (message starts with `maximize:`)
 * @example
 * ```ts
 * await maximize(({ r }) => -((r as number) - 20) ** 2, { r: { type: 'continuous', lower: 0, upper: 40 } },
 *   { budget: 13, probes: [{ r: 0 }, { r: 20 }, { r: 40 }], acquisition: 'ucb' });
 * ```
 */
export function maximize(fn: Objective, space: SearchSpace, options: MinimizeOptions): Promise<MinimizeResult> {
  return run('maximize', fn, space, options);
}
