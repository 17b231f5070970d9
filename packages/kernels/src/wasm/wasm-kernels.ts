import type { PackedBinaryMatrix } from '@quantprune/formats';
import { resolveConvGeometry, type Conv2dOptions } from '../conv-geometry.ts';
import { checkConvWeights } from '../conv-weights.ts';
import { checkInt, checkLength, checkPacked, checkPlanes } from '../internal/validate.ts';
import type { ActivationLevels, KernelSignatures } from '../kernel-names.ts';
import { checkBitSerialConv } from '../ops/bit-serial-conv2d.ts';
import { checkTransform, type OutputTransform, type ScaleBiasTransform } from '../output-transform.ts';
import { BinaryConv2dPlan, type ConvInputKind } from './binary-conv2d-plan.ts';
import { BinaryGemmPlan } from './binary-gemm-plan.ts';
import { BitSerialConv2dPlan, type BitSerialConvInputKind } from './bit-serial-conv2d-plan.ts';
import { BitSerialGemmPlan } from './bit-serial-gemm-plan.ts';
import { WasmContext, type KernelExports } from './context.ts';
import { WasmHeap } from './heap.ts';
import { Int8GemmPlan } from './int8-gemm-plan.ts';
import { compileWasm, defaultWasmUrl, type WasmSource } from './load.ts';
import { wasmApi } from './wasm-api.ts';
import { WorkerPool } from './worker-pool.ts';

/** Options of {@link WasmKernels.create}. */
export interface WasmKernelsOptions {
  /**
   * The module: a URL (file: URLs are read with node:fs, others fetched), bytes or a compiled module. It must be
   * the shared-memory build (`kernels-shared.wasm`) when `threads` is 2.
   * @default the shipped `wasm/kernels.wasm` (or `kernels-shared.wasm`) next to this package
   */
  readonly source?: WasmSource;
  /** 1, or 2 to run GEMM rows on a second thread (Node worker_threads, shared memory). @default 1 */
  readonly threads?: 1 | 2;
}

/** Options of {@link WasmKernels.createBinaryConv2d}. */
export interface BinaryConv2dPlanOptions extends Conv2dOptions {
  /** Fused output transform; without one the plan outputs int32 sums. */
  readonly transform?: OutputTransform;
  /** NHWC float input packed by the plan, or packed pixels written by the caller. @default 'float' */
  readonly inputKind?: ConvInputKind;
}

/** Options of {@link WasmKernels.createBitSerialConv2d}. `padValue` must be 0 (the default). */
export interface BitSerialConv2dPlanOptions extends Conv2dOptions {
  /** Fused per-channel scale + bias; without one the plan outputs int32 sums in level units. */
  readonly transform?: ScaleBiasTransform;
  /** NHWC codes (one byte each) packed by the plan, or 2 bit planes set by the caller. @default 'codes' */
  readonly inputKind?: BitSerialConvInputKind;
}

// Offsets below this belong to the module (AssemblyScript's stub runtime keeps no data, this is a safety margin).
const HEAP_BASE = 1024;

/**
 * The WebAssembly SIMD kernels on one instance and memory: stateless kernel functions (copying inputs in and
 * results out) and plans that keep weights and buffers resident for repeated runs.
 *
 * @example
 * ```ts
 * const wasm = await WasmKernels.create();
 * const plan = wasm.createBinaryGemm(weights, 1024);
 * plan.setA(activations);
 * plan.run();
 * plan.c; // Int32Array view of the results
 * ```
 */
export class WasmKernels {
  /** 1 or 2. */
  readonly threads: number;
  readonly #ctx: WasmContext;

  private constructor(ctx: WasmContext, threads: number) {
    this.#ctx = ctx;
    this.threads = threads;
  }

  /**
   * Compiles and instantiates the module (and starts the worker thread when `threads` is 2).
   *
   * @param options - module source and thread count
   * @returns the kernels
   * @throws WasmLoadError when the module cannot be loaded; RangeError on a bad thread count
   */
  static async create(options: WasmKernelsOptions = {}): Promise<WasmKernels> {
    const threads = options.threads ?? 1;
    if (threads !== 1 && threads !== 2) throw new RangeError(`WasmKernels.create: threads must be 1 or 2, got ${String(threads)}`);
    const shared = threads === 2;
    const module = await compileWasm(options.source ?? defaultWasmUrl(shared));
    const wa = wasmApi();
    const memory = shared ? new wa.Memory({ initial: 1, maximum: 32768, shared: true }) : new wa.Memory({ initial: 1 });
    const instance = await wa.instantiate(module, { env: { memory } });
    const heap = new WasmHeap(memory, HEAP_BASE);
    let pool: WorkerPool | null = null;
    if (shared) {
      try {
        pool = await WorkerPool.create(module, memory, heap);
      } catch (cause) {
        throw new Error('WasmKernels.create: threads: 2 needs Node.js worker_threads and a shared-memory module (kernels-shared.wasm)', { cause });
      }
    }
    return new WasmKernels(new WasmContext(instance.exports as unknown as KernelExports, memory, heap, pool), threads);
  }

