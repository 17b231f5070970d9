// Ask/tell Bayesian optimisation: probes, then a space-filling design, then GP-guided suggestions that maximise an
// acquisition function over a scrambled Sobol candidate set, perturbations of the best points, and bounded L-BFGS
// refinement of the most promising candidates; once a basin has converged, a restart with a fresh design and a GP
// on the new observations only (see OptimizerOptions.restartPatience). Every random choice comes from one seeded
// generator whose state is part of the JSON state, so a resumed run continues exactly like an uninterrupted one.
import { acquisitionValue, type AcquisitionGradient, type AcquisitionName } from './acquisition.ts';
import { minimizeBounded } from './bounded-lbfgs.ts';
import { checkGpPrior, DEFAULT_GP_BOUNDS, DEFAULT_GP_PRIOR, GaussianProcess, type GpBounds, type GpPrior } from './gp.ts';
import type { KernelName } from './kernel.ts';
import { latinHypercube } from './lhs.ts';
import { Random, type RandomState } from './random.ts';
import { SOBOL_MAX_DIMENSION, SobolSequence } from './sobol.ts';
import { EncodedSpace, type Point, type SearchSpace } from './space.ts';

/** Whether the objective is minimised or maximised. */
export type Direction = 'minimize' | 'maximize';

/** How an initial design is drawn. */
export type InitialDesign = 'sobol' | 'lhs' | 'random';

/** How points that are suggested but not yet told are treated when suggesting more (batch / parallel use). */
export type BatchStrategy = 'kriging-believer' | 'constant-liar';

/**
 * What the GP sees for a failed evaluation:
 * - `worst`: the worst successful value observed so far (so the model learns to avoid the region);
 * - `ignore`: nothing (the point may be suggested again).
 *
 * Either way the failure is recorded in the observations with `status: 'failed'`.
 */
export type FailurePolicy = 'worst' | 'ignore';

/** Options of {@link BayesianOptimizer}. Every field is optional. */
export interface OptimizerOptions {
  /** Seed of the generator behind every random choice. @default 0 */
  readonly seed?: number | undefined;
  /** @default 'minimize' */
  readonly direction?: Direction | undefined;
  /** @default 'ei' */
  readonly acquisition?: AcquisitionName | undefined;
  /** UCB exploration weight κ (Paper A / bayes_opt: 2.576). @default 2.576 */
  readonly kappa?: number | undefined;
  /** EI/PI improvement margin ξ, in standardised output units. @default 0 */
  readonly xi?: number | undefined;
  /** @default 'matern52' */
  readonly kernel?: KernelName | undefined;
  /** @default 'sobol' */
  readonly initialDesign?: InitialDesign | undefined;
  /** Points of the initial design, drawn after the probes. @default max(5, 2·dimensions + 1) */
  readonly initialPoints?: number | undefined;
  /** User-chosen points suggested first, in order (Paper A probes ratios 0, 20 and 40 %). @default [] */
  readonly probes?: readonly Point[] | undefined;
  /** @default 'kriging-believer' */
  readonly batchStrategy?: BatchStrategy | undefined;
  /** The lie told by `constant-liar`: the best, mean or worst value observed. @default 'best' */
  readonly liar?: 'best' | 'mean' | 'worst' | undefined;
  /** @default 'worst' */
  readonly failurePolicy?: FailurePolicy | undefined;
  /** Scrambled Sobol candidates scored per suggestion. @default 2048 */
  readonly candidates?: number | undefined;
  /** Random starts screened by log posterior at each hyper-parameter fit (see GpFitOptions.restarts). @default 8 */
  readonly gpRestarts?: number | undefined;
  /** Box of the GP hyper-parameters (unit-cube inputs, standardised outputs). @default DEFAULT_GP_BOUNDS */
  readonly gpBounds?: GpBounds | undefined;
  /** Gamma priors of the GP hyper-parameters (MAP fit), `null` for maximum likelihood. @default DEFAULT_GP_PRIOR */
  readonly gpPrior?: GpPrior | null | undefined;
  /**
   * Restart once a basin has converged: when the last `restartPatience` evaluations were all local refinements
   * of the incumbent (within half a length-scale of it) and none improved the best value significantly (see
   * `restartTolerance`), a fresh space-filling design of `initialPoints` points is queued and from then on the GP
   * is fitted on the new observations only, until the next restart (`best()` still covers every observation).
   * This spends a budget that local refinement would waste on finding other basins. 0 turns restarts off.
   * @default 10
   */
  readonly restartPatience?: number | undefined;
  /**
   * An improvement of the best value is significant for `restartPatience` if it exceeds this fraction of
   * (median − best) of the values since the last restart. @default 1e-3
   */
  readonly restartTolerance?: number | undefined;
  /**
   * Probability ε that a model-based suggestion is a pure exploration step (the candidate with the largest
   * posterior standard deviation) instead of the acquisition maximiser: ε-greedy BO (De Ath et al., "Greed is
   * good", ACM TELO 2021). Off by default: it did not help on the benchmarks (see README). @default 0
   */
  readonly exploration?: number | undefined;
}

