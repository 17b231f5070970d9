// Stationary covariance functions of the scaled distance r² = Σ_d (Δ_d/ℓ_d)², with unit signal variance.
// Both kernels share one derivative form, which the GP uses for hyper-parameter and input gradients:
//   ∂k/∂(log ℓ_d) = g(r²)·(Δ_d/ℓ_d)²   and   ∂k/∂x_d = −g(r²)·Δ_d/ℓ_d²,
// with g = (5/3)(1 + √5 r)e^(−√5 r) for Matern-5/2 and g = k for the squared exponential (RBF).
// Rasmussen & Williams, "Gaussian Processes for Machine Learning", 2006, eqs. 4.9 and 4.17.

/** Kernel families: Matern with ν = 5/2, or the squared-exponential (RBF) kernel. */
export type KernelName = 'matern52' | 'rbf';

const SQRT5 = Math.sqrt(5);

/** Value k(r²) and derivative factor g(r²) of a kernel with unit variance (see file comment). */
export interface KernelTerms {
  /** k(r²). */
  k: number;
  /** g(r²). */
  g: number;
}

/**
 * Evaluates a unit-variance kernel and its derivative factor at a scaled squared distance.
 *
 * @param kernel - kernel family
 * @param r2 - scaled squared distance Σ (Δ_d/ℓ_d)² ≥ 0
 * @param out - receives k and g (reused to avoid allocation in hot loops)
 * @returns `out`
 * @example
 * ```ts
 * kernelTerms('matern52', 0, { k: 0, g: 0 }); // { k: 1, g: 5/3 }
 * ```
 */
export function kernelTerms(kernel: KernelName, r2: number, out: KernelTerms): KernelTerms {
  if (kernel === 'rbf') {
    const k = Math.exp(-0.5 * r2);
    out.k = k;
    out.g = k;
    return out;
  }
  const r = Math.sqrt(r2);
  const e = Math.exp(-SQRT5 * r);
  out.k = (1 + SQRT5 * r + (5 / 3) * r2) * e;
  out.g = (5 / 3) * (1 + SQRT5 * r) * e;
  return out;
}