  /** Current size of the linear memory in bytes. */
  get memoryBytes(): number {
    return this.#ctx.memory.buffer.byteLength;
  }

  /**
   * A binary GEMM plan with resident weights `b` (N×K) for `rows` activation rows.
   *
   * @param b - weights in the kernel layout
   * @param rows - M
   * @returns the plan (call `dispose()` when done)
   */
  createBinaryGemm(b: PackedBinaryMatrix, rows: number): BinaryGemmPlan {
    checkPacked('WasmKernels.createBinaryGemm', 'b', b);
    checkInt('WasmKernels.createBinaryGemm', 'rows', rows, 0);
    return new BinaryGemmPlan(this.#ctx, b, rows);
  }

  /**
   * A binary convolution plan with resident weights (see `packConv2dWeights`).
   *
   * @param weights - packed OHWI weights
   * @param options - shapes, strides, padding, pad value, optional fused transform, and whether the input is
   *   NHWC floats (packed by the plan, the default) or packed pixels
   * @returns the plan
   * @throws RangeError on inconsistent shapes
   * @example
   * ```ts
   * const plan = wasm.createBinaryConv2d(w, { inputShape: [1, 56, 56, 64], outChannels: 64, kernelSize: 3, padding: 1 });
   * plan.input.set(x);
   * plan.run();
   * ```
   */
  createBinaryConv2d(weights: PackedBinaryMatrix, options: BinaryConv2dPlanOptions): BinaryConv2dPlan {
    const fn = 'WasmKernels.createBinaryConv2d';
    const geometry = resolveConvGeometry(options, fn);
    checkConvWeights(fn, weights, geometry);
    const transform = options.transform ?? null;
    if (transform) checkTransform(fn, transform, geometry.outChannels);
    return new BinaryConv2dPlan(this.#ctx, weights, geometry, transform, options.inputKind ?? 'float');
  }

  /**
   * A bit-serial A2W1 (1 weight plane) or A2W2 (2 planes) plan.
   *
   * @param weights - weight bit planes, N×K each
   * @param rows - M
   * @param activationLevels - level map of the activation codes @default 'unsigned'
   * @returns the plan
   */
  createBitSerialGemm(weights: readonly PackedBinaryMatrix[], rows: number, activationLevels: ActivationLevels = 'unsigned'): BitSerialGemmPlan {
    const fn = 'WasmKernels.createBitSerialGemm';
    if (weights.length !== 1 && weights.length !== 2) throw new RangeError(`${fn}: weights must be 1 or 2 bit planes, got ${weights.length}`);
    checkPlanes(fn, 'weights', weights);
    checkInt(fn, 'rows', rows, 0);
    return new BitSerialGemmPlan(this.#ctx, weights, rows, activationLevels);
  }

  /**
   * A bit-serial convolution plan (A2W1 with 1 weight plane, A2W2 with 2) with resident weights, for 2-bit
   * activations with levels {0, ⅓, ⅔, 1} (codes 0..3) and zero padding.
   *
   * @param weights - 1 or 2 planes of packed OHWI weights (see `packConv2dWeightPlanes`)
   * @param options - shapes, strides, padding, optional fused scale-bias transform, and whether the input is
   *   NHWC codes (packed by the plan, the default) or bit planes
   * @returns the plan
   * @throws RangeError on inconsistent shapes, `padValue` 1 or a threshold transform
   * @example
   * ```ts
   * const plan = wasm.createBitSerialConv2d(w, { inputShape: [1, 56, 56, 64], outChannels: 64, kernelSize: 3, padding: 1 });
   * plan.input.set(codes);
   * plan.run();
   * ```
   */
  createBitSerialConv2d(weights: readonly PackedBinaryMatrix[], options: BitSerialConv2dPlanOptions): BitSerialConv2dPlan {
    const geometry = checkBitSerialConv('WasmKernels.createBitSerialConv2d', weights, options);
    return new BitSerialConv2dPlan(this.#ctx, weights, geometry, options.transform ?? null, options.inputKind ?? 'codes');
  }

  /**
   * An int8 GEMM plan with resident B (N×K row-major).
   *
   * @param b - N×K int8 weights (B transposed)
   * @param n - rows of B
   * @param k - reduction length
   * @param rows - M
   * @returns the plan
   */
  createInt8Gemm(b: Int8Array, n: number, k: number, rows: number): Int8GemmPlan {
    const fn = 'WasmKernels.createInt8Gemm';
    for (const [name, v] of [['n', n], ['k', k], ['rows', rows]] as const) checkInt(fn, name, v, 0);
    checkLength(fn, 'b', b.length, n * k);
    return new Int8GemmPlan(this.#ctx, b, n, k, rows);
  }

  /** The stateless kernel functions (inputs copied in, results copied out), as registered for backend `'wasm'`. */
  kernels(): KernelSignatures {
    const ctx = this.#ctx;
    return {
      PackSigns: ({ values, rows, cols, rowAlignWords }) => {
        const wpr = Math.ceil(Math.ceil(cols / 32) / rowAlignWords) * rowAlignWords;
        return withScratch(ctx, [values.byteLength, rows * wpr * 4], ([src, dst]) => {
          ctx.f32.set(values, src / 4);
          ctx.exports.packSigns(src, rows, cols, dst, wpr);
          return { words: ctx.u32.slice(dst / 4, dst / 4 + rows * wpr), rows, cols, wordsPerRow: wpr };
        });
      },
      BinaryGemm: ({ a, b }) =>
        withPlan(this.createBinaryGemm(b, a.rows), (plan) => {
          plan.setA(a);
          plan.run();
          return plan.c.slice();
        }),
      BinaryConv2d: ({ input, weights, geometry, transform }) =>
        withPlan(new BinaryConv2dPlan(ctx, weights, geometry, transform, input instanceof Float32Array ? 'float' : 'packed'), (plan) => {
          if (input instanceof Float32Array) plan.input.set(input);
          else plan.setPackedInput(input);
          plan.run();
          return plan.readOutput();
        }),
      BitSerialGemm: ({ activations, weights, activationLevels }) =>
        withPlan(this.createBitSerialGemm(weights, activations[0]!.rows, activationLevels), (plan) => {
          plan.setActivations(activations);
          plan.run();
          return plan.c.slice();
        }),
      BitSerialConv2d: ({ input, weights, geometry, transform }) =>
        withPlan(new BitSerialConv2dPlan(ctx, weights, geometry, transform, input instanceof Uint8Array ? 'codes' : 'planes'), (plan) => {
          if (input instanceof Uint8Array) plan.input.set(input);
          else plan.setInputPlanes(input);
          plan.run();
          return plan.output.slice();
        }),
      Int8Gemm: ({ a, b, m, n, k }) =>
        withPlan(this.createInt8Gemm(b, n, k, m), (plan) => {
          plan.setA(a);
          plan.run();
          return plan.c.slice();
        }),
      OutputTransform: ({ c, rows, cols, transform }) => {
        const words = Math.ceil(cols / 32);
        const outBytes = transform.kind === 'scale-bias' ? c.byteLength : rows * words * 4;
        return withScratch(ctx, [c.byteLength, cols * 4, cols * 4, outBytes], ([pc, p0, p1, out]) => {
          ctx.i32.set(c, pc / 4);
          if (transform.kind === 'scale-bias') {
            ctx.f32.set(transform.scale, p0 / 4);
            ctx.f32.set(transform.bias, p1 / 4);
            ctx.exports.scaleBias(pc, rows, cols, p0, p1, out);
            return ctx.f32.slice(out / 4, out / 4 + rows * cols);
          }
          ctx.i32.set(transform.threshold, p0 / 4);
          ctx.i32.set(Int32Array.from(transform.flip, (f) => (f ? -1 : 0)), p1 / 4);
          ctx.exports.thresholdPack(pc, rows, cols, p0, p1, out, words);
          return { words: ctx.u32.slice(out / 4, out / 4 + rows * words), rows, cols, wordsPerRow: words };
        });
      },
    };
  }

  /** Stops the worker thread (if any). Plans must not be used afterwards. */
  async dispose(): Promise<void> {
    await this.#ctx.pool?.dispose();
  }
}

function withPlan<P extends { dispose(): void }, R>(plan: P, body: (plan: P) => R): R {
  try {
    return body(plan);
  } finally {
    plan.dispose();
  }
}

function withScratch<const S extends readonly number[], R>(ctx: WasmContext, sizes: S, body: (blocks: { [I in keyof S]: number }) => R): R {
  const blocks = sizes.map((bytes) => ctx.heap.alloc(bytes));
  try {
    return body(blocks as { [I in keyof S]: number });
  } finally {
    for (const at of blocks) ctx.heap.free(at);
  }
}
