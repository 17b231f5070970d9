// The wasm training kernels of this package that go beyond the conv gradients and broadcasting comparisons:
// untransposed BatchMatMul, leading-axis Sum/Mean on XNNPACK, copy-free Identity, fused BatchNorm training,
// fused DoReFa quantizers, the Winograd 3×3 convolution of unquantized graphs.
// Chosen from the per-kernel profile of a training step (benchmarks/src/profile/tfjs-step-profile.ts; packages/tfjs
// README, Performance).
import { registerFusedBatchNormKernels, unregisterFusedBatchNormKernels } from './fused-batch-norm.ts';
import { registerFusedDoReFaKernels, unregisterFusedDoReFaKernels } from './fused-dorefa.ts';
import { registerIdentityKernel, unregisterIdentityKernel } from './identity-kernel.ts';
import { registerMatMulKernel, unregisterMatMulKernel } from './matmul-kernel.ts';
import { registerReduceKernels, unregisterReduceKernels } from './reduce-kernels.ts';
import { registerWinogradConv2D, unregisterWinogradConv2D } from './winograd-conv2d.ts';

/**
 * Registers the wasm replacement kernels for BatchMatMul (transposed operands), Sum/Mean (leading axes) and
 * Identity (shared buffer), the fused BatchNorm training and DoReFa quantizer kernels that `batchNorm` and the
 * compiled quantizers use when present, and the Winograd convolution compileGraph uses for unquantized graphs. Each agrees with the ops it replaces within float32 summation order.
 * Idempotent.
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
  registerFusedBatchNormKernels('wasm');
  registerFusedDoReFaKernels('wasm');
  registerWinogradConv2D();
}

/** Restores the stock kernels replaced by {@link registerWasmTrainingKernels}. No-op when not registered. */
export function unregisterWasmTrainingKernels(): void {
  unregisterWinogradConv2D();
  unregisterFusedDoReFaKernels('wasm');
  unregisterFusedBatchNormKernels('wasm');
  unregisterIdentityKernel();
  unregisterReduceKernels();
  unregisterMatMulKernel();
}
