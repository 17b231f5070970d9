// BatchMatMul for the wasm backend without its slow transposed path. tfjs-backend-wasm 4.22.0 hands only
// untransposed products to XNNPACK; transposeA or transposeB takes a naive loop that is ~10× slower: the
// dense gradients dX = dY·Wᵀ and dW = Xᵀ·dY of LeNet-5's fc1 (64×800·800×500) took 70 and 57 ms against 6–7 ms
// for the same products with the operand transposed first (benchmarks/src/profile/tfjs-step-profile.ts put
// BatchMatMul at 48% of a LeNet-5 training step). The replacement transposes the flagged operands with the
// backend's Transpose kernel and calls the stock kernel untransposed: the same products, summed in XNNPACK's order.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

/** The stock wasm BatchMatMul while the replacement is registered. */
let stock: KernelConfig | undefined;

interface MatMulAttrs {
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

function untransposed(original: KernelConfig): KernelFunc {
  return (args) => {
    const { transposeA, transposeB } = args.attrs as unknown as MatMulAttrs;
    if (!transposeA && !transposeB) return original.kernelFunc(args);
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const backend = args.backend as KernelBackend;
    const transpose = tf.getKernel('Transpose', 'wasm')!.kernelFunc;
    // swap the last two axes; a rank-2 or higher operand (BatchMatMul's own precondition)
    const swap = (t: TensorInfo): TensorInfo => {
      const perm = t.shape.map((_, i) => i);
      const r = perm.length;
      [perm[r - 2], perm[r - 1]] = [r - 1, r - 2];
      return transpose({ inputs: { x: t }, backend, attrs: { perm } }) as TensorInfo;
    };
    const at = transposeA ? swap(a) : a;
    const bt = transposeB ? swap(b) : b;
    try {
      return original.kernelFunc({ ...args, inputs: { a: at, b: bt }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    } finally {
      if (at !== a) backend.disposeData(at.dataId);
      if (bt !== b) backend.disposeData(bt.dataId);
    }
  };
}

/**
 * Replaces the wasm backend's `BatchMatMul` with one that materialises transposed operands (Transpose kernel)
 * before the stock, untransposed XNNPACK product; this serves every `tf.matMul` with `transposeA`/`transposeB`,
 * notably the gradients of dense layers. Values agree with the stock kernel within float32 summation order.
 * Registering twice is a no-op.
 *
 * @throws Error when the wasm kernels are not registered (import @tensorflow/tfjs-backend-wasm first)
 * @example
 * ```ts
 * await import('@tensorflow/tfjs-backend-wasm');
 * registerMatMulKernel();
 * ```
 */
export function registerMatMulKernel(): void {
  if (stock) return;
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (!original || !tf.getKernel('Transpose', 'wasm')) {
    throw new Error('registerMatMulKernel: import @tensorflow/tfjs-backend-wasm first (its BatchMatMul and Transpose kernels are not registered)');
  }
  stock = original;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...original, kernelFunc: untransposed(original) });
}

/** Restores the stock wasm `BatchMatMul` replaced by {@link registerMatMulKernel}. No-op when not registered. */
export function unregisterMatMulKernel(): void {
  if (!stock) return;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel(stock);
  stock = undefined;
}

/** Whether {@link registerMatMulKernel} is in effect. */
export function hasMatMulKernel(): boolean {
  return stock !== undefined;
}
