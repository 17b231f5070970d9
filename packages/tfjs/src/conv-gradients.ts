// Replacement Conv2DBackpropFilter / Conv2DBackpropInput kernels for the wasm and cpu backends (environment-notes
// §1: wasm has no Conv2DBackpropFilter and a slow Conv2DBackpropInput; cpu's Conv2DBackpropFilter is ~100× slower
// than its Conv2D). Both are built from the backend's own forward kernels, except on wasm, where SIMD kernels of ours
// (assembly/) compute the filter gradient, the input gradient of strided layers and, by Winograd F(2×2, 3×3), that
// of 3×3 stride-1 layers.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { wasmTrainingModule } from './wasm-training-module.ts';
import { winogradConv2d, winogradCovers } from './winograd-conv2d.ts';

/** Backends that get the replacement kernels. */
export type ConvGradientBackend = 'wasm' | 'cpu';

const KERNELS = ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const;
const FORWARD = ['Conv2D', 'Transpose', 'PadV2', 'Slice', 'Reverse', 'Reshape'] as const;
type Forward = (typeof FORWARD)[number];

/** The kernel configs that were registered before ours (undefined: none), per backend. */
const replaced = new Map<ConvGradientBackend, Map<string, KernelConfig | undefined>>();

/** Explicit NHWC pads: [[0, 0], [top, bottom], [left, right], [0, 0]]. */
export type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

interface Conv2DGradAttrs {
  readonly strides: number | [number, number];
  readonly pad: 'valid' | 'same' | number | ExplicitPad;
  readonly dataFormat: 'NHWC' | 'NCHW';
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Runs forward kernels of one backend directly (no engine, no tape) and remembers every output, so the
 * caller frees all intermediates with one `release(result)` call.
 */
function kernelRunner(backendName: ConvGradientBackend, backend: KernelBackend) {
  const created: TensorInfo[] = [];
  const call = (name: Forward, inputs: Record<string, TensorInfo>, attrs: object): TensorInfo => {
    const config = tf.getKernel(name, backendName);
    if (!config) throw new Error(`conv-gradients: the ${backendName} backend has no ${name} kernel`);
    const out = config.kernelFunc({ inputs, backend, attrs: attrs as NamedAttrMap }) as TensorInfo;
    created.push(out);
    return out;
  };
  return {
    conv: (x: TensorInfo, filter: TensorInfo, pad: ExplicitPad, dilations: [number, number]) =>
      call('Conv2D', { x, filter }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations, dimRoundingMode: undefined }),
    transpose: (x: TensorInfo, perm: number[]) => call('Transpose', { x }, { perm }),
    pad: (x: TensorInfo, paddings: [number, number][]) => call('PadV2', { x }, { paddings, constantValue: 0 }),
    slice: (x: TensorInfo, begin: number[], size: number[]) => call('Slice', { x }, { begin, size }),
    reverse: (x: TensorInfo, dims: number[]) => call('Reverse', { x }, { dims }),
    reshape: (x: TensorInfo, shape: number[]) => call('Reshape', { x }, { shape }),
    /** Frees every output made through this runner except `keep`. */
    release(keep: TensorInfo): void {
      for (const t of created) if (t !== keep) backend.disposeData(t.dataId);
    },
  };
}

function convInfo(xShape: readonly number[], filterShape: readonly number[], a: Conv2DGradAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
}

function fallback(backendName: ConvGradientBackend, kernelName: string, args: Parameters<KernelFunc>[0], why: string): TensorInfo {
  const stock = replaced.get(backendName)?.get(kernelName);
  if (!stock) throw new Error(`conv-gradients: ${kernelName} on ${backendName}: ${why}, and the backend has no stock kernel to fall back to`);
  return stock.kernelFunc(args) as TensorInfo;
}

/**
 * dW[a, b, ci, co] = Σ_{n,i,j} x[n, i·sh + a − top, j·sw + b − left, ci] · dy[n, i, j, co], on wasm by the SIMD
 * kernel in place on the heap; elsewhere (cpu) as a stride-1 Conv2D of
 * xᵀ[ci, H, W, n] with the filter dyᵀ[Ho, Wo, n, co] dilated by the forward stride. The bottom/right pads are
 * whatever makes that output exactly fh × fw; a negative one (input rows the forward never read, e.g. 1×1
 * stride-2 'same') slices x instead.
 */
