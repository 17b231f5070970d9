import type { WasmContext } from './context.ts';
import { Allocations } from './layout.ts';

/** An int8 GEMM with resident B (N×K): set A with {@link setA}, {@link run}, read {@link c}. */
export class Int8GemmPlan {
  readonly rows: number;
  readonly cols: number;
  readonly depth: number;
  readonly #ctx: WasmContext;
  readonly #mem: Allocations;
  readonly #k8: number;
  readonly #a: number;
  readonly #b: number;
  readonly #c: number;

  /** @internal use `WasmKernels.createInt8Gemm` */
  constructor(ctx: WasmContext, b: Int8Array, n: number, k: number, rows: number) {
    this.#ctx = ctx;
    this.rows = rows;
    this.cols = n;
    this.depth = k;
    const k8 = (this.#k8 = Math.max(1, Math.ceil(k / 8)));
    this.#mem = new Allocations(ctx);
    this.#b = this.#mem.zeroed(Math.ceil(n / 4) * k8 * 32);
    this.#a = this.#mem.zeroed(rows * k8 * 8);
    this.#c = this.#mem.zeroed(rows * n * 4);
    const i8 = ctx.i8;
    for (let j = 0; j < n; j++) {
      const dst = this.#b + (j >> 2) * k8 * 32 + (j & 3) * 8;
      for (let t = 0; t < k; t++) i8[dst + (t >> 3) * 32 + (t & 7)] = b[j * k + t]!;
    }
  }

  /** Results, rows × cols. */
  get c(): Int32Array {
    return new Int32Array(this.#ctx.memory.buffer, this.#c, this.rows * this.cols);
  }

  /** Copies A (rows × K, row-major) into the plan. */
  setA(a: Int8Array): void {
    this.#mem.check('Int8GemmPlan.setA');
    if (a.length !== this.rows * this.depth) throw new RangeError(`Int8GemmPlan.setA: expected ${this.rows * this.depth} values, got ${a.length}`);
    const i8 = this.#ctx.i8;
    const stride = this.#k8 * 8;
    for (let r = 0; r < this.rows; r++) i8.set(a.subarray(r * this.depth, (r + 1) * this.depth), this.#a + r * stride);
  }

  /** Computes {@link c}. */
  run(): void {
    this.#mem.check('Int8GemmPlan.run');
    this.#ctx.runRows('int8Gemm', this.rows, [this.#a, this.#b, this.#c], [this.cols, this.#k8]);
  }

  /** Frees the plan's memory. */
  dispose(): void {
    this.#mem.dispose();
  }
}
