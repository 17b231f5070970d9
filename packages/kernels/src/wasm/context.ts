import type { WasmHeap } from './heap.ts';
import type { WasmMemory } from './wasm-api.ts';
import type { WorkerPool } from './worker-pool.ts';

/** The functions exported by assembly/index.ts (all offsets are bytes into the linear memory). */
export interface KernelExports {
  binaryGemm(a: number, b: number, c: number, m0: number, m1: number, n: number, w64: number, k: number): void;
  binaryConvGemm(a: number, b: number, c: number, m0: number, m1: number, n: number, w64: number, desc: number): void;
  a2w1Gemm(a: number, b: number, c: number, m0: number, m1: number, n: number, w64: number, alpha: number, beta: number, colTerm: number): void;
  a2w2Gemm(a: number, w: number, c: number, m0: number, m1: number, n: number, w64: number, alpha: number, beta: number, colTerm: number): void;
  a2w1ConvGemm(a: number, b: number, c: number, m0: number, m1: number, n: number, w64: number, alpha: number, beta: number, colTerm: number, desc: number): void;
  a2w2ConvGemm(a: number, w: number, c: number, m0: number, m1: number, n: number, w64: number, alpha: number, beta: number, colTerm: number, desc: number): void;
  int8Gemm(a: number, b: number, c: number, m0: number, m1: number, n: number, k8: number): void;
  packSigns(src: number, rows: number, cols: number, dst: number, wpr: number): void;
  packCodePlanes(src: number, rows: number, cols: number, dst: number, cw64: number): void;
  im2col(
    src: number, batch: number, h: number, w: number, cw: number, kh: number, kw: number,
    sh: number, sw: number, ph: number, pw: number, oh: number, ow: number, dst: number, dstWpr: number, skipInside: number,
  ): void;
  padCorrection(c: number, n: number, entries: number, count: number, table: number): void;
  scaleBias(c: number, rows: number, n: number, scale: number, bias: number, out: number): void;
  thresholdPack(c: number, rows: number, n: number, threshold: number, flip: number, out: number, outWpr: number): void;
}

/** Kernels that take a row range `[m0, m1)` as their 4th and 5th arguments and may be split across threads. */
export type RowKernel = 'binaryGemm' | 'binaryConvGemm' | 'a2w1Gemm' | 'a2w2Gemm' | 'a2w1ConvGemm' | 'a2w2ConvGemm' | 'int8Gemm';

/** Row kernels by index, as the worker reads them from the control block. */
export const ROW_KERNELS: readonly RowKernel[] = ['binaryGemm', 'binaryConvGemm', 'a2w1Gemm', 'a2w2Gemm', 'a2w1ConvGemm', 'a2w2ConvGemm', 'int8Gemm'];

// Chunks per job on two threads: enough that the faster thread can take over the slower one's share, few
// enough that claiming one (an Atomics.add and a call into wasm) stays far below its work.
const CHUNKS = 32;

/** What the plans share: the instance, its memory with cached typed views, the heap and the optional pool. */
export class WasmContext {
  readonly exports: KernelExports;
  readonly memory: WasmMemory;
  readonly heap: WasmHeap;
  readonly pool: WorkerPool | null;
  #buffer: ArrayBufferLike | null = null;
  #u8: Uint8Array = new Uint8Array(0);
  #i8: Int8Array = new Int8Array(0);
  #u32: Uint32Array = new Uint32Array(0);
  #i32: Int32Array = new Int32Array(0);
  #f32: Float32Array = new Float32Array(0);

  constructor(exports: KernelExports, memory: WasmMemory, heap: WasmHeap, pool: WorkerPool | null) {
    this.exports = exports;
    this.memory = memory;
    this.heap = heap;
    this.pool = pool;
  }

  #refresh(): void {
    const buffer = this.memory.buffer;
    if (buffer === this.#buffer) return;
    this.#buffer = buffer;
    this.#u8 = new Uint8Array(buffer);
    this.#i8 = new Int8Array(buffer);
    this.#u32 = new Uint32Array(buffer);
    this.#i32 = new Int32Array(buffer);
    this.#f32 = new Float32Array(buffer);
  }

  /** Views of the whole memory, re-created after the memory grew. */
  get u8(): Uint8Array {
    this.#refresh();
    return this.#u8;
  }
  get i8(): Int8Array {
    this.#refresh();
    return this.#i8;
  }
  get u32(): Uint32Array {
    this.#refresh();
    return this.#u32;
  }
  get i32(): Int32Array {
    this.#refresh();
    return this.#i32;
  }
  get f32(): Float32Array {
    this.#refresh();
    return this.#f32;
  }

  /** Zeroes `bytes` bytes at `at`. */
  zero(at: number, bytes: number): void {
    this.u8.fill(0, at, at + bytes);
  }

  /**
   * Runs a row kernel over rows [0, m): `args` are its arguments without m0/m1 (the first three, then the rest).
   * With a worker pool both threads claim chunks of about m/32 rows until all are done.
   */
  runRows(kernel: RowKernel, m: number, head: readonly [number, number, number], tail: readonly number[]): void {
    const fn = this.exports[kernel] as (...args: number[]) => void;
    if (this.pool && m >= 2) this.pool.run(ROW_KERNELS.indexOf(kernel), fn, [...head, ...tail], m, Math.ceil(m / CHUNKS));
    else fn(...head, 0, m, ...tail);
  }
}
