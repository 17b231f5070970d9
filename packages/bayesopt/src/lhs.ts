// Latin hypercube sampling (McKay, Beckman & Conover 1979): every coordinate's n strata [k/n, (k+1)/n) are hit
// exactly once, with a uniform jitter inside each stratum.
import type { Random } from './random.ts';

/**
 * `n` points of a random Latin hypercube in [0, 1)^dimension.
 *
 * @param n - number of points (integer ≥ 0)
 * @param dimension - number of coordinates (integer ≥ 1)
 * @param rng - seeded generator
 * @returns `n` points; in every coordinate, each interval [k/n, (k+1)/n) holds exactly one point
 * @throws RangeError if `n` or `dimension` is invalid
 * @example
 * ```ts
 * latinHypercube(10, 3, new Random(1));
 * ```
 */
export function latinHypercube(n: number, dimension: number, rng: Random): Float64Array[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`latinHypercube: n must be an integer ≥ 0, got ${n}`);
  if (!Number.isInteger(dimension) || dimension < 1) {
    throw new RangeError(`latinHypercube: dimension must be an integer ≥ 1, got ${dimension}`);
  }
  const points = Array.from({ length: n }, () => new Float64Array(dimension));
  const perm = new Int32Array(n);
  for (let j = 0; j < dimension; j++) {
    for (let i = 0; i < n; i++) perm[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const k = rng.int(i + 1);
      const t = perm[i]!;
      perm[i] = perm[k]!;
      perm[k] = t;
    }
    for (let i = 0; i < n; i++) points[i]![j] = (perm[i]! + rng.next()) / n;
  }
  return points;
}
