// Bound-constrained quasi-Newton minimisation: L-BFGS directions restricted to the free variables (those not held
// at a bound by their gradient), a projected backtracking (Armijo) line search, and the projected-gradient
// stationarity test. A compact stand-in for L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995) without the Cauchy-point step.

/** Objective for {@link minimizeBounded}: returns f(x) and writes ∇f(x) into `grad`. */
export type BoundedObjective = (x: Float64Array, grad: Float64Array) => number;

/** Options of {@link minimizeBounded}. */
export interface BoundedMinimizeOptions {
  /** Lower bounds (same length as x0). */
  readonly lower: ArrayLike<number>;
  /** Upper bounds (same length as x0). */
  readonly upper: ArrayLike<number>;
  /** @default 100 */
  readonly maxIterations?: number | undefined;
  /** Number of correction pairs kept. @default 8 */
  readonly memory?: number | undefined;
  /** Stop when the projected gradient's largest component is below this. @default 1e-6 */
  readonly gradientTolerance?: number | undefined;
  /** Stop when an iteration decreases f by less than this times max(|f|, 1). @default 1e-10 */
  readonly relativeTolerance?: number | undefined;
}

/** Result of {@link minimizeBounded}. */
export interface BoundedMinimizeResult {
  /** Best point found (inside the bounds). */
  readonly x: Float64Array;
  /** f at `x`. */
  readonly value: number;
  /** Iterations performed. */
  readonly iterations: number;
  /** Objective evaluations. */
  readonly evaluations: number;
  /** True if a tolerance was met, false if the iteration or line-search limit stopped it. */
  readonly converged: boolean;
}

/**
 * Minimises a smooth function inside a box.
 *
 * @param f - objective with gradient
 * @param x0 - start (clipped into the box; not modified)
 * @param options - bounds and tolerances
 * @returns the best point, its value and convergence information; never throws for a non-finite f (such trial
 *   points are rejected by the line search)
 * @example
 * ```ts
 * minimizeBounded((x, g) => { g[0] = 2 * (x[0]! - 3); return (x[0]! - 3) ** 2; }, new Float64Array([0]),
 *   { lower: [0], upper: [2] }).x; // [2]
 * ```
 */
export function minimizeBounded(f: BoundedObjective, x0: Float64Array, options: BoundedMinimizeOptions): BoundedMinimizeResult {
  const n = x0.length;
  const { lower, upper } = options;
  const maxIterations = options.maxIterations ?? 100;
  const memory = options.memory ?? 8;
  const gtol = options.gradientTolerance ?? 1e-6;
  const rtol = options.relativeTolerance ?? 1e-10;
  const clip = (v: number, i: number): number => Math.min(upper[i]!, Math.max(lower[i]!, v));

  let x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = clip(x0[i]!, i);
  let g = new Float64Array(n);
  let fx = f(x, g);
  let evaluations = 1;
  if (!Number.isFinite(fx)) return { x, value: fx, iterations: 0, evaluations, converged: false };

  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rho: number[] = [];
  const pg = new Float64Array(n);
  const d = new Float64Array(n);
  const alphaHist = new Float64Array(memory);
  let xn = new Float64Array(n);
  let gn = new Float64Array(n);
  let iterations = 0;
  let converged = false;

  for (; iterations < maxIterations; iterations++) {
    // Projected gradient: zero where a bound blocks the descent direction −g.
    let pgMax = 0;
    for (let i = 0; i < n; i++) {
      const gi = g[i]!;
      const blocked = (x[i]! <= lower[i]! && gi > 0) || (x[i]! >= upper[i]! && gi < 0);
      pg[i] = blocked ? 0 : gi;
      pgMax = Math.max(pgMax, Math.abs(pg[i]!));
    }
    if (pgMax < gtol) {
      converged = true;
      break;
    }
    // Two-loop recursion on the projected gradient.
    d.set(pg);
    const m = sList.length;
    for (let k = m - 1; k >= 0; k--) {
      const a = rho[k]! * dot(sList[k]!, d);
      alphaHist[k] = a;
      axpy(-a, yList[k]!, d);
    }
    let gamma = 1;
    if (m > 0) gamma = dot(sList[m - 1]!, yList[m - 1]!) / dot(yList[m - 1]!, yList[m - 1]!);
    else {
      let norm = 0;
      for (let i = 0; i < n; i++) norm += pg[i]! * pg[i]!;
      gamma = Math.min(1, 1 / Math.sqrt(norm)); // first step: unit length at most
    }
    for (let i = 0; i < n; i++) d[i] = d[i]! * gamma;
    for (let k = 0; k < m; k++) {
      const b = rho[k]! * dot(yList[k]!, d);
      axpy(alphaHist[k]! - b, sList[k]!, d);
    }
    for (let i = 0; i < n; i++) d[i] = pg[i] === 0 ? 0 : -d[i]!;
    if (dot(d, pg) >= 0) {
      // Not a descent direction (stale curvature): restart from steepest descent.
      sList.length = yList.length = rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -pg[i]! / Math.max(pgMax, 1);
    }
    // Projected backtracking line search.
    let step = 1;
    let accepted = false;
    let fn = Number.NaN;
    for (let ls = 0; ls < 40; ls++) {
      let decrease = 0;
      for (let i = 0; i < n; i++) {
        xn[i] = clip(x[i]! + step * d[i]!, i);
        decrease += g[i]! * (xn[i]! - x[i]!);
      }
      fn = f(xn, gn);
      evaluations++;
      if (Number.isFinite(fn) && (decrease < 0 ? fn <= fx + 1e-4 * decrease : fn < fx)) {
        accepted = true;
        break;
      }
      step *= Number.isFinite(fn) ? 0.5 : 0.1;
    }
    if (!accepted) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xn[i]! - x[i]!;
      y[i] = gn[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      sList.push(s);
      yList.push(y);
      rho.push(1 / sy);
      if (sList.length > memory) {
        sList.shift();
        yList.shift();
        rho.shift();
      }
    }
    const small = fx - fn <= rtol * Math.max(Math.abs(fx), Math.abs(fn), 1);
    [x, xn] = [xn, x];
    [g, gn] = [gn, g];
    fx = fn;
    if (small) {
      converged = true;
      iterations++;
      break;
    }
  }
  return { x, value: fx, iterations, evaluations, converged };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] = y[i]! + a * x[i]!;
}