/** Options after defaults are applied, as stored in {@link OptimizerState}. */
export interface ResolvedOptimizerOptions {
  readonly seed: number;
  readonly direction: Direction;
  readonly acquisition: AcquisitionName;
  readonly kappa: number;
  readonly xi: number;
  readonly kernel: KernelName;
  readonly initialDesign: InitialDesign;
  readonly initialPoints: number;
  readonly probes: readonly Point[];
  readonly batchStrategy: BatchStrategy;
  readonly liar: 'best' | 'mean' | 'worst';
  readonly failurePolicy: FailurePolicy;
  readonly candidates: number;
  readonly gpRestarts: number;
  readonly gpBounds: GpBounds;
  readonly gpPrior: GpPrior | null;
  readonly restartPatience: number;
  readonly restartTolerance: number;
  readonly exploration: number;
}

/** One evaluated point. */
export interface Observation {
  /** The point. */
  readonly x: Point;
  /** The objective value as reported, or null when the evaluation failed. */
  readonly y: number | null;
  /** `failed` when the objective threw or returned NaN/±Infinity. */
  readonly status: 'ok' | 'failed';
  /** Why the evaluation failed (failed observations only). */
  readonly error?: string | undefined;
}

/** Everything needed to resume an optimiser; plain JSON. */
export interface OptimizerState {
  readonly format: 'quantprune-bayesopt';
  readonly version: 1;
  readonly space: SearchSpace;
  readonly options: ResolvedOptimizerOptions;
  readonly rng: RandomState;
  /** Probes and design points not suggested yet. */
  readonly queue: readonly Point[];
  readonly observations: readonly Observation[];
  /** Suggested points not told yet. */
  readonly pending: readonly Point[];
  /** Last fitted GP hyper-parameters (θ vector), or null before the first fit. */
  readonly theta: readonly number[] | null;
  /** Number of observations the GP hyper-parameters were last fitted on. */
  readonly fittedOn: number;
  /** Number of hyper-parameter fits so far (restarts run on a schedule). */
  readonly fits: number;
  /** Index of the first observation since the last restart (absent in states saved before restarts existed: 0). */
  readonly epochStart?: number | undefined;
}

const NAME = 'BayesianOptimizer';
const LOCAL_PERTURBATION_SCALES = [0.005, 0.02, 0.08, 0.2];

