// Gaussian-process regression with a constant mean, an ARD stationary kernel and Gaussian noise
// (Rasmussen & Williams 2006, Algorithm 2.1). Inputs are expected in the unit cube; outputs are standardised to
// zero mean and unit variance before fitting. Hyper-parameters θ = [log ℓ_1 … log ℓ_D, log σ_f², log σ_n², m]
// maximise the log marginal likelihood (R&W eq. 5.8, gradient eq. 5.9) plus Gamma log priors on ℓ, σ_f² and σ_n²
// (a MAP estimate, as BoTorch's classic defaults) by multi-start bounded L-BFGS.
import { minimizeBounded } from './bounded-lbfgs.ts';
import { kernelTerms, type KernelName, type KernelTerms } from './kernel.ts';
import { choleskyWithJitter, dotRows, inverseFromCholesky, solveLowerInPlace, solveLowerTransposeInPlace } from './linalg.ts';
import type { Random } from './random.ts';

const LOG_2PI = Math.log(2 * Math.PI);

/** GP hyper-parameters in natural units (outputs in standardised units when standardisation is on). */
export interface GpHyperparameters {
  /** One length-scale per input feature (ARD). */
  readonly lengthscales: readonly number[];
  /** Signal variance σ_f². */
  readonly signalVariance: number;
  /** Observation noise variance σ_n². */
  readonly noiseVariance: number;
  /** Constant prior mean m. */
  readonly mean: number;
}

/** Box for the hyper-parameter search, in natural units. */
export interface GpBounds {
  /** @default [0.01, 100] */
  readonly lengthscale: readonly [number, number];
  /** @default [0.01, 100] */
  readonly signalVariance: readonly [number, number];
  /** @default [1e-8, 1] */
  readonly noiseVariance: readonly [number, number];
  /** @default [-5, 5] */
  readonly mean: readonly [number, number];
}

/** Default hyper-parameter box for unit-cube inputs and standardised outputs. */
export const DEFAULT_GP_BOUNDS: GpBounds = {
  lengthscale: [0.01, 100],
  signalVariance: [0.01, 100],
  noiseVariance: [1e-8, 1],
  mean: [-5, 5],
};

/** A Gamma(shape, rate) prior on a positive hyper-parameter p: log density (shape − 1)·log p − rate·p + const. */
export interface GammaPrior {
  /** Shape α > 0. */
  readonly shape: number;
  /** Rate β ≥ 0 (mean α/β, mode (α − 1)/β for α ≥ 1). */
  readonly rate: number;
}

/**
 * Priors on the GP hyper-parameters (unit-cube inputs, standardised outputs); `null` leaves one flat.
 * With priors, `fit` maximises the log posterior (log marginal likelihood + log prior, a MAP estimate)
 * instead of the likelihood alone.
 */
export interface GpPrior {
  /** Prior of every ARD length-scale ℓ. */
  readonly lengthscale: GammaPrior | null;
  /** Prior of the signal variance σ_f². */
  readonly signalVariance: GammaPrior | null;
  /** Prior of the noise variance σ_n². */
  readonly noiseVariance: GammaPrior | null;
}

/** Default priors: see the README (Numerics) for why these values. */
export const DEFAULT_GP_PRIOR: GpPrior = {
  lengthscale: { shape: 3, rate: 6 },
  signalVariance: { shape: 2, rate: 0.15 },
  noiseVariance: { shape: 1.1, rate: 0.05 },
};

/**
 * Log density (up to a constant) of θ under independent Gamma priors on ℓ_j, σ_f² and σ_n², evaluated at the
 * natural values e^θ (as GPyTorch/BoTorch do: no Jacobian term), and optionally its gradient in θ:
 * ∂/∂θ [(α − 1)θ − β e^θ] = (α − 1) − β e^θ.
 *
 * @param theta - [log ℓ_1 … log ℓ_d, log σ_f², log σ_n², m]
 * @param d - input dimension
 * @param prior - the priors (`null` entries are flat)
 * @param grad - if given (length d + 3), receives ∂/∂θ
 * @returns the log prior density up to a constant
 * @example
 * ```ts
 * gpLogPrior([0, 0, 0, 0], 1, DEFAULT_GP_PRIOR); // −6 − 0.15 − 0.05 at ℓ = σ_f² = σ_n² = 1
 * ```
 */
