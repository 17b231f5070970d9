// The wasm training kernels of this package that go beyond the conv gradients and broadcasting comparisons:
// untransposed BatchMatMul, leading-axis Sum/Mean on XNNPACK, copy-free Identity. Chosen from the per-kernel
// profile of a training step (benchmarks/src/profile/tfjs-step-profile.ts; packages/tfjs README, Performance).
import { registerIdentityKernel, unregisterIdentityKernel } from './identity-kernel.ts';
import { registerMatMulKernel, unregisterMatMulKernel } from './matmul-kernel.ts';
import { registerReduceKernels, unregisterReduceKernels } from './reduce-kernels.ts';

/**
 * Registers the wasm replacement kernels for BatchMatMul (transposed operands), Sum/Mean (leading axes) and
 * Identity (shared buffer). Each agrees with the stock kernel within float32 summation order. Idempotent.
 *
 * @throws Error when the wasm kernels are not registered (import @tensorflow/tfjs-backend-wasm first)
 * @example
 * ```ts
 * await import('@tensorflow/tfjs-backend-wasm');
 * registerWasmTrainingKernels();
 * ```
 */
export function registerWasmTrainingKernels(): void {
  registerMatMulKernel();
  registerReduceKernels();
  registerIdentityKernel();
}

/** Restores the stock kernels replaced by {@link registerWasmTrainingKernels}. No-op when not registered. */
export function unregisterWasmTrainingKernels(): void {
  unregisterIdentityKernel();
  unregisterReduceKernels();
  unregisterMatMulKernel();
}
