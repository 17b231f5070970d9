// A 3×3 stride-1 NHWC convolution on the wasm backend by Winograd's F(2×2, 3×3) (assembly/conv2d-winograd.ts): 16
// multiplies per 2×2 output tile and channel pair instead of 36, 1.3–2.3× faster than XNNPACK on ResNet-20's layers.
// conv-gradients.ts uses it for the input gradient of such layers only: Winograd's transforms round differently
// from a direct sum (∞-norm relative error ≈ 10⁻⁶ against 10⁻⁷), and in the forward pass that difference can flip
// the codes of a quantizer downstream, whereas a gradient only carries it on.
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { wasmTrainingModule } from './wasm-training-module.ts';

/** Whether {@link winogradConv2d} covers a filter [fh, fw, ci, co] (ci a multiple of 4, co of 8). */
export function winogradCovers(fh: number, fw: number, ci: number, co: number): boolean {
  return fh === 3 && fw === 3 && ci % 4 === 0 && co % 8 === 0;
}

/**
 * y [N, outHeight, outWidth, Co] = the correlation of x [N, H, W, Ci] with the 3×3 filter [3, 3, Ci, Co] at stride 1,
 * zero padding `top` rows above and `left` columns before (the output size fixes the other two), on the wasm heap.
 *
 * @param backend - the tfjs-backend-wasm instance
 */
export function winogradConv2d(backend: KernelBackend, x: TensorInfo, filter: TensorInfo, top: number, left: number, outHeight: number, outWidth: number): TensorInfo {
  const [n, h, w, ci] = x.shape as [number, number, number, number];
  const co = filter.shape[3]!;
  const wasm = wasmTrainingModule(backend);
  const y = wasm.alloc([n, outHeight, outWidth, co]);
  const transformed = 16 * ci * co;
  const scratch = wasm.alloc([transformed + 256 + 64 * ci + 64 * co]); // U, then the kernel's tile buffers
  const at = wasm.offset(scratch);
  wasm.kernels.winogradFilter(wasm.offset(filter), ci, co, at);
  wasm.kernels.conv2dWinograd(wasm.offset(x), at, wasm.offset(y), at + 4 * transformed, 0, n, h, w, ci, outHeight, outWidth, co, top, left);
  backend.disposeData(scratch.dataId);
  return y;
}