export function gpLogPrior(theta: ArrayLike<number>, d: number, prior: GpPrior, grad?: Float64Array): number {
  grad?.fill(0);
  let value = 0;
  const term = (i: number, p: GammaPrior | null): void => {
    if (!p) return;
    const t = theta[i]!;
    const e = Math.exp(t);
    value += (p.shape - 1) * t - p.rate * e;
    if (grad) grad[i] = p.shape - 1 - p.rate * e;
  };
  for (let j = 0; j < d; j++) term(j, prior.lengthscale);
  term(d, prior.signalVariance);
  term(d + 1, prior.noiseVariance);
  return value;
}

/**
 * Validates a prior (internal; shared by the GP and the optimiser).
 *
 * @param prior - the prior to check
 * @param where - message prefix naming the function and argument
 * @returns a copy of the prior
 * @throws RangeError if an entry is neither null nor a Gamma prior with shape > 0 and rate ≥ 0
 */
export function checkGpPrior(prior: GpPrior | null, where: string): GpPrior | null {
  if (prior === null) return null;
  const keys = ['lengthscale', 'signalVariance', 'noiseVariance'] as const;
  for (const key of keys) {
    const g = prior?.[key];
    if (g === null) continue;
    if (typeof g !== 'object' || !(Number.isFinite(g.shape) && g.shape > 0) || !(Number.isFinite(g.rate) && g.rate >= 0)) {
      throw new RangeError(`${where}.${key} must be null or { shape > 0, rate ≥ 0 }, got ${JSON.stringify(g)}`);
    }
  }
  return { lengthscale: prior.lengthscale, signalVariance: prior.signalVariance, noiseVariance: prior.noiseVariance };
}

/** Options of {@link GaussianProcess}. */
export interface GpOptions {
  /** @default 'matern52' */
  readonly kernel?: KernelName | undefined;
  /** Standardise outputs to zero mean, unit variance before fitting. @default true */
  readonly standardize?: boolean | undefined;
  /** Hyper-parameter box. @default DEFAULT_GP_BOUNDS */
  readonly bounds?: GpBounds | undefined;
  /** Hyper-parameter priors (MAP fit); `null` for a plain maximum-likelihood fit. @default DEFAULT_GP_PRIOR */
  readonly prior?: GpPrior | null | undefined;
}

/** Options of {@link GaussianProcess.fit}. */
export interface GpFitOptions {
  /** Generator for random restarts (required when `restarts > 0`). */
  readonly rng?: Random | undefined;
  /** Random starts screened by log posterior besides the warm/default start; the most probable one is descended too. @default 2 */
  readonly restarts?: number | undefined;
  /** Start here (a θ vector from {@link GaussianProcess.theta}) instead of the default start. */
  readonly warmStart?: ArrayLike<number> | undefined;
  /** L-BFGS iterations per start. @default 80 */
  readonly maxIterations?: number | undefined;
  /** Keep these hyper-parameters (θ vector) and skip the optimisation. */
  readonly fixed?: ArrayLike<number> | undefined;
}

/** Posterior of the latent function at one or more points, in the units of the training outputs. */
export interface GpPrediction {
  readonly mean: Float64Array;
  readonly variance: Float64Array;
}

/**
 * Log marginal likelihood log p(y | X, θ) of a constant-mean GP and, optionally, its gradient in θ.
 *
 * @param x - n×d inputs, row-major
 * @param y - n outputs
 * @param d - input dimension
 * @param kernel - kernel family
 * @param theta - [log ℓ_1 … log ℓ_d, log σ_f², log σ_n², m]
 * @param grad - if given (length d + 3), receives ∂/∂θ
 * @returns the log marginal likelihood
 * @example
 * ```ts
 * gpLogMarginalLikelihood(new Float64Array([0, 1]), new Float64Array([0, 0]), 1, 'rbf', new Float64Array([0, 0, -2, 0]));
 * ```
 */