function checkOptions(options: OptimizerOptions, space: EncodedSpace): ResolvedOptimizerOptions {
  const pick = <T extends string>(key: keyof OptimizerOptions, allowed: readonly T[], fallback: T): T => {
    const v = options[key];
    if (v === undefined) return fallback;
    if (!allowed.includes(v as T)) throw new RangeError(`${NAME}: options.${key} must be one of ${allowed.join(', ')}, got ${String(v)}`);
    return v as T;
  };
  const num = (key: keyof OptimizerOptions, fallback: number, ok: (v: number) => boolean, what: string): number => {
    const v = options[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !ok(v)) throw new RangeError(`${NAME}: options.${key} must be ${what}, got ${String(v)}`);
    return v;
  };
  const isInt = (lo: number) => (v: number): boolean => Number.isInteger(v) && v >= lo;
  const probes = options.probes ?? [];
  if (!Array.isArray(probes)) throw new RangeError(`${NAME}: options.probes must be an array of points, got ${String(probes)}`);
  return {
    seed: num('seed', 0, Number.isFinite, 'a finite number'),
    direction: pick('direction', ['minimize', 'maximize'], 'minimize'),
    acquisition: pick('acquisition', ['ei', 'ucb', 'pi'], 'ei'),
    kappa: num('kappa', 2.576, (v) => Number.isFinite(v) && v >= 0, 'a finite number ≥ 0'),
    xi: num('xi', 0, Number.isFinite, 'a finite number'),
    kernel: pick('kernel', ['matern52', 'rbf'], 'matern52'),
    initialDesign: pick('initialDesign', ['sobol', 'lhs', 'random'], 'sobol'),
    initialPoints: num('initialPoints', Math.max(5, 2 * space.size + 1), isInt(0), 'an integer ≥ 0'),
    probes: probes.map((p, i) => space.checkPoint(p, `${NAME}: options.probes[${i}]`)),
    batchStrategy: pick('batchStrategy', ['kriging-believer', 'constant-liar'], 'kriging-believer'),
    liar: pick('liar', ['best', 'mean', 'worst'], 'best'),
    failurePolicy: pick('failurePolicy', ['worst', 'ignore'], 'worst'),
    candidates: num('candidates', 2048, isInt(1), 'an integer ≥ 1'),
    gpRestarts: num('gpRestarts', 8, isInt(0), 'an integer ≥ 0'),
    gpBounds: checkBounds(options.gpBounds ?? DEFAULT_GP_BOUNDS),
    gpPrior: options.gpPrior === undefined ? DEFAULT_GP_PRIOR : checkGpPrior(options.gpPrior, `${NAME}: options.gpPrior`),
    restartPatience: num('restartPatience', 10, isInt(0), 'an integer ≥ 0'),
    restartTolerance: num('restartTolerance', 1e-3, (v) => Number.isFinite(v) && v >= 0, 'a finite number ≥ 0'),
    exploration: num('exploration', 0, (v) => v >= 0 && v <= 1, 'a number in [0, 1]'),
  };
}

function checkBounds(b: GpBounds): GpBounds {
  const pairs = [
    ['lengthscale', b?.lengthscale, true],
    ['signalVariance', b?.signalVariance, true],
    ['noiseVariance', b?.noiseVariance, true],
    ['mean', b?.mean, false],
  ] as const;
  for (const [key, r, positive] of pairs) {
    if (!Array.isArray(r) || r.length !== 2 || !Number.isFinite(r[0]) || !Number.isFinite(r[1]) || r[0] > r[1] || (positive && !(r[0] > 0))) {
      throw new RangeError(`${NAME}: options.gpBounds.${key} must be [lower, upper] with ${positive ? '0 < ' : ''}lower ≤ upper, got ${JSON.stringify(r)}`);
    }
  }
  return { lengthscale: [...b.lengthscale], signalVariance: [...b.signalVariance], noiseVariance: [...b.noiseVariance], mean: [...b.mean] };
}

function pointKey(space: EncodedSpace, p: Point): string {
  return JSON.stringify(space.names.map((n) => p[n]));
}

/**
 * Gaussian-process Bayesian optimisation with an ask/tell interface.
 *
 * @example
 * ```ts
 * const opt = new BayesianOptimizer({ x: { type: 'continuous', lower: -2, upper: 2 } }, { seed: 1 });
 * for (let i = 0; i < 20; i++) {
 *   const p = opt.ask();
 *   opt.tell(p, ((p.x as number) - 0.5) ** 2);
 * }
 * opt.best(); // { x: { x: ≈0.5 }, y: ≈0, status: 'ok' }
 * ```
 */
export class BayesianOptimizer {
  /** The validated search space with its encodings. */
  readonly encoding: EncodedSpace;
  /** Options with defaults applied. */
  readonly options: ResolvedOptimizerOptions;
  #rng: Random;
  #queue: Point[];
  #observations: Observation[] = [];
  #pending: Point[] = [];
  #theta: Float64Array | null = null;
  #fittedOn = -1;
  #fits = 0;
  #gp: GaussianProcess | null = null;
  #gpOn = -1;
  #epochStart = 0;

  /**
   * @param space - the search space
   * @param options - see {@link OptimizerOptions}
   * @throws RangeError naming the argument and value for an invalid space, option or probe
   */
  constructor(space: SearchSpace, options: OptimizerOptions = {}) {
    this.encoding = new EncodedSpace(space, NAME);
    this.options = checkOptions(options, this.encoding);
    this.#rng = new Random(this.options.seed);
    this.#queue = [...this.options.probes, ...this.#design(this.options.initialPoints)];
  }

