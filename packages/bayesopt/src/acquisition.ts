// Acquisition functions for minimisation, in standardised output units, as functions of the posterior mean μ and
// standard deviation σ at a point, with their partial derivatives (chained with the GP's input gradient for
// local refinement). Expected improvement and probability of improvement are returned as logarithms so that they
// keep ordering candidates far from the incumbent, where EI and PI underflow to 0.
import { logH, logNormalCdf, logNormalCdfDerivative } from './normal.ts';

/** Acquisition functions: (log) expected improvement, upper confidence bound, (log) probability of improvement. */
export type AcquisitionName = 'ei' | 'ucb' | 'pi';

/** Partial derivatives of an acquisition value. */
export interface AcquisitionGradient {
  /** ∂a/∂μ. */
  dMean: number;
  /** ∂a/∂σ. */
  dSd: number;
}

/**
 * Acquisition value (larger is better) for minimisation.
 *
 * - `ei`: log E[max(0, best − ξ − f)] = log σ + log h(z), z = (best − ξ − μ)/σ
 * - `pi`: log P(f < best − ξ) = log Φ(z)
 * - `ucb`: the negated lower confidence bound, κσ − μ
 *
 * @param kind - acquisition function
 * @param mean - posterior mean μ
 * @param sd - posterior standard deviation σ > 0
 * @param best - incumbent (smallest observed value)
 * @param kappa - UCB exploration weight κ
 * @param xi - EI/PI improvement margin ξ
 * @param grad - if given, receives ∂a/∂μ and ∂a/∂σ
 * @returns the acquisition value (finite for finite inputs)
 * @example
 * ```ts
 * acquisitionValue('ei', 0, 1, 0, 2.576, 0); // log φ(0) ≈ −0.9189
 * ```
 */
export function acquisitionValue(
  kind: AcquisitionName,
  mean: number,
  sd: number,
  best: number,
  kappa: number,
  xi: number,
  grad?: AcquisitionGradient,
): number {
  if (kind === 'ucb') {
    if (grad) {
      grad.dMean = -1;
      grad.dSd = kappa;
    }
    return kappa * sd - mean;
  }
  const z = (best - xi - mean) / sd;
  if (kind === 'ei') {
    const h = logH(z);
    if (grad) {
      grad.dMean = -h.derivative / sd;
      grad.dSd = (1 - h.derivative * z) / sd;
    }
    return Math.log(sd) + h.value;
  }
  if (grad) {
    const dz = logNormalCdfDerivative(z);
    grad.dMean = -dz / sd;
    grad.dSd = (-dz * z) / sd;
  }
  return logNormalCdf(z);
}
