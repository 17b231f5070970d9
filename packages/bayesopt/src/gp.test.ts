import { describe, expect, it } from 'vitest';
import { DEFAULT_GP_PRIOR, GaussianProcess, gpLogMarginalLikelihood, gpLogPrior } from './gp.ts';
import { Random } from './random.ts';

// Hand example: RBF, ℓ = 1, σ_f² = 1, σ_n² = 0.01, m = 0, X = [0, 1], y = [1, 2], query x* = 0.5.
// K = [[1.01, e], [e, 1.01]] with e = exp(−½); k* = c·[1, 1] with c = exp(−⅛).
const e = Math.exp(-0.5);
const c = Math.exp(-0.125);
const det = 1.01 * 1.01 - e * e;
const theta = [0, 0, Math.log(0.01), 0];

describe('GaussianProcess posterior', () => {
  it('matches the hand-computed 2-point example (tolerance 1e-12, float64)', () => {
    const gp = new GaussianProcess(1, { kernel: 'rbf', standardize: false });
    gp.fit(new Float64Array([0, 1]), new Float64Array([1, 2]), { fixed: theta });
    const p = gp.predict(new Float64Array([0.5]));
    // μ* = k*ᵀ K⁻¹ y = c·((1.01 − 2e) + (2.02 − e))/det = 1.6377608997681643 (closed form, evaluated in CPython)
    expect(p.mean[0]).toBeCloseTo(c * ((1.01 - 2 * e + 2.02 - e) / det), 12);
    expect(p.mean[0]).toBeCloseTo(1.6377608997681643, 12);
    // σ*² = 1 − c²·2/(1.01 + e) = 0.03645405252028999 (closed form, evaluated in CPython)
    expect(p.variance[0]).toBeCloseTo(0.03645405252028999, 12);
    // log p(y) = −½ yᵀK⁻¹y − ½ log det K − log 2π = −3.6356862604313434 (closed form, evaluated in CPython)
    expect(gp.logMarginalLikelihood).toBeCloseTo(-3.6356862604313434, 12);
    expect(gpLogMarginalLikelihood(new Float64Array([0, 1]), new Float64Array([1, 2]), 1, 'rbf', theta)).toBeCloseTo(-3.6356862604313434, 12);
  });

  it('returns to the prior far from the data and interpolates noise-free data', () => {
    const gp = new GaussianProcess(1, { kernel: 'matern52', standardize: false });
    gp.fit(new Float64Array([0.2, 0.4]), new Float64Array([3, 5]), { fixed: [Math.log(0.05), 0, Math.log(1e-8), 0] });
    const p = gp.predict(new Float64Array([0.2, 1]));
    expect(p.mean[0]).toBeCloseTo(3, 6);
    expect(p.variance[0]).toBeLessThan(1e-6);
    expect(p.mean[1]).toBeCloseTo(0, 6);
    expect(p.variance[1]).toBeCloseTo(1, 6);
  });

  it('predictWithGradient agrees with predict and with central differences (relative tolerance 1e-5)', () => {
    const rng = new Random(2);
    const d = 3;
    const n = 12;
    const x = Float64Array.from({ length: n * d }, () => rng.next());
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(5 * x[i * d]!) + x[i * d + 1]! ** 2 - x[i * d + 2]!);
    const gp = new GaussianProcess(d).fit(x, y, { fixed: [Math.log(0.4), Math.log(0.7), Math.log(0.2), 0, Math.log(1e-4), 0.1] });
    const q = new Float64Array([0.3, 0.6, 0.45]);
    const dm = new Float64Array(d);
    const dv = new Float64Array(d);
    const p = gp.predictWithGradient(q, dm, dv);
    const ref = gp.predictStandardized(q);
    expect(p.mean).toBeCloseTo(ref.mean[0]!, 12);
    expect(p.variance).toBeCloseTo(ref.variance[0]!, 12);
    for (let j = 0; j < d; j++) {
      const h = 1e-6;
      const up = Float64Array.from(q);
      const dn = Float64Array.from(q);
      up[j] = up[j]! + h;
      dn[j] = dn[j]! - h;
      const a = gp.predictStandardized(up);
      const b = gp.predictStandardized(dn);
      expect(Math.abs((a.mean[0]! - b.mean[0]!) / (2 * h) - dm[j]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(dm[j]!)));
      expect(Math.abs((a.variance[0]! - b.variance[0]!) / (2 * h) - dv[j]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(dv[j]!)));
    }
  });

  it('survives duplicated inputs (escalating jitter) and fits hyper-parameters that raise the likelihood (no prior)', () => {
    const rng = new Random(4);
    const n = 20;
    const x = Float64Array.from({ length: n * 2 }, () => rng.next());
    x.copyWithin(2, 0, 2); // point 1 duplicates point 0
    const y = Float64Array.from({ length: n }, (_, i) => Math.cos(3 * x[2 * i]!) * x[2 * i + 1]!);
    const gp = new GaussianProcess(2, { kernel: 'matern52', prior: null });
    gp.fit(x, y, { rng, restarts: 4 });
    const fitted = gp.logMarginalLikelihood;
    const start = new GaussianProcess(2).fit(x, y, { fixed: gp.defaultTheta() }).logMarginalLikelihood;
    expect(Number.isFinite(fitted)).toBe(true);
    expect(fitted).toBeGreaterThan(start);
  });
});

