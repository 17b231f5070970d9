import { checkInt, checkLength } from '../internal/validate.ts';
import { getKernel } from '../registry.ts';
import type { BackendOptions } from './binary-gemm.ts';

/**
 * int8 GEMM with int32 accumulation (the baseline the binary kernels are compared with):
 * `C[i][j] = Σ_t A[i][t]·B[j][t]`. Exact for K < 2^17.
 *
 * @param a - M×K row-major
 * @param b - N×K row-major (B transposed)
 * @param m - rows of A
 * @param n - rows of B
 * @param k - reduction length
 * @param options - backend
 * @returns M×N int32, row-major
 * @throws RangeError on sizes that do not match the arrays or K ≥ 2^17; KernelNotRegisteredError
 */
export function int8Gemm(a: Int8Array, b: Int8Array, m: number, n: number, k: number, options: BackendOptions = {}): Int32Array {
  const fn = 'int8Gemm';
  checkInt(fn, 'm', m, 0);
  checkInt(fn, 'n', n, 0);
  checkInt(fn, 'k', k, 0);
  if (k >= 2 ** 17) throw new RangeError(`${fn}: k must be < 131072 so int32 sums cannot overflow, got ${k}`);
  checkLength(fn, 'a', a.length, m * k);
  checkLength(fn, 'b', b.length, n * k);
  if (m === 0 || n === 0 || k === 0) return new Int32Array(m * n);
  return getKernel('Int8Gemm', options.backend)({ a, b, m, n, k });
}