export function gpLogMarginalLikelihood(
  x: Float64Array,
  y: Float64Array,
  d: number,
  kernel: KernelName,
  theta: ArrayLike<number>,
  grad?: Float64Array,
): number {
  const n = y.length;
  const invL2 = new Float64Array(d);
  for (let j = 0; j < d; j++) invL2[j] = Math.exp(-2 * theta[j]!);
  const sf2 = Math.exp(theta[d]!);
  const sn2 = Math.exp(theta[d + 1]!);
  const m = theta[d + 2]!;
  const gmat = grad ? new Float64Array(n * n) : undefined;
  const kmat = kernelMatrix(x, n, d, kernel, invL2, sf2, sn2, gmat);
  const { factor: l } = choleskyWithJitter(kmat, n);
  const alpha = new Float64Array(n);
  for (let i = 0; i < n; i++) alpha[i] = y[i]! - m;
  let quad = 0;
  solveLowerInPlace(l, n, alpha);
  for (let i = 0; i < n; i++) quad += alpha[i]! * alpha[i]!;
  solveLowerTransposeInPlace(l, n, alpha);
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += Math.log(l[i * n + i]!);
  const value = -0.5 * quad - logDet - 0.5 * n * LOG_2PI;
  if (grad && gmat) {
    // ∂L/∂θ_k = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ_k); W = ααᵀ − K⁻¹ is symmetric, so off-diagonal pairs count twice.
    const kinv = inverseFromCholesky(l, n);
    grad.fill(0);
    let gSignal = 0;
    let gNoise = 0;
    let gMean = 0;
    for (let i = 0; i < n; i++) {
      const wii = alpha[i]! * alpha[i]! - kinv[i * n + i]!;
      gSignal += 0.5 * wii * sf2;
      gNoise += 0.5 * wii * sn2;
      gMean += alpha[i]!;
      for (let j = 0; j < i; j++) {
        const wij = alpha[i]! * alpha[j]! - kinv[i * n + j]!;
        gSignal += wij * kmat[i * n + j]!;
        const c = wij * gmat[i * n + j]!;
        for (let q = 0; q < d; q++) {
          const diff = x[i * d + q]! - x[j * d + q]!;
          grad[q] = grad[q]! + c * diff * diff * invL2[q]!;
        }
      }
    }
    grad[d] = gSignal;
    grad[d + 1] = gNoise;
    grad[d + 2] = gMean;
  }
  return value;
}

/**
 * A Gaussian-process regression model on unit-cube inputs.
 *
 * @example
 * ```ts
 * const gp = new GaussianProcess(1);
 * gp.fit(new Float64Array([0, 0.5, 1]), new Float64Array([1, 0, 1]), { restarts: 0 });
 * gp.predict(new Float64Array([0.25])).mean[0]; // posterior mean at 0.25
 * ```
 */
export class GaussianProcess {
  /** Input dimension. */
  readonly dimension: number;
  /** Kernel family. */
  readonly kernel: KernelName;
  readonly #standardize: boolean;
  readonly #bounds: GpBounds;
  readonly #prior: GpPrior | null;
  #x: Float64Array = new Float64Array(0);
  #y: Float64Array = new Float64Array(0);
  #n = 0;
  #yOffset = 0;
  #yScale = 1;
  #theta: Float64Array;
  #l: Float64Array = new Float64Array(0);
  #alpha: Float64Array = new Float64Array(0);
  #lml = Number.NaN;

  /**
   * @param dimension - input dimension (integer ≥ 1)
   * @param options - kernel, output standardisation, hyper-parameter box and priors
   * @throws RangeError if `dimension` is not a positive integer or a prior is invalid
   */
  constructor(dimension: number, options: GpOptions = {}) {
    if (!Number.isInteger(dimension) || dimension < 1) {
      throw new RangeError(`GaussianProcess: dimension must be an integer ≥ 1, got ${dimension}`);
    }
    this.dimension = dimension;
    this.kernel = options.kernel ?? 'matern52';
    this.#standardize = options.standardize ?? true;
    this.#bounds = options.bounds ?? DEFAULT_GP_BOUNDS;
    this.#prior = options.prior === undefined ? DEFAULT_GP_PRIOR : checkGpPrior(options.prior, 'GaussianProcess: options.prior');
    this.#theta = this.defaultTheta();
  }

