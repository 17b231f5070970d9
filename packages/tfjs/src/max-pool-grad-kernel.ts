// MaxPoolGrad in one pass over the windows, for wasm and cpu. tfjs-backend-wasm 4.22.0's MaxPoolGrad is slow (23 % of
// the kernel time of a LeNet-5 training step, 48 ms of 209: benchmarks/src/profile/tfjs-step-profile.ts) and wrong:
// a window whose maximum is ≤ 0 passes no gradient at all (max pooling of [−3, −4, 0, 0] gives dx = 0 everywhere;
// the cpu kernel gives 1 to the first 0). Convolutions pooled before their activation, as in LeNet-5, lose the
// gradient of every such window. Here each window is scanned once, all channels of a pixel together (NHWC rows are
// contiguous), and dy goes to the window's first maximum in row-major order (strict >), as the cpu kernel chooses,
// so ties (binarised or ReLU-zero activations) get the same dx. Where windows overlap, a dx element sums the dy of
// several windows in float64, in the cpu kernel's order (windows in row-major order), and is rounded once.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { backendMemory, type MemoryBackend } from './backend-memory.ts';

interface MaxPoolGradAttrs {
  readonly filterSize: number | [number, number];
  readonly strides: number | [number, number];
  readonly pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The stock kernels replaced, per backend. */
const stock = new Map<MemoryBackend, KernelConfig>();

/**
 * dx of a max pool: zeros, plus dy[o] at the first maximum of window o (no gradient for a window of NaN or of
 * padding only).
 */
function maxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  // overlapping windows: float64 sums (as the cpu kernel), else at most one dy per dx element
  const overlap = strideHeight < fh || strideWidth < fw;
  const sums = overlap ? new Float64Array(dx.length) : dx;
  sums.fill(0);
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    const image = b * inHeight * inWidth * c;
    for (let oh = 0; oh < outHeight; oh++) {
      const r0 = oh * strideHeight - top;
      let rMin = r0;
      while (rMin < 0) rMin += dh;
      const rMax = Math.min(inHeight, r0 + fh);
      for (let ow = 0; ow < outWidth; ow++, o += c) {
        const c0 = ow * strideWidth - left;
        let cMin = c0;
        while (cMin < 0) cMin += dw;
        const cMax = Math.min(inWidth, c0 + fw);
        best.fill(Number.NEGATIVE_INFINITY);
        at.fill(-1);
        for (let r = rMin; r < rMax; r += dh) {
          for (let col = cMin; col < cMax; col += dw) {
            const p = image + (r * inWidth + col) * c;
            for (let k = 0; k < c; k++) {
              const v = x[p + k]!;
              if (v > best[k]!) {
                best[k] = v;
                at[k] = p + k;
              }
            }
          }
        }
        for (let k = 0; k < c; k++) {
          const i = at[k]!;
          if (i >= 0) sums[i] = sums[i]! + dy[o + k]!;
        }
      }
    }
  }
  if (overlap) dx.set(sums);
}

function kernel(name: MemoryBackend): KernelFunc {
  return (args) => {
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const attrs = args.attrs as unknown as MaxPoolGradAttrs;
    if (input.dtype !== 'float32') return stock.get(name)!.kernelFunc(args) as TensorInfo;
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    const mem = backendMemory(name, args.backend as KernelBackend);
    const dx = mem.alloc(input.shape);
    maxPoolGrad(mem.view(input), mem.view(dy), mem.view(dx), info); // views after the allocation
    return dx;
  };
}

/**
 * Replaces `backend`'s `MaxPoolGrad` with the one-pass kernel of this module: the cpu kernel's dx, ties included
 * (on wasm also for windows whose maximum is ≤ 0, which the stock wasm kernel drops). Non-float32 inputs keep the
 * stock kernel. Registering twice is a no-op.
 *
 * @param backend - `'wasm'` or `'cpu'`
 * @throws Error when the backend has no MaxPoolGrad kernel (import its package first)
 */
export function registerMaxPoolGradKernel(backend: MemoryBackend): void {
  if (stock.has(backend)) return;
  const original = tf.getKernel('MaxPoolGrad', backend);
  if (!original) throw new Error(`registerMaxPoolGradKernel: import @tensorflow/tfjs-backend-${backend} first (no ${backend} MaxPoolGrad kernel is registered)`);
  stock.set(backend, original);
  tf.unregisterKernel('MaxPoolGrad', backend);
  tf.registerKernel({ ...original, kernelFunc: kernel(backend) });
}

/** Restores the stock `MaxPoolGrad` of `backend`. No-op when not replaced. */
export function unregisterMaxPoolGradKernel(backend: MemoryBackend): void {
  const original = stock.get(backend);
  if (!original) return;
  tf.unregisterKernel('MaxPoolGrad', backend);
  tf.registerKernel(original);
  stock.delete(backend);
}
