import type { Int8GemmInputs } from '../kernel-names.ts';

/**
 * Reference `Int8Gemm`: `C[m][n] = Σ_k A[m][k]·B[n][k]` with exact integer sums.
 *
 * @param inputs - A (M×K) and B (N×K) row-major int8
 * @returns M×N int32, row-major
 */
export function referenceInt8Gemm({ a, b, m, n, k }: Int8GemmInputs): Int32Array {
  const out = new Int32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += a[i * k + t]! * b[j * k + t]!;
      out[i * n + j] = s;
    }
  }
  return out;
}
