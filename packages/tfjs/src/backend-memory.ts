// Direct access to a backend's float32 buffers, for the fused kernels written as plain loops (fused-batch-norm.ts,
// fused-dorefa.ts): the wasm backend's heap or the cpu backend's arrays, through their public methods.
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

/** The backends whose buffers {@link backendMemory} reaches. */
export type MemoryBackend = 'wasm' | 'cpu';

/** A backend's float32 buffers as typed arrays. */
export interface BackendMemory {
  /** A new float32 buffer of `shape` (its contents are overwritten by the kernel). */
  alloc(shape: readonly number[]): TensorInfo;
  /** The buffer's values, in place (on wasm a view of the heap: take views only after every allocation). */
  view(t: TensorInfo): Float32Array;
}

/** The public methods of BackendWasm used here. */
interface WasmBackend extends KernelBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

/** The public members of MathBackendCPU used here. */
interface CpuBackend extends KernelBackend {
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
  data: { get(dataId: object): { values: unknown } };
}

/**
 * The float32 buffers of `backend` (the instance a kernel function receives).
 *
 * @param name - which backend it is
 * @param backend - the backend instance
 * @returns allocation and in-place views
 */
export function backendMemory(name: MemoryBackend, backend: KernelBackend): BackendMemory {
  if (name === 'wasm') {
    const wasm = backend as WasmBackend;
    return { alloc: (shape) => wasm.makeOutput([...shape], 'float32'), view: (t) => wasm.typedArrayFromHeap(t) };
  }
  const cpu = backend as CpuBackend;
  return {
    alloc: (shape) => cpu.makeTensorInfo([...shape], 'float32', new Float32Array(shape.reduce((p, d) => p * d, 1))),
    view: (t) => {
      const values = cpu.data.get(t.dataId).values;
      if (!(values instanceof Float32Array)) throw new TypeError(`backendMemory: the cpu backend holds no Float32Array for a float32 tensor of shape [${t.shape.join(', ')}]`);
      return values;
    },
  };
}