function backpropFilter(backendName: ConvGradientBackend): KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as Conv2DGradAttrs & { filterShape: [number, number, number, number] };
    if (attrs.dataFormat === 'NCHW') return fallback(backendName, 'Conv2DBackpropFilter', args, 'NCHW is not supported');
    const info = convInfo(x.shape, attrs.filterShape, attrs);
    const [n, h, w, ci] = x.shape as [number, number, number, number];
    const { top, left } = info.padInfo;
    if (backendName === 'wasm') {
      const [, ho, wo, co] = dy.shape as [number, number, number, number];
      const wasm = wasmTrainingModule(args.backend as KernelBackend);
      const dw = wasm.alloc(attrs.filterShape);
      const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
      wasm.kernels.conv2dBackpropFilter(wasm.offset(x), wasm.offset(dy), wasm.offset(dw), 0, n, h, w, ci, ho, wo, co, fh, fw, sh, sw, top, left);
      return dw;
    }
    const bottom = (info.outHeight - 1) * info.strideHeight + info.filterHeight - h - top;
    const right = (info.outWidth - 1) * info.strideWidth + info.filterWidth - w - left;
    const k = kernelRunner(backendName, args.backend as KernelBackend);
    const xs = bottom < 0 || right < 0 ? k.slice(x, [0, 0, 0, 0], [n, h + Math.min(bottom, 0), w + Math.min(right, 0), ci]) : x;
    const xT = k.transpose(xs, [3, 1, 2, 0]);
    const dyT = k.transpose(dy, [1, 2, 0, 3]);
    const pad: ExplicitPad = [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]];
    const dwT = k.conv(xT, dyT, pad, [info.strideHeight, info.strideWidth]);
    const dw = k.transpose(dwT, [1, 2, 0, 3]);
    k.release(dw);
    return dw;
  };
}

/**
 * Strided convolutions on wasm with ci a multiple of 8 and co of 4 take the SIMD kernel
 * (assembly/conv2d-backprop-input.ts), which visits only each output pixel's own taps; on wasm, the stride-1
 * convolution below runs by Winograd F(2×2, 3×3) when the filter is 3×3, co a multiple of 4 and ci of 8. Otherwise
 * dx[n, h, w, ci] = Σ_{a,b,co} D[n, h + top − a, w + left − b, co] · W[a, b, ci, co] with D = dy zero-dilated by
 * the stride: a stride-1 Conv2D of D with the flipped filter transposed to [fh, fw, co, ci]. D is built with
 * two reshape + PadV2 steps (one zero row/column block after each dy row/column); where an implied pad is
 * negative, the rows/columns of D that only reach dx outside the input are sliced off.
 */
function backpropInput(backendName: ConvGradientBackend): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as Conv2DGradAttrs & { inputShape: [number, number, number, number] };
    if (attrs.dataFormat === 'NCHW') return fallback(backendName, 'Conv2DBackpropInput', args, 'NCHW is not supported');
    const info = convInfo(attrs.inputShape, filter.shape, attrs);
    const [, h, w, ci] = attrs.inputShape;
    const [n, ho, wo, co] = dy.shape as [number, number, number, number];
    const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
    if (backendName === 'wasm' && Math.max(sh, sw) > 1 && ci % 8 === 0 && co % 4 === 0) {
      const wasm = wasmTrainingModule(args.backend as KernelBackend);
      const dx = wasm.alloc(attrs.inputShape);
      const packed = fh * fw * ci * co;
      const scratch = wasm.scratch(packed + co); // the packed filter, then co zeros
      wasm.kernels.packBackpropInputFilter(wasm.offset(filter), fh * fw, ci, co, scratch.at);
      wasm.kernels.conv2dBackpropInput(wasm.offset(dy), scratch.at, wasm.offset(dx), scratch.at + 4 * packed, 0, n, h, w, ci, ho, wo, co, fh, fw, sh, sw, info.padInfo.top, info.padInfo.left);
      scratch.free();
      return dx;
    }
    const hd = ho * sh;
    const wd = wo * sw;
    const padTop = fh - 1 - info.padInfo.top;
    const padBottom = h + info.padInfo.top - hd;
    const padLeft = fw - 1 - info.padInfo.left;
    const padRight = w + info.padInfo.left - wd;
    const cropTop = Math.max(0, -padTop);
    const cropLeft = Math.max(0, -padLeft);
    const keptH = hd - cropTop - Math.max(0, -padBottom);
    const keptW = wd - cropLeft - Math.max(0, -padRight);
    if (keptH <= 0 || keptW <= 0) return fallback(backendName, 'Conv2DBackpropInput', args, 'the pads leave no rows of dy');
    const k = kernelRunner(backendName, args.backend as KernelBackend);
    let d = dy;
    if (sh > 1) d = k.reshape(k.pad(k.reshape(d, [n * ho, 1, wo * co]), [[0, 0], [0, sh - 1], [0, 0]]), [n, hd, wo, co]);
    if (sw > 1) d = k.reshape(k.pad(k.reshape(d, [n * hd * wo, 1, co]), [[0, 0], [0, sw - 1], [0, 0]]), [n, hd, wd, co]);
    if (keptH < hd || keptW < wd) d = k.slice(d, [0, cropTop, cropLeft, 0], [n, keptH, keptW, co]);
    const flipped = k.transpose(k.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    const pad: ExplicitPad = [[0, 0], [Math.max(padTop, 0), Math.max(padBottom, 0)], [Math.max(padLeft, 0), Math.max(padRight, 0)], [0, 0]];
    const dx =
      backendName === 'wasm' && sh === 1 && sw === 1 && winogradCovers(fh, fw, co, ci)
        ? winogradConv2d(args.backend as KernelBackend, d, flipped, pad[1][0], pad[2][0], h, w)
        : k.conv(d, flipped, pad, [1, 1]);
    k.release(dx);
    return dx;
  };
}