  /**
   * Restores an optimiser from {@link BayesianOptimizer.toJSON}; the next suggestion equals the one the original
   * would have made.
   *
   * @param state - a state object (or its parsed JSON)
   * @returns the restored optimiser
   * @throws RangeError if the state is not a version-1 bayesopt state
   */
  static fromState(state: OptimizerState): BayesianOptimizer {
    if (state === null || typeof state !== 'object' || state.format !== 'quantprune-bayesopt' || state.version !== 1) {
      throw new RangeError(`BayesianOptimizer.fromState: state must be a version-1 quantprune-bayesopt state, got ${JSON.stringify(state)?.slice(0, 80)}`);
    }
    const opt = new BayesianOptimizer(state.space, { ...state.options, initialPoints: 0, probes: [] });
    // Restore the stored options verbatim (the constructor above only validated them).
    (opt as { options: ResolvedOptimizerOptions }).options = checkOptions(state.options, opt.encoding);
    opt.#rng = Random.fromState(state.rng);
    opt.#queue = state.queue.map((p, i) => opt.encoding.checkPoint(p, `BayesianOptimizer.fromState: queue[${i}]`));
    opt.#observations = state.observations.map((o) => ({ ...o, x: opt.encoding.checkPoint(o.x, 'BayesianOptimizer.fromState: observation') }));
    opt.#pending = state.pending.map((p) => opt.encoding.checkPoint(p, 'BayesianOptimizer.fromState: pending'));
    opt.#theta = state.theta ? Float64Array.from(state.theta) : null;
    opt.#fittedOn = state.fittedOn;
    opt.#fits = state.fits;
    opt.#epochStart = state.epochStart ?? 0;
    return opt;
  }

