// Sum and Mean over the leading axes for the wasm backend, mostly on XNNPACK. tfjs-backend-wasm 4.22.0 reduces
// only innermost axes: Sum/Mean of an NHWC activation over [0, 1, 2] (BatchNorm statistics, and the gradient of
// every per-channel broadcast) first transposes the whole tensor, then reduces. That made Sum and Mean 17 % of
// a ResNet-20 training step (benchmarks/src/profile/tfjs-step-profile.ts). Here x is read as a [M/G, G·C]
// matrix (a reshape, no copy) and multiplied by the constant [G·C, C] matrix S with S[g·C + c, c'] = δ(c, c')
// (times 1/M for Mean): one GEMM adds G rows at once, and the stock kernel reduces the M/G partial rows.
// XNNPACK packs the right operand on every call, so S (not x) is that operand, and it is kept small.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

const KERNELS = ['Sum', 'Mean'] as const;

/** Stock configs while the replacements are registered. */
const replaced = new Map<string, KernelConfig>();

interface ReduceAttrs {
  /** null or undefined: every axis. */
  readonly axis: number | number[] | null | undefined;
  readonly keepDims: boolean;
}

/**
 * The number k when `axis` names exactly the leading axes 0..k−1 of a rank-`rank` tensor with k < rank, else 0
 * (also for null/undefined, which means every axis).
 */
export function leadingAxes(axis: number | readonly number[] | null | undefined, rank: number): number {
  if (axis === null || axis === undefined) return 0;
  const axes = [...new Set((typeof axis === 'number' ? [axis] : axis).map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
  if (axes.length === 0 || axes.length >= rank) return 0;
  return axes.every((a, i) => a === i) ? axes.length : 0;
}

/**
 * Widest C on the GEMM path: the GEMM does C multiply-adds per value, the stock transpose + reduce O(1). Measured
 * on NHWC batch-64 tensors (fresh inputs): C = 16, 20, 32 took 0.1–0.85× the stock time, C = 50 and 64 (at
 * M = 4,096) 2–4×.
 */
const MAX_CHANNELS = 32;
/** Rows added per GEMM row: at most 64, a power of two dividing M; S then has ≤ 64·32² values (256 KiB). */
const MAX_GROUP = 64;
const selections = new Map<string, Float32Array>();

/** S of `group` × `c` with entries `value` (see the file comment), cached by shape and value (≤ 16 × 256 KiB). */
function selection(group: number, c: number, value: number): Float32Array {
  const key = `${group}/${c}/${value}`;
  let s = selections.get(key);
  if (!s) {
    s = new Float32Array(group * c * c);
    for (let g = 0; g < group; g++) for (let i = 0; i < c; i++) s[(g * c + i) * c + i] = value;
    if (selections.size >= 16) selections.clear();
    selections.set(key, s);
  }
  return s;
}

/** The group size G for M rows of C values, or 1 when the GEMM would not pay (then the stock kernel runs). */
export function groupSize(m: number, c: number): number {
  if (c > MAX_CHANNELS) return 1;
  let g = 1;
  while (g < MAX_GROUP && m % (2 * g) === 0) g *= 2;
  return g >= 4 ? g : 1;
}

/** The wasm backend methods used here (public methods of BackendWasm). */
interface WasmBackend extends KernelBackend {
  makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): TensorInfo;
}

function leadingReduction(name: (typeof KERNELS)[number], stock: KernelConfig): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as ReduceAttrs;
    const k = leadingAxes(axis, x.shape.length);
    if (x.dtype !== 'float32' || k === 0) return stock.kernelFunc(args);
    const m = x.shape.slice(0, k).reduce((p, d) => p * d, 1);
    const inner = x.shape.slice(k);
    const c = inner.reduce((p, d) => p * d, 1);
    const group = groupSize(m, c);
    if (group === 1) return stock.kernelFunc(args);
    const backend = args.backend as WasmBackend;
    const kernel = (n: string): KernelFunc => tf.getKernel(n, 'wasm')!.kernelFunc;
    const s = backend.makeOutput([group * c, c], 'float32', undefined, selection(group, c, name === 'Mean' ? 1 / m : 1));
    const matrix = kernel('Reshape')({ inputs: { x }, backend, attrs: { shape: [m / group, group * c] } }) as TensorInfo;
    const partial = kernel('BatchMatMul')({ inputs: { a: matrix, b: s }, backend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
    backend.disposeData(s.dataId);
    backend.disposeData(matrix.dataId);
    try {
      // the partial rows are summed (for Mean too: S carries the 1/M) by the stock Sum
      const stockSum = replaced.get('Sum')!.kernelFunc;
      const summed = stockSum({ inputs: { x: partial }, backend, attrs: { axis: [0], keepDims: false } }) as TensorInfo;
      const shape = keepDims ? [...x.shape.slice(0, k).map(() => 1), ...inner] : inner;
      const out = kernel('Reshape')({ inputs: { x: summed }, backend, attrs: { shape } }) as TensorInfo;
      backend.disposeData(summed.dataId);
      return out;
    } finally {
      backend.disposeData(partial.dataId);
    }
  };
}

/**
 * Replaces the wasm backend's `Sum` and `Mean` with kernels that reduce float32 tensors over their leading axes
 * (e.g. NHWC over [0, 1, 2]) with one XNNPACK GEMM that adds up to 64 rows at a time, then the stock kernel on
 * the partial sums, instead of transposing the whole tensor. Other axes, dtypes and shapes where the GEMM would
 * not pay (more than 32 values per row, or fewer than 4 rows per group) go to the stock kernels. Values agree with the stock kernels within float32 summation order.
 * Registering twice is a no-op.
 *
 * @throws Error when the wasm kernels are not registered (import @tensorflow/tfjs-backend-wasm first)
 */
export function registerReduceKernels(): void {
  if (replaced.size > 0) return;
  const missing = [...KERNELS, 'Reshape', 'BatchMatMul'].filter((n) => !tf.getKernel(n, 'wasm'));
  if (missing.length > 0) throw new Error(`registerReduceKernels: import @tensorflow/tfjs-backend-wasm first (no wasm ${missing.join(', ')} kernel)`);
  for (const name of KERNELS) {
    const stock = tf.getKernel(name, 'wasm')!;
    replaced.set(name, stock);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...stock, kernelFunc: leadingReduction(name, stock) });
  }
}

/** Restores the stock wasm `Sum` and `Mean` replaced by {@link registerReduceKernels}. No-op when not registered. */
export function unregisterReduceKernels(): void {
  for (const [name, stock] of replaced) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(stock);
  }
  replaced.clear();
}
