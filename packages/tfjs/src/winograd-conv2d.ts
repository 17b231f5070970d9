// A 3×3 stride-1 NHWC convolution on the wasm backend by Winograd's F(2×2, 3×3) (assembly/conv2d-winograd.ts): 16
// multiplies per 2×2 output tile and channel pair instead of 36, 1.3–2.3× faster than XNNPACK on ResNet-20's layers.
// conv-gradients.ts uses it for the input gradient of such layers, and compileGraph for the forward pass of graphs
// without quantizers (kernel `QpConv2DWinograd`). Winograd's transforms round differently from a direct sum (∞-norm
// relative error ≈ 10⁻⁶ against 10⁻⁷): in a quantized graph's forward pass that difference could flip the codes of
// a quantizer downstream, whereas a gradient, or an unquantized network, only carries it on.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelBackend, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { ExplicitPad } from './conv-gradients.ts';
import { wasmTrainingModule } from './wasm-training-module.ts';

/** The forward kernel: inputs x, filter; attr pad (explicit, NHWC); stride 1, dilation 1. */
const KERNEL = 'QpConv2DWinograd';


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
  const scratch = wasm.scratch(transformed + 256 + 64 * ci + 64 * co); // U, then the kernel's tile buffers
  wasm.kernels.winogradFilter(wasm.offset(filter), ci, co, scratch.at);
  wasm.kernels.conv2dWinograd(wasm.offset(x), scratch.at, wasm.offset(y), scratch.at + 4 * transformed, 0, n, h, w, ci, outHeight, outWidth, co, top, left);
  scratch.free();
  return y;
}

const forward: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number], 1, 1, (attrs as unknown as { pad: ExplicitPad }).pad,
  );
  return winogradConv2d(backend as KernelBackend, x, filter, info.padInfo.top, info.padInfo.left, info.outHeight, info.outWidth);
};

/** The gradients through the backend's Conv2DBackpropInput/Filter kernels (this package's replacements on wasm). */
const gradient: GradConfig = {
  kernelName: KERNEL,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const common = { strides: [1, 1], pad: (attrs as unknown as { pad: ExplicitPad }).pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
    return {
      x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: dy as tf.Tensor, filter }, { ...common, inputShape: x.shape } as unknown as NamedAttrMap) as tf.Tensor,
      filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dy as tf.Tensor }, { ...common, filterShape: filter.shape } as unknown as NamedAttrMap) as tf.Tensor,
    };
  },
};

/** Registers the `QpConv2DWinograd` kernel for wasm and its gradient (used by compileGraph for unquantized graphs). Idempotent. */
export function registerWinogradConv2D(): void {
  if (tf.getKernel(KERNEL, 'wasm')) return;
  tf.registerKernel({ kernelName: KERNEL, backendName: 'wasm', kernelFunc: forward });
  tf.registerGradient(gradient);
}

/** Removes the kernel of {@link registerWinogradConv2D}. No-op when not registered. */
export function unregisterWinogradConv2D(): void {
  if (!tf.getKernel(KERNEL, 'wasm')) return;
  tf.unregisterKernel(KERNEL, 'wasm');
  tf.unregisterGradient(KERNEL);
}

/**
 * conv2d(x, filter) at stride 1 with explicit pads, by Winograd on the active backend when its kernel is registered
 * there and covers the filter; otherwise undefined (the caller runs tf.conv2d).
 */
export function winogradConv2dOp(x: tf.Tensor4D, filter: tf.Tensor4D, pad: ExplicitPad): tf.Tensor4D | undefined {
  const [fh, fw, ci, co] = filter.shape;
  if (!winogradCovers(fh, fw, ci, co) || x.dtype !== 'float32' || !tf.getKernel(KERNEL, tf.getBackend())) return undefined;
  return tf.engine().runKernel(KERNEL, { x, filter }, { pad } as unknown as NamedAttrMap) as tf.Tensor4D;
}