  /** @returns the default start θ: ℓ = 0.5, σ_f² = 1, σ_n² = 1e-4 (clipped to the box), m = 0 */
  defaultTheta(): Float64Array {
    const d = this.dimension;
    const b = this.#bounds;
    const th = new Float64Array(d + 3);
    const clip = (v: number, r: readonly [number, number]): number => Math.min(r[1], Math.max(r[0], v));
    for (let j = 0; j < d; j++) th[j] = Math.log(clip(0.5, b.lengthscale));
    th[d] = Math.log(clip(1, b.signalVariance));
    th[d + 1] = Math.log(clip(1e-4, b.noiseVariance));
    th[d + 2] = clip(0, b.mean);
    return th;
  }

  /** @returns lower and upper bounds of θ */
  thetaBounds(): { lower: Float64Array; upper: Float64Array } {
    const d = this.dimension;
    const b = this.#bounds;
    const lower = new Float64Array(d + 3);
    const upper = new Float64Array(d + 3);
    for (let j = 0; j < d; j++) {
      lower[j] = Math.log(b.lengthscale[0]);
      upper[j] = Math.log(b.lengthscale[1]);
    }
    lower[d] = Math.log(b.signalVariance[0]);
    upper[d] = Math.log(b.signalVariance[1]);
    lower[d + 1] = Math.log(b.noiseVariance[0]);
    upper[d + 1] = Math.log(b.noiseVariance[1]);
    lower[d + 2] = b.mean[0];
    upper[d + 2] = b.mean[1];
    return { lower, upper };
  }

  /** @returns a copy of the current θ vector */
  theta(): Float64Array {
    return Float64Array.from(this.#theta);
  }

  /** @returns the current hyper-parameters in natural units */
  hyperparameters(): GpHyperparameters {
    const d = this.dimension;
    const th = this.#theta;
    return {
      lengthscales: Array.from(th.subarray(0, d), Math.exp),
      signalVariance: Math.exp(th[d]!),
      noiseVariance: Math.exp(th[d + 1]!),
      mean: th[d + 2]!,
    };
  }

  /** Number of training points. */
  get size(): number {
    return this.#n;
  }

  /** Log marginal likelihood of the standardised outputs at the current θ (NaN before `fit`). */
  get logMarginalLikelihood(): number {
    return this.#lml;
  }

  /** Offset subtracted from outputs by standardisation (0 when off). */
  get outputOffset(): number {
    return this.#yOffset;
  }

  /** Scale outputs are divided by in standardisation (1 when off). */
  get outputScale(): number {
    return this.#yScale;
  }

  /**
   * Fits the hyper-parameters and conditions on (x, y).
   *
   * @param x - n×d inputs, row-major (copied)
   * @param y - n finite outputs
   * @param options - restarts, warm start, or fixed hyper-parameters
   * @returns this
   * @throws RangeError if sizes disagree, n = 0, or a value is not finite
   */
  fit(x: Float64Array, y: Float64Array, options: GpFitOptions = {}): this {
    const d = this.dimension;
    const n = y.length;
    if (n === 0 || x.length !== n * d) throw new RangeError(`GaussianProcess.fit: x must hold ${n} × ${d} values with n ≥ 1, got ${x.length}`);
    for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) throw new RangeError(`GaussianProcess.fit: x[${i}] must be finite, got ${x[i]}`);
    for (let i = 0; i < n; i++) if (!Number.isFinite(y[i]!)) throw new RangeError(`GaussianProcess.fit: y[${i}] must be finite, got ${y[i]}`);
    let offset = 0;
    let scale = 1;
    if (this.#standardize) {
      for (let i = 0; i < n; i++) offset += y[i]!;
      offset /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (y[i]! - offset) ** 2;
      v = n > 1 ? v / (n - 1) : 0;
      scale = v > 0 ? Math.sqrt(v) : Math.abs(offset) > 0 ? Math.abs(offset) : 1;
    }
    const ys = new Float64Array(n);
    for (let i = 0; i < n; i++) ys[i] = (y[i]! - offset) / scale;
    this.#yOffset = offset;
    this.#yScale = scale;
    const xs = Float64Array.from(x);

    if (options.fixed) this.#theta = Float64Array.from(options.fixed);
    else this.#theta = this.#optimize(xs, ys, options);
    this.#condition(xs, ys);
    return this;
  }