describe('gpLogMarginalLikelihood gradient', () => {
  it('matches central finite differences for every hyper-parameter (relative tolerance 1e-5)', () => {
    for (const kernel of ['matern52', 'rbf'] as const) {
      const rng = new Random(9);
      const d = 3;
      const n = 15;
      const x = Float64Array.from({ length: n * d }, () => rng.next());
      const y = Float64Array.from({ length: n }, () => rng.normal());
      const th = [Math.log(0.3), Math.log(0.8), Math.log(1.5), Math.log(1.3), Math.log(0.05), 0.2];
      const grad = new Float64Array(d + 3);
      gpLogMarginalLikelihood(x, y, d, kernel, th, grad);
      for (let k = 0; k < th.length; k++) {
        const h = 1e-5;
        const up = [...th];
        const dn = [...th];
        up[k] = up[k]! + h;
        dn[k] = dn[k]! - h;
        const fd = (gpLogMarginalLikelihood(x, y, d, kernel, up) - gpLogMarginalLikelihood(x, y, d, kernel, dn)) / (2 * h);
        expect(Math.abs(fd - grad[k]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
      }
    }
  });
});

describe('gpLogPrior (Gamma priors, MAP fit)', () => {
  it('matches hand-computed values and central finite differences', () => {
    // θ = 0: ℓ = σ_f² = σ_n² = 1, so each term is −rate: −6 − 0.15 − 0.05 (hand computation).
    expect(gpLogPrior([0, 0, 0, 0], 1, DEFAULT_GP_PRIOR)).toBeCloseTo(-6.2, 14);
    // ℓ = 0.5, σ_f² = 2, σ_n² = 0.01: (2 ln 0.5 − 3) + (ln 2 − 0.3) + (0.1 ln 0.01 − 0.0005) = −4.454164199158755 (evaluated in CPython)
    expect(gpLogPrior([Math.log(0.5), Math.log(2), Math.log(0.01), 0.3], 1, DEFAULT_GP_PRIOR)).toBeCloseTo(-4.454164199158755, 12);
    expect(gpLogPrior([1, 2, 3, 4], 1, { lengthscale: null, signalVariance: null, noiseVariance: null })).toBe(0);
    expect(() => new GaussianProcess(1, { prior: { ...DEFAULT_GP_PRIOR, noiseVariance: { shape: 1, rate: -1 } } })).toThrow(
      /^GaussianProcess: options\.prior\.noiseVariance must be null or \{ shape > 0, rate ≥ 0 \}, got \{"shape":1,"rate":-1\}$/,
    );
    const th = [Math.log(0.3), Math.log(1.7), Math.log(0.8), Math.log(0.02), -0.4];
    const grad = new Float64Array(5);
    gpLogPrior(th, 2, DEFAULT_GP_PRIOR, grad);
    expect(grad[4]).toBe(0); // the constant mean has a flat prior
    for (let k = 0; k < th.length; k++) {
      const h = 1e-6;
      const up = [...th];
      const dn = [...th];
      up[k] = up[k]! + h;
      dn[k] = dn[k]! - h;
      const fd = (gpLogPrior(up, 2, DEFAULT_GP_PRIOR) - gpLogPrior(dn, 2, DEFAULT_GP_PRIOR)) / (2 * h);
      expect(Math.abs(fd - grad[k]!)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
    }
  });

  it('keeps the length-scale of a dimension without variation moderate where maximum likelihood runs to the bound', () => {
    // y depends on x0 only: the likelihood alone is maximised by an ever longer ℓ_1 (up to the box, 100); the
    // Gamma(3, 6) prior (mean 0.5) holds it near a unit-cube scale, which keeps the GP uncertain along x1.
    const rng = new Random(6);
    const n = 16;
    const x = Float64Array.from({ length: n * 2 }, () => rng.next());
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(6 * x[2 * i]!));
    const ml = new GaussianProcess(2, { prior: null }).fit(x, y, { rng: new Random(1), restarts: 4 });
    const map = new GaussianProcess(2).fit(x, y, { rng: new Random(1), restarts: 4 });
    expect(ml.hyperparameters().lengthscales[1]).toBeGreaterThan(20);
    expect(map.hyperparameters().lengthscales[1]).toBeLessThan(2);
    // The MAP fit maximises likelihood + prior: it beats the ML fit on that objective and loses on the likelihood.
    const post = (gp: GaussianProcess): number => gp.logMarginalLikelihood + gpLogPrior(gp.theta(), 2, DEFAULT_GP_PRIOR);
    expect(post(map)).toBeGreaterThan(post(ml));
    expect(ml.logMarginalLikelihood).toBeGreaterThan(map.logMarginalLikelihood);
  });
});
