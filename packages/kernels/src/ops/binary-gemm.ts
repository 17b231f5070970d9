import type { PackedBinaryMatrix } from '@quantprune/formats';
import { checkPacked } from '../internal/validate.ts';
import { getKernel } from '../registry.ts';

/** Options shared by the ops: which backend runs the kernel. */
export interface BackendOptions {
  /** Backend to use; omit for the highest-priority registered one (wasm, then reference). */
  readonly backend?: string;
}

/**
 * Binary GEMM: `C[m][n] = Σ_k A[m][k]·B[n][k]` for ±1 matrices, computed as `K − 2·popcount(A_m XOR B_n)`.
 * Exact for any K (not only multiples of 32): padding bits are ignored.
 *
 * @param a - M×K activations in the kernel layout (`packSigns`, `packBinaryRows`)
 * @param b - N×K weights in the kernel layout (B transposed: one row per output column)
 * @param options - backend
 * @returns M×N int32, row-major
 * @throws RangeError when `a.cols !== b.cols` or a matrix is inconsistent; KernelNotRegisteredError
 * @example
 * ```ts
 * const a = packBinaryRows(Float32Array.of(1, -1, 1), 1, 3);
 * const b = packBinaryRows(Float32Array.of(1, 1, 1, -1, 1, 1), 2, 3);
 * binaryGemm(a, b); // Int32Array [1, -1]
 * ```
 */
export function binaryGemm(a: PackedBinaryMatrix, b: PackedBinaryMatrix, options: BackendOptions = {}): Int32Array {
  const fn = 'binaryGemm';
  checkPacked(fn, 'a', a);
  checkPacked(fn, 'b', b);
  if (a.cols !== b.cols) throw new RangeError(`${fn}: a has K = ${a.cols} columns but b has ${b.cols}`);
  if (a.rows === 0 || b.rows === 0 || a.cols === 0) return new Int32Array(a.rows * b.rows);
  return getKernel('BinaryGemm', options.backend)({ a, b });
}