  #optimize(x: Float64Array, y: Float64Array, options: GpFitOptions): Float64Array {
    const d = this.dimension;
    const { lower, upper } = this.thetaBounds();
    const restarts = options.restarts ?? 2;
    const rng = options.rng;
    if (restarts > 0 && !rng) throw new RangeError('GaussianProcess.fit: options.rng is required when restarts > 0');
    // Maximise the log posterior log p(y | θ) + log p(θ) (the likelihood alone when there is no prior).
    const prior = this.#prior;
    const gPrior = new Float64Array(d + 3);
    const logPosterior = (th: Float64Array): number =>
      gpLogMarginalLikelihood(x, y, d, this.kernel, th) + (prior ? gpLogPrior(th, d, prior) : 0);
    const objective = (th: Float64Array, g: Float64Array): number => {
      let v = gpLogMarginalLikelihood(x, y, d, this.kernel, th, g);
      if (prior) v += gpLogPrior(th, d, prior, gPrior);
      for (let i = 0; i < g.length; i++) g[i] = -g[i]! - gPrior[i]!;
      return -v;
    };
    const descend = (start: Float64Array): { x: Float64Array; value: number } =>
      minimizeBounded(objective, start, {
        lower,
        upper,
        maxIterations: options.maxIterations ?? 80,
        gradientTolerance: 1e-5,
        relativeTolerance: 1e-8,
      });
    const first = options.warmStart ? Float64Array.from(options.warmStart) : this.defaultTheta();
    let best = descend(first);
    if (restarts > 0 && rng) {
      // Multi-start, screened: score the default start and `restarts` random starts by the log posterior without
      // its gradient (a third of the cost) and descend only from the most probable one.
      const others: Float64Array[] = options.warmStart ? [this.defaultTheta()] : [];
      for (let r = 0; r < restarts; r++) {
        // Random starts in a typical sub-box: ℓ ∈ [0.05, 2], σ_f² ∈ [0.3, 3], σ_n² ∈ [1e-6, 1e-1], m ∈ [−1, 1].
        const th = new Float64Array(d + 3);
        for (let j = 0; j < d; j++) th[j] = Math.log(0.05) + rng.next() * Math.log(40);
        th[d] = Math.log(0.3) + rng.next() * Math.log(10);
        th[d + 1] = Math.log(1e-6) + rng.next() * Math.log(1e5);
        th[d + 2] = -1 + 2 * rng.next();
        others.push(th);
      }
      let pick: Float64Array | undefined;
      let pickValue = Number.NEGATIVE_INFINITY;
      for (const th of others) {
        const v = logPosterior(th);
        if (v > pickValue) {
          pickValue = v;
          pick = th;
        }
      }
      if (pick) {
        const alt = descend(pick);
        if (alt.value < best.value) best = alt;
      }
    }
    return Float64Array.from(best.x);
  }

  #condition(x: Float64Array, y: Float64Array): void {
    const d = this.dimension;
    const n = y.length;
    const th = this.#theta;
    const invL2 = new Float64Array(d);
    for (let j = 0; j < d; j++) invL2[j] = Math.exp(-2 * th[j]!);
    const sf2 = Math.exp(th[d]!);
    const m = th[d + 2]!;
    const kmat = kernelMatrix(x, n, d, this.kernel, invL2, sf2, Math.exp(th[d + 1]!));
    const { factor } = choleskyWithJitter(kmat, n);
    const alpha = new Float64Array(n);
    for (let i = 0; i < n; i++) alpha[i] = y[i]! - m;
    solveLowerInPlace(factor, n, alpha);
    let quad = 0;
    let logDet = 0;
    for (let i = 0; i < n; i++) {
      quad += alpha[i]! * alpha[i]!;
      logDet += Math.log(factor[i * n + i]!);
    }
    solveLowerTransposeInPlace(factor, n, alpha);
    this.#x = x;
    this.#y = y;
    this.#n = n;
    this.#l = factor;
    this.#alpha = alpha;
    this.#lml = -0.5 * quad - logDet - 0.5 * n * LOG_2PI;
  }

  /**
   * A GP with the same hyper-parameters and output standardisation, conditioned on extra (fantasy) points too.
   * Used for batch suggestions (kriging believer / constant liar).
   *
   * @param x - m×d extra inputs
   * @param y - m extra outputs, in original units
   * @returns a new GP; this one is unchanged
   */
  withExtraData(x: Float64Array, y: Float64Array): GaussianProcess {
    const gp = new GaussianProcess(this.dimension, { kernel: this.kernel, standardize: this.#standardize, bounds: this.#bounds, prior: this.#prior });
    const n = this.#n;
    const m = y.length;
    const xs = new Float64Array((n + m) * this.dimension);
    xs.set(this.#x);
    xs.set(x, n * this.dimension);
    const ys = new Float64Array(n + m);
    ys.set(this.#y);
    for (let i = 0; i < m; i++) ys[n + i] = (y[i]! - this.#yOffset) / this.#yScale;
    gp.#theta = Float64Array.from(this.#theta);
    gp.#yOffset = this.#yOffset;
    gp.#yScale = this.#yScale;
    gp.#condition(xs, ys);
    return gp;
  }

  /**
   * Posterior mean and latent variance in standardised units (what the acquisitions use).
   *
   * @param x - m×d query points, row-major
   * @returns mean and variance arrays of length m
   */
  predictStandardized(x: Float64Array): GpPrediction {
    const d = this.dimension;
    const m = x.length / d;
    const n = this.#n;
    const th = this.#theta;
    const invL2 = new Float64Array(d);
    for (let j = 0; j < d; j++) invL2[j] = Math.exp(-2 * th[j]!);
    const sf2 = Math.exp(th[d]!);
    const prior = th[d + 2]!;
    const mean = new Float64Array(m);
    const variance = new Float64Array(m);
    const ks = new Float64Array(n);
    const t: KernelTerms = { k: 0, g: 0 };
    const l = this.#l;
    for (let q = 0; q < m; q++) {
      let mu = prior;
      for (let i = 0; i < n; i++) {
        let r2 = 0;
        for (let c = 0; c < d; c++) {
          const diff = x[q * d + c]! - this.#x[i * d + c]!;
          r2 += diff * diff * invL2[c]!;
        }
        const k = sf2 * kernelTerms(this.kernel, r2, t).k;
        ks[i] = k;
        mu += k * this.#alpha[i]!;
      }
      // v = L⁻¹ k*, σ² = σ_f² − vᵀv (forward substitution inlined for speed).
      let vv = 0;
      for (let i = 0; i < n; i++) {
        const ri = i * n;
        const vi = (ks[i]! - dotRows(l, ri, 0, i, ks)) / l[ri + i]!;
        ks[i] = vi;
        vv += vi * vi;
      }
      mean[q] = mu;
      variance[q] = Math.max(sf2 - vv, 1e-12 * sf2);
    }
    return { mean, variance };
  }

  /**
   * Posterior mean and latent variance at one point with their gradients in the input, standardised units.
   *
   * @param x - d coordinates
   * @param dMean - receives ∂μ/∂x (length d)
   * @param dVariance - receives ∂σ²/∂x (length d)
   * @returns mean and variance
   */
  predictWithGradient(x: Float64Array, dMean: Float64Array, dVariance: Float64Array): { mean: number; variance: number } {
    const d = this.dimension;
    const n = this.#n;
    const th = this.#theta;
    const invL2 = new Float64Array(d);
    for (let j = 0; j < d; j++) invL2[j] = Math.exp(-2 * th[j]!);
    const sf2 = Math.exp(th[d]!);
    const ks = new Float64Array(n);
    const gs = new Float64Array(n);
    const t: KernelTerms = { k: 0, g: 0 };
    let mu = th[d + 2]!;
    dMean.fill(0);
    for (let i = 0; i < n; i++) {
      let r2 = 0;
      for (let c = 0; c < d; c++) {
        const diff = x[c]! - this.#x[i * d + c]!;
        r2 += diff * diff * invL2[c]!;
      }
      kernelTerms(this.kernel, r2, t);
      ks[i] = sf2 * t.k;
      gs[i] = sf2 * t.g;
      mu += ks[i]! * this.#alpha[i]!;
      // ∂k_i/∂x_c = −g_i (x_c − x_ic)/ℓ_c².
      const a = -gs[i]! * this.#alpha[i]!;
      for (let c = 0; c < d; c++) dMean[c] = dMean[c]! + a * (x[c]! - this.#x[i * d + c]!) * invL2[c]!;
    }
    const v = Float64Array.from(ks);
    solveLowerInPlace(this.#l, n, v);
    let vv = 0;
    for (let i = 0; i < n; i++) vv += v[i]! * v[i]!;
    // ∂σ²/∂x = −2 (L⁻ᵀ v)ᵀ ∂k*/∂x.
    solveLowerTransposeInPlace(this.#l, n, v);
    dVariance.fill(0);
    for (let i = 0; i < n; i++) {
      const a = 2 * v[i]! * gs[i]!;
      for (let c = 0; c < d; c++) dVariance[c] = dVariance[c]! + a * (x[c]! - this.#x[i * d + c]!) * invL2[c]!;
    }
    return { mean: mu, variance: Math.max(sf2 - vv, 1e-12 * sf2) };
  }

  /**
   * Posterior mean and latent variance (without observation noise) in the units of the training outputs.
   *
   * @param x - m×d query points, row-major
   * @returns mean and variance arrays of length m
   * @throws RangeError before `fit` or if `x.length` is not a multiple of the dimension
   */
  predict(x: Float64Array): GpPrediction {
    if (this.#n === 0) throw new RangeError('GaussianProcess.predict: call fit first');
    if (x.length % this.dimension !== 0) {
      throw new RangeError(`GaussianProcess.predict: x.length must be a multiple of ${this.dimension}, got ${x.length}`);
    }
    const p = this.predictStandardized(x);
    const s2 = this.#yScale * this.#yScale;
    for (let i = 0; i < p.mean.length; i++) {
      p.mean[i] = p.mean[i]! * this.#yScale + this.#yOffset;
      p.variance[i] = p.variance[i]! * s2;
    }
    return p;
  }
}

/**
 * Covariance matrix K + σn²I of n points (row-major, d columns) under an ARD kernel with inverse squared
 * length-scales `invL2` and signal variance `sf2`. When `gmat` is given, its lower triangle receives
 * sf2·g(r²), the kernel's derivative term used by the likelihood gradient.
 */
function kernelMatrix(
  x: Float64Array,
  n: number,
  d: number,
  kernel: KernelName,
  invL2: Float64Array,
  sf2: number,
  sn2: number,
  gmat?: Float64Array,
): Float64Array {
  const kmat = new Float64Array(n * n);
  const t: KernelTerms = { k: 0, g: 0 };
  for (let i = 0; i < n; i++) {
    kmat[i * n + i] = sf2 + sn2;
    for (let j = 0; j < i; j++) {
      let r2 = 0;
      for (let c = 0; c < d; c++) {
        const diff = x[i * d + c]! - x[j * d + c]!;
        r2 += diff * diff * invL2[c]!;
      }
      kernelTerms(kernel, r2, t);
      kmat[i * n + j] = kmat[j * n + i] = sf2 * t.k;
      if (gmat) gmat[i * n + j] = sf2 * t.g;
    }
  }
  return kmat;
}
