// Standard normal functions accurate in the far tails, for the log-space acquisitions. Φ uses a positive-term erf
// series for |z| < 3 and the Laplace continued fraction of the Mills ratio R(t) = Φ(−t)/φ(t) beyond; log h(z) with
// h(z) = φ(z) + zΦ(z) (expected improvement of a unit normal) uses R and, for z < −10, the asymptotic series
// 1 − tR(t) = t⁻² − 3t⁻⁴ + 15t⁻⁶ − … , so log-EI stays finite and smooth where EI itself underflows
// (cf. Ament et al., "Unexpected Improvements to Expected Improvement", NeurIPS 2023).

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * @param z - argument
 * @returns the standard normal density φ(z)
 */
export function normalPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/** Mills ratio R(t) = Φ(−t)/φ(t) for t ≥ 3 by backward evaluation of the continued fraction 1/(t+1/(t+2/(t+…))). */
function millsRatio(t: number): number {
  const terms = t < 5 ? 120 : t < 10 ? 60 : 30;
  let f = t;
  for (let k = terms; k >= 1; k--) f = t + k / f;
  return 1 / f;
}

/** Upper tail Q(t) = Φ(−t) for t ≥ 0, relative accuracy ~1e-14. */
function upperTail(t: number): number {
  if (t >= 3) return normalPdf(t) * millsRatio(t);
  // erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)): all terms positive, no cancellation.
  const x = t / Math.SQRT2;
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
  }
  const erf = (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
  return 0.5 * (1 - erf);
}

/**
 * @param z - argument
 * @returns the standard normal distribution function Φ(z), accurate relative to its value for z → −∞
 */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  return z < 0 ? upperTail(-z) : 1 - upperTail(z);
}

/**
 * @param z - argument
 * @returns log Φ(z), finite for every finite z (≈ −z²/2 − log(−z) − ½log 2π as z → −∞)
 */
export function logNormalCdf(z: number): number {
  if (z >= 0) return Math.log1p(-upperTail(z));
  const t = -z;
  if (t >= 3) return -0.5 * t * t - LOG_SQRT_2PI + Math.log(millsRatio(t));
  return Math.log(upperTail(t));
}

/**
 * @param z - argument
 * @returns d/dz log Φ(z) = φ(z)/Φ(z), finite for every finite z
 */
export function logNormalCdfDerivative(z: number): number {
  if (z < -3) return 1 / millsRatio(-z);
  return normalPdf(z) / normalCdf(z);
}

/** 1 − tR(t) for t > 10 by its asymptotic series t⁻² − 3t⁻⁴ + 15t⁻⁶ − … (terms shrink while (2k+1) < t²). */
function oneMinusTR(t: number): number {
  const inv2 = 1 / (t * t);
  let term = inv2;
  let sum = 0;
  for (let k = 1; k <= 20; k++) {
    sum += term;
    term *= -(2 * k + 1) * inv2;
  }
  return sum;
}

/** Value and derivative of log h(z), h(z) = φ(z) + zΦ(z). */
export interface LogH {
  /** log h(z). */
  readonly value: number;
  /** d/dz log h(z) = Φ(z)/h(z). */
  readonly derivative: number;
}

/**
 * log of the expected improvement of a standard normal above −z: h(z) = E[max(0, Z + z)] = φ(z) + zΦ(z).
 * Expected improvement is σ·h((best − μ)/σ), so log EI = log σ + log h(z).
 *
 * @param z - standardised improvement
 * @returns log h(z) and its derivative, finite for every finite z
 * @example
 * ```ts
 * logH(0).value; // log(1/√(2π)) ≈ −0.9189
 * logH(-40).value; // ≈ −807.4, where h itself underflows to 0
 * ```
 */
export function logH(z: number): LogH {
  if (z >= 0) {
    const cdf = 1 - upperTail(z);
    const h = normalPdf(z) + z * cdf;
    return { value: Math.log(h), derivative: cdf / h };
  }
  const t = -z;
  if (t < 3) {
    const q = upperTail(t);
    const h = normalPdf(t) - t * q;
    return { value: Math.log(h), derivative: q / h };
  }
  // h(−t) = φ(t)·(1 − tR(t)) and Φ(−t)/h(−t) = R/(1 − tR).
  const logPhi = -0.5 * t * t - LOG_SQRT_2PI;
  if (t <= 10) {
    const r = millsRatio(t);
    const s = 1 - t * r;
    return { value: logPhi + Math.log(s), derivative: r / s };
  }
  const s = oneMinusTR(t);
  return { value: logPhi + Math.log(s), derivative: (1 - s) / (t * s) };
}