function checkBackendName(fn: string, backendName: string): asserts backendName is ConvGradientBackend {
  if (backendName !== 'wasm' && backendName !== 'cpu') {
    throw new RangeError(`${fn}: backendName must be 'wasm' or 'cpu', got ${JSON.stringify(backendName)}`);
  }
}

/**
 * Registers the replacement `Conv2DBackpropFilter` and `Conv2DBackpropInput` kernels for one backend; they
 * then serve every `tf.conv2d` gradient on it. They call only that backend's Conv2D, Transpose, PadV2, Slice,
 * Reverse and Reshape kernels and free their intermediates. Registering twice is a no-op.
 * NCHW data (and inputs whose pads leave no dy rows) fall back to the stock kernel.
 *
 * @param backendName - `'wasm'` or `'cpu'`; its package must be loaded (its forward kernels registered)
 * @throws RangeError for another backend name; Error when a needed forward kernel is not registered
 * @example
 * ```ts
 * await import('@tensorflow/tfjs-backend-wasm');
 * registerConvGradientKernels('wasm');
 * ```
 */
export function registerConvGradientKernels(backendName: ConvGradientBackend): void {
  checkBackendName('registerConvGradientKernels', backendName);
  if (replaced.has(backendName)) return;
  const missing = FORWARD.filter((name) => !tf.getKernel(name, backendName));
  if (missing.length > 0) {
    throw new Error(`registerConvGradientKernels: the ${backendName} backend lacks the kernels ${missing.join(', ')}; import @tensorflow/tfjs-backend-${backendName} first`);
  }
  const saved = new Map<string, KernelConfig | undefined>();
  for (const name of KERNELS) {
    const stock = tf.getKernel(name, backendName);
    saved.set(name, stock);
    if (stock) tf.unregisterKernel(name, backendName); // avoids tfjs's "already registered" warning
  }
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName, kernelFunc: backpropFilter(backendName) });
  tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName, kernelFunc: backpropInput(backendName) });
  replaced.set(backendName, saved);
}

/**
 * Removes the replacement kernels of {@link registerConvGradientKernels} and restores the stock ones (wasm
 * has no stock Conv2DBackpropFilter: convolution gradients then fail there again). No-op when not registered.
 *
 * @param backendName - `'wasm'` or `'cpu'`
 * @throws RangeError for another backend name
 */
export function unregisterConvGradientKernels(backendName: ConvGradientBackend): void {
  checkBackendName('unregisterConvGradientKernels', backendName);
  const saved = replaced.get(backendName);
  if (!saved) return;
  for (const name of KERNELS) {
    tf.unregisterKernel(name, backendName);
    const stock = saved.get(name);
    if (stock) tf.registerKernel(stock);
  }
  replaced.delete(backendName);
}

/** Whether the replacement kernels are registered for `backendName`. */
export function hasConvGradientKernels(backendName: string): boolean {
  return replaced.has(backendName as ConvGradientBackend);
}