  /** @returns the full state as plain JSON-serialisable data (also used by `JSON.stringify`) */
  toJSON(): OptimizerState {
    return {
      format: 'quantprune-bayesopt',
      version: 1,
      space: this.encoding.space,
      options: this.options,
      rng: this.#rng.state(),
      queue: [...this.#queue],
      observations: [...this.#observations],
      pending: [...this.#pending],
      theta: this.#theta ? Array.from(this.#theta) : null,
      fittedOn: this.#fittedOn,
      fits: this.#fits,
      epochStart: this.#epochStart,
    };
  }

  /** All observations, in the order they were told. */
  get observations(): readonly Observation[] {
    return this.#observations;
  }

  /** Points suggested by `ask` and not told yet. */
  get pending(): readonly Point[] {
    return this.#pending;
  }

  /** The GP of the last model-based suggestion (null before one was made). For inspection only. */
  get model(): GaussianProcess | null {
    return this.#gp;
  }

  /** @returns the best successful observation (smallest or largest y per `direction`), or undefined if none */
  best(): Observation | undefined {
    let best: Observation | undefined;
    const sign = this.options.direction === 'maximize' ? -1 : 1;
    for (const o of this.#observations) {
      if (o.status === 'ok' && (best === undefined || sign * o.y! < sign * best.y!)) best = o;
    }
    return best;
  }

  /**
   * Suggests the next point to evaluate.
   *
   * @returns one point
   */
  ask(): Point;
  /**
   * Suggests `q` points to evaluate in parallel (later ones account for earlier ones by the batch strategy).
   *
   * @param q - batch size, an integer ≥ 1
   * @returns `q` points
   * @throws RangeError if `q` is not an integer ≥ 1
   */
  ask(q: number): Point[];
  ask(q?: number): Point | Point[] {
    if (q !== undefined && (!Number.isInteger(q) || q < 1)) {
      throw new RangeError(`BayesianOptimizer.ask: q must be an integer ≥ 1, got ${q}`);
    }
    const out: Point[] = [];
    for (let k = 0; k < (q ?? 1); k++) {
      const p = this.#next();
      this.#pending.push(p);
      out.push(p);
    }
    return q === undefined ? out[0]! : out;
  }

  /**
   * Records the value of the objective at a point. A NaN or ±Infinity value is recorded as a failure.
   *
   * @param x - the evaluated point (usually from `ask`)
   * @param y - the objective value
   * @returns the recorded observation
   * @throws RangeError if `x` is not a valid point of the space or `y` is not a number
   */
  tell(x: Point, y: number): Observation {
    if (typeof y !== 'number') throw new RangeError(`BayesianOptimizer.tell: y must be a number, got ${String(y)}`);
    if (!Number.isFinite(y)) return this.tellFailure(x, `non-finite objective value ${y}`);
    return this.#record({ x: this.encoding.checkPoint(x, 'BayesianOptimizer.tell'), y, status: 'ok' });
  }

  /**
   * Records that evaluating the objective at a point failed (see {@link FailurePolicy}).
   *
   * @param x - the point
   * @param reason - why it failed (an Error's message is used)
   * @returns the recorded observation
   * @throws RangeError if `x` is not a valid point of the space
   */
  tellFailure(x: Point, reason: unknown = 'failed'): Observation {
    const error = reason instanceof Error ? reason.message : String(reason);
    return this.#record({ x: this.encoding.checkPoint(x, 'BayesianOptimizer.tellFailure'), y: null, status: 'failed', error });
  }

  #record(o: Observation): Observation {
    const key = pointKey(this.encoding, o.x);
    const i = this.#pending.findIndex((p) => pointKey(this.encoding, p) === key);
    if (i >= 0) this.#pending.splice(i, 1);
    this.#observations.push(o);
    return o;
  }

  #design(n: number): Point[] {
    const dim = this.encoding.size;
    let units: Float64Array[];
    if (this.options.initialDesign === 'lhs' || (this.options.initialDesign === 'sobol' && dim > SOBOL_MAX_DIMENSION)) {
      units = latinHypercube(n, dim, this.#rng);
    } else if (this.options.initialDesign === 'sobol') {
      const seq = new SobolSequence(dim, { rng: this.#rng });
      units = Array.from({ length: n }, () => seq.next());
    } else {
      units = Array.from({ length: n }, () => Float64Array.from({ length: dim }, () => this.#rng.next()));
    }
    return units.map((u) => this.encoding.fromUnit(u));
  }

  #next(): Point {
    const queued = this.#queue.shift();
    if (queued) return queued;
    const epoch = this.#observations.slice(this.#epochStart);
    if (epoch.filter((o) => o.status === 'ok').length < 2) return this.#design(1)[0]!;
    if (this.#stalled(epoch)) {
      this.#epochStart = this.#observations.length;
      this.#theta = null;
      this.#gp = null;
      this.#queue.push(...this.#design(Math.max(2, this.options.initialPoints)));
      return this.#queue.shift()!;
    }
    return this.#suggest();
  }

  /**
   * True when the epoch has converged on a basin: its last `restartPatience` observations all lie close to the
   * incumbent (scaled distance Σ((x − x*)/ℓ)² below 1/4 under the fitted length-scales: local refinement, not
   * exploration) and improved the epoch's best by no more than `restartTolerance` × (median − best) of the epoch.
   */
  #stalled(epoch: readonly Observation[]): boolean {
    const { restartPatience: patience, restartTolerance: tol } = this.options;
    const theta = this.#theta;
    if (patience === 0 || epoch.length <= patience || !theta) return false;
    const sign = this.options.direction === 'maximize' ? -1 : 1;
    const values = epoch.map((o) => (o.status === 'ok' ? sign * o.y! : Number.POSITIVE_INFINITY));
    const bestBefore = Math.min(...values.slice(0, values.length - patience));
    const bestNow = Math.min(...values);
    const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
    const median = finite[Math.floor((finite.length - 1) / 2)]!;
    if (bestBefore - bestNow > tol * (median - bestNow)) return false;
    const enc = this.encoding;
    const D = enc.featureSize;
    const incumbent = new Float64Array(D);
    enc.toFeatures(epoch[values.indexOf(bestNow)]!.x, incumbent);
    const f = new Float64Array(D);
    for (const o of epoch.slice(-patience)) {
      enc.toFeatures(o.x, f);
      let r2 = 0;
      for (let j = 0; j < D; j++) r2 += ((f[j]! - incumbent[j]!) * Math.exp(-theta[j]!)) ** 2;
      if (r2 > 0.25) return false;
    }
    return true;
  }

  /** Training data for the GP in internal (minimisation) units. */
  #trainingData(): { x: Float64Array; y: Float64Array; best: number } {
    const sign = this.options.direction === 'maximize' ? -1 : 1;
    const enc = this.encoding;
    const epoch = this.#observations.slice(this.#epochStart);
    const ok = epoch.filter((o) => o.status === 'ok');
    let worst = Number.NEGATIVE_INFINITY;
    let best = Number.POSITIVE_INFINITY;
    for (const o of ok) {
      worst = Math.max(worst, sign * o.y!);
      best = Math.min(best, sign * o.y!);
    }
    const used = this.options.failurePolicy === 'worst' ? epoch : ok;
    const x = new Float64Array(used.length * enc.featureSize);
    const y = new Float64Array(used.length);
    used.forEach((o, i) => {
      enc.toFeatures(o.x, x, i * enc.featureSize);
      y[i] = o.status === 'ok' ? sign * o.y! : worst;
    });
    return { x, y, best };
  }

  #model(x: Float64Array, y: Float64Array): GaussianProcess {
    const count = this.#observations.length;
    if (this.#gp && this.#gpOn === count) return this.#gp;
    const gp = new GaussianProcess(this.encoding.featureSize, { kernel: this.options.kernel, bounds: this.options.gpBounds, prior: this.options.gpPrior });
    // Hyper-parameters are refitted after every observation up to 64 of them, then after every ⌊n/50⌋-th (their
    // optimum moves little per point and a fit costs O(n³) per likelihood evaluation); in between, and when
    // already fitted on exactly these observations (a second ask before tell, or after a resume), they are reused.
    const n = y.length;
    const refitEvery = n <= 64 ? 1 : Math.floor(n / 50);
    if (this.#theta && count - this.#fittedOn < refitEvery) {
      gp.fit(x, y, { fixed: this.#theta });
    } else {
      // Multi-start is cheap on few points; on many, the warm start from the previous fit is usually at the optimum
      // already, so restarts run on every fifth fit only (keeps ask() fast at a few hundred observations).
      const restarts = n <= 64 || this.#fits % 5 === 0 ? this.options.gpRestarts : 0;
      gp.fit(x, y, { rng: this.#rng, restarts, warmStart: this.#theta ?? undefined });
      this.#theta = gp.theta();
      this.#fittedOn = count;
      this.#fits++;
    }
    this.#gp = gp;
    this.#gpOn = count;
    return gp;
  }

  #suggest(): Point {
    const enc = this.encoding;
    const D = enc.featureSize;
    const data = this.#trainingData();
    let gp = this.#model(data.x, data.y);
    const scale = gp.outputScale;
    const offset = gp.outputOffset;
    if (this.#pending.length > 0) {
      const px = new Float64Array(this.#pending.length * D);
      this.#pending.forEach((p, i) => enc.toFeatures(p, px, i * D));
      let py: Float64Array;
      if (this.options.batchStrategy === 'kriging-believer') {
        py = gp.predict(px).mean;
      } else {
        let v = 0;
        if (this.options.liar === 'best') v = data.best;
        else if (this.options.liar === 'worst') v = Math.max(...data.y);
        else v = data.y.reduce((a, b) => a + b, 0) / data.y.length;
        py = new Float64Array(this.#pending.length).fill(v);
      }
      gp = gp.withExtraData(px, py);
    }
    const best = (data.best - offset) / scale;
    const { acquisition, kappa, xi } = this.options;
    const score = (mean: number, variance: number, grad?: AcquisitionGradient): number =>
      acquisitionValue(acquisition, mean, Math.sqrt(variance), best, kappa, xi, grad);

    // 1. Candidates: a freshly scrambled Sobol set plus Gaussian perturbations of the best observed points.
    const units: Float64Array[] = [];
    const rawDim = enc.size;
    const nc = this.options.candidates;
    if (rawDim <= SOBOL_MAX_DIMENSION) {
      const seq = new SobolSequence(rawDim, { rng: this.#rng });
      for (let i = 0; i < nc; i++) units.push(seq.next());
    } else {
      for (const u of latinHypercube(nc, rawDim, this.#rng)) units.push(u);
    }
    const cand = new Float64Array((units.length + 0) * D);
    units.forEach((u, i) => enc.toFeatures(enc.fromUnit(u), cand, i * D));
    const local = this.#localCandidates();
    const all = new Float64Array(cand.length + local.length);
    all.set(cand);
    all.set(local, cand.length);
    const count = all.length / D;
    const pred = gp.predictStandardized(all);
    const explore = this.options.exploration > 0 && this.#rng.next() < this.options.exploration;
    const values = new Float64Array(count);
    for (let i = 0; i < count; i++) values[i] = explore ? pred.variance[i]! : score(pred.mean[i]!, pred.variance[i]!);
    const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => values[b]! - values[a]! || a - b);
    if (explore) {
      const taken = new Set<string>([...this.#observations.map((o) => pointKey(enc, o.x)), ...this.#pending.map((p) => pointKey(enc, p))]);
      for (const idx of order) {
        const p = enc.fromFeatures(all.subarray(idx * D, idx * D + D));
        if (!taken.has(pointKey(enc, p))) return p;
      }
    }

    // 2. Refine the best few candidates over their continuous coordinates with bounded L-BFGS.
    const taken = new Set<string>([...this.#observations.map((o) => pointKey(enc, o.x)), ...this.#pending.map((p) => pointKey(enc, p))]);
    const cont = enc.continuousFeatures;
    const starts = order.slice(0, 5);
    const results: { point: Point; value: number }[] = [];
    const dMean = new Float64Array(D);
    const dVar = new Float64Array(D);
    const ag: AcquisitionGradient = { dMean: 0, dSd: 0 };
    for (const idx of starts) {
      const base = all.slice(idx * D, idx * D + D);
      let feat = base;
      let value = values[idx]!;
      if (cont.length > 0) {
        const full = Float64Array.from(base);
        const objective = (v: Float64Array, g: Float64Array): number => {
          for (let k = 0; k < cont.length; k++) full[cont[k]!] = v[k]!;
          const p = gp.predictWithGradient(full, dMean, dVar);
          const sd = Math.sqrt(p.variance);
          const a = score(p.mean, p.variance, ag);
          // a(μ(x), σ(x)):  ∂a/∂x = a_μ ∂μ/∂x + a_σ ∂σ²/∂x / (2σ).
          for (let k = 0; k < cont.length; k++) {
            const c = cont[k]!;
            g[k] = -(ag.dMean * dMean[c]! + (ag.dSd * dVar[c]!) / (2 * sd));
          }
          return -a;
        };
        const v0 = Float64Array.from(cont, (c) => base[c]!);
        const res = minimizeBounded(objective, v0, {
          lower: new Float64Array(cont.length),
          upper: new Float64Array(cont.length).fill(1),
          maxIterations: 40,
          gradientTolerance: 1e-7,
        });
        if (Number.isFinite(res.value) && -res.value > value) {
          feat = Float64Array.from(base);
          for (let k = 0; k < cont.length; k++) feat[cont[k]!] = res.x[k]!;
          value = -res.value;
        }
      }
      results.push({ point: enc.fromFeatures(feat), value });
    }
    // 3. Best refined point that is not already observed or pending; else the best untaken candidate.
    results.sort((a, b) => b.value - a.value);
    for (const r of results) if (!taken.has(pointKey(enc, r.point))) return r.point;
    for (const idx of order) {
      const p = enc.fromFeatures(all.subarray(idx * D, idx * D + D));
      if (!taken.has(pointKey(enc, p))) return p;
    }
    return this.#design(1)[0]!;
  }

  /** Perturbations (in feature space) of the five best observations at several scales. */
  #localCandidates(): Float64Array {
    const enc = this.encoding;
    const D = enc.featureSize;
    const sign = this.options.direction === 'maximize' ? -1 : 1;
    const ok = this.#observations.slice(this.#epochStart).filter((o) => o.status === 'ok').sort((a, b) => sign * a.y! - sign * b.y!);
    const top = ok.slice(0, 5);
    const perPoint = 64;
    const out = new Float64Array(top.length * perPoint * D);
    const f = new Float64Array(D);
    let row = 0;
    for (const o of top) {
      for (let k = 0; k < perPoint; k++) {
        enc.toFeatures(o.x, f);
        const s = LOCAL_PERTURBATION_SCALES[k % LOCAL_PERTURBATION_SCALES.length]!;
        for (let j = 0; j < enc.size; j++) {
          const d = enc.space[enc.names[j]!]!;
          const off = enc.offsets[j]!;
          if (d.type === 'categorical') {
            if (this.#rng.next() < 1 / enc.size) {
              f.fill(0, off, off + d.choices.length);
              f[off + this.#rng.int(d.choices.length)] = 1;
            }
          } else {
            f[off] = Math.min(1, Math.max(0, f[off]! + s * this.#rng.normal()));
          }
        }
        // Snap integers (rounding) so the candidate is a valid point.
        enc.toFeatures(enc.fromFeatures(f), out, row * D);
        row++;
      }
    }
    return out;
  }
}
