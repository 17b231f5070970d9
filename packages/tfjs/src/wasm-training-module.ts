// The float32 training kernels compiled from assembly/ (AssemblyScript, SIMD128), instantiated on the TF.js wasm
// backend's own memory so they read and write tensors in place: no copies in or out of the heap. The module has
// no data segments and allocates nothing; a kernel function allocates its outputs with the backend and passes
// their heap offsets.
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { backendMemory } from './backend-memory.ts';
import { OWN_MEMORY_WASM, SHARED_MEMORY_WASM } from './generated/training-kernels-wasm.ts';

/** The functions of assembly/index.ts; pointers are byte offsets into the backend's heap. */
export interface TrainingKernelExports {
  conv2dBackpropFilter(
    x: number, dy: number, dw: number, n0: number, n1: number, h: number, w: number, ci: number, ho: number, wo: number,
    co: number, fh: number, fw: number, sh: number, sw: number, top: number, left: number,
  ): void;
  packBackpropInputFilter(f: number, taps: number, ci: number, co: number, wp: number): void;
  conv2dBackpropInput(
    dy: number, wp: number, dx: number, zeros: number, n0: number, n1: number, h: number, w: number, ci: number, ho: number,
    wo: number, co: number, fh: number, fw: number, sh: number, sw: number, top: number, left: number,
  ): void;
  winogradFilter(f: number, ci: number, co: number, u: number): void;
  conv2dWinograd(
    x: number, u: number, y: number, scratch: number, n0: number, n1: number, h: number, w: number, ci: number, ho: number,
    wo: number, co: number, top: number, left: number,
  ): void;
  batchNormStats(x: number, m: number, c: number, sums: number): void;
  batchNormAffine(x: number, m: number, c: number, a: number, b: number, relu: number, y: number): void;
  batchNormGradSums(dy: number, y: number, relu: number, x: number, m: number, c: number, g: number, sums: number): void;
  batchNormInputGrad(g: number, x: number, m: number, c: number, s: number, p: number, q: number, dx: number): void;
  maxAbs(x: number, n: number): number;
  doReFaCodes(x: number, n: number, bounds: number, levels: number, count: number, y: number): void;
  doReFaTanhGrad(dy: number, x: number, n: number, d: number, dx: number): number;
  doReFaTanhTies(dy: number, x: number, n: number, atMax: number, dMax: number, d: number, w: number, dx: number): void;
}

/** A linear memory (`WebAssembly.Memory`); TypeScript declares `WebAssembly` only in the DOM lib. */
interface WasmMemory {
  readonly buffer: ArrayBufferLike;
}

/** The parts of the global `WebAssembly` object used here. */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: object };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

/** The global `WebAssembly` object. */
export const wasmApi = (): WasmApi => (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The members of tfjs-backend-wasm 4.22.0's BackendWasm used here. */
interface WasmBackend extends KernelBackend {
  wasm: { asm?: { memory?: WasmMemory }; wasmMemory?: WasmMemory };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
}

/** A float32 scratch buffer on the heap, for one kernel call. */
export interface WasmScratch {
  /** Its byte offset in the heap. */
  readonly at: number;
  /** Its values (a view of the heap: take it after every allocation). */
  view(): Float32Array;
  /** Returns the buffer to the backend. */
  free(): void;
}

/** The wasm backend with the training kernels instantiated on its memory. */
export interface WasmTrainingModule {
  readonly kernels: TrainingKernelExports;
  /** Byte offset of a tensor's data in the heap. */
  offset(t: TensorInfo): number;
  /** A new float32 tensor of `shape` on the backend (contents undefined until a kernel writes them). */
  alloc(shape: readonly number[]): TensorInfo;
  /** A scratch buffer of `floats` float32 values (contents undefined). */
  scratch(floats: number): WasmScratch;
}

const instances = new WeakMap<WasmMemory, TrainingKernelExports>();

/** The bytes of a base64 string. */
export function decodeBase64(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function instantiate(memory: WasmMemory): TrainingKernelExports {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  // about 7 KB: synchronous compilation is allowed on the main thread (Chrome ≥ 114, Firefox, Safari, Node)
  const wa = wasmApi();
  const module = new wa.Module(decodeBase64(shared ? SHARED_MEMORY_WASM : OWN_MEMORY_WASM));
  return new wa.Instance(module, { env: { memory } }).exports as TrainingKernelExports;
}

/**
 * The training kernels on `backend`'s heap (instantiated once per heap).
 *
 * @param backend - the tfjs-backend-wasm instance a kernel function receives
 * @throws Error when the backend does not expose its WebAssembly.Memory (another tfjs-backend-wasm build)
 */
export function wasmTrainingModule(backend: KernelBackend): WasmTrainingModule {
  const wasm = backend as WasmBackend;
  const memory = wasm.wasm?.asm?.memory ?? wasm.wasm?.wasmMemory;
  if (!(memory instanceof wasmApi().Memory)) {
    throw new Error('wasmTrainingModule: the wasm backend exposes no WebAssembly.Memory (expected @tensorflow/tfjs-backend-wasm 4.22.0)');
  }
  let kernels = instances.get(memory);
  if (!kernels) {
    kernels = instantiate(memory);
    instances.set(memory, kernels);
  }
  const mem = backendMemory('wasm', backend);
  const offset = (t: TensorInfo): number => {
    const data = wasm.dataIdMap.get(t.dataId);
    if (!data) throw new Error(`wasmTrainingModule: a tensor of shape [${t.shape.join(', ')}] is not on this wasm backend`);
    return data.memoryOffset;
  };
  return {
    kernels,
    offset,
    alloc: mem.alloc,
    scratch(floats) {
      const t = mem.alloc([floats]);
      return { at: offset(t), view: () => mem.view(t), free: () => backend.disposeData(t.dataId) };
    },
  };
}
