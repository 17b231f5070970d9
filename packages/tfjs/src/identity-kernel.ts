// Identity for the wasm backend without a copy. The gradient tape keeps every tensor a backward pass needs as
// `keep(clone(t))`, and clone runs the Identity kernel, which tfjs-backend-wasm 4.22.0 implements as a full
// memcpy into a new buffer: 672 copies per ResNet-20 training step, 5 % of it
// (benchmarks/src/profile/tfjs-step-profile.ts). Kernels never write into their inputs, so the clone can share
// the buffer and count one more reference, as the cpu and webgl backends and wasm's own Reshape do.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

/** The stock wasm Identity while the replacement is registered. */
let stock: KernelConfig | undefined;

const sharedIdentity: KernelFunc = (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string') return stock!.kernelFunc(args);
  (args.backend as KernelBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
};

/**
 * Replaces the wasm backend's `Identity` (used by `tf.clone` and by the gradient tape for every saved
 * tensor) with one that shares the input's buffer (reference count + 1) instead of copying it. String tensors
 * keep the stock kernel. Registering twice is a no-op.
 *
 * @throws Error when the wasm kernels are not registered (import @tensorflow/tfjs-backend-wasm first)
 */
export function registerIdentityKernel(): void {
  if (stock) return;
  const original = tf.getKernel('Identity', 'wasm');
  if (!original) throw new Error('registerIdentityKernel: import @tensorflow/tfjs-backend-wasm first (no wasm Identity kernel is registered)');
  stock = original;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ ...original, kernelFunc: sharedIdentity });
}

/** Restores the stock wasm `Identity` replaced by {@link registerIdentityKernel}. No-op when not registered. */
export function unregisterIdentityKernel(): void {
  if (!stock) return;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel(stock);
  stock = undefined;
}
