// Fast broadcasting for the wasm backend's generic binary kernels. tfjs-backend-wasm 4.22.0 runs Equal,
// Greater, Maximum, … with a slow path whenever the operands have the same rank but different shapes:
// Equal of a [64, 32, 32, 16] tensor with a [1, 1, 1, 1] one takes 350 ms, with a rank-0 scalar 14 ms
// (benchmarks/ measured on this machine). TF.js's gradient of max/min builds exactly that case
// (equal(x, reshape(max, [1, 1, 1, 1]))), which made DoReFa's max|tanh(w)| normalisation cost 4.5 s of a
// 12.5 s ResNet-20 step. The replacement drops the leading 1-dimensions of the smaller operand (a reshape,
// no copy) before calling the stock kernel; numpy-style broadcasting gives the same output shape and values.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

/** The wasm binary kernels with the slow same-rank broadcasting (Add/Sub/Mul/Div use XNNPACK and are fine). */
export const BROADCAST_KERNELS: readonly string[] = [
  'Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Maximum', 'Minimum',
  'Pow', 'FloorDiv', 'Mod', 'Atan2', 'LogicalAnd', 'LogicalOr', 'LogicalXor',
];

/** Stock kernel configs replaced by {@link registerBroadcastKernels}. */
const replaced = new Map<string, KernelConfig>();

/** `shape` without its leading 1s. */
function dropLeadingOnes(shape: readonly number[]): number[] {
  const first = shape.findIndex((d) => d !== 1);
  return first === -1 ? [] : shape.slice(first);
}

function wrap(stock: KernelConfig): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const backend = args.backend as KernelBackend;
    const size = (t: TensorInfo): number => t.shape.reduce((p, d) => p * d, 1);
    // Only the smaller operand is reshaped, and only if the other one has at least its rank, so the
    // broadcast output shape stays the same.
    const small = size(a) < size(b) && b.shape.length >= a.shape.length ? 'a' : size(b) < size(a) && a.shape.length >= b.shape.length ? 'b' : undefined;
    const target = small === 'a' ? a : b;
    const shape = small ? dropLeadingOnes(target.shape) : target.shape;
    if (!small || shape.length === target.shape.length) return stock.kernelFunc(args);
    const reshape = tf.getKernel('Reshape', 'wasm')!.kernelFunc;
    const squeezed = reshape({ inputs: { x: target }, backend, attrs: { shape } }) as TensorInfo;
    try {
      return stock.kernelFunc({ ...args, inputs: small === 'a' ? { a: squeezed, b } : { a, b: squeezed } });
    } finally {
      backend.disposeData(squeezed.dataId);
    }
  };
}

/**
 * Wraps the wasm backend's generic binary kernels ({@link BROADCAST_KERNELS}) so that an operand such as
 * `[1, 1, 1, C]` against `[N, H, W, C]` is passed as `[C]`, which the stock kernels broadcast 10–25× faster.
 * Values and shapes are unchanged. Registering twice is a no-op.
 *
 * @throws Error when the wasm kernels are not registered (import @tensorflow/tfjs-backend-wasm first)
 */
export function registerBroadcastKernels(): void {
  if (replaced.size > 0) return;
  if (!tf.getKernel('Reshape', 'wasm')) throw new Error('registerBroadcastKernels: import @tensorflow/tfjs-backend-wasm first (no wasm kernels are registered)');
  for (const name of BROADCAST_KERNELS) {
    const stock = tf.getKernel(name, 'wasm');
    if (!stock) continue;
    replaced.set(name, stock);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...stock, kernelFunc: wrap(stock) });
  }
}

/** Restores the stock kernels replaced by {@link registerBroadcastKernels}. No-op when not registered. */
export function unregisterBroadcastKernels(): void {
  for (const [name, stock] of replaced) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(stock);
  }
  replaced.clear();
}
