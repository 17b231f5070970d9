import type { PackedBinaryMatrix } from '@quantprune/formats';
import type { WasmContext } from './context.ts';
import { Allocations, panelAddress, scatterRows } from './layout.ts';

/**
 * A binary GEMM with resident weights: `C = K − 2·popcount(A XOR B)` for `rows` activation rows. Write packed
 * activations into {@link a} (or use {@link setA}), call {@link run}, read {@link c}. Views are re-created
 * when the memory grows, so read them after the last allocation rather than keeping them.
 */
export class BinaryGemmPlan {
  /** M. */
  readonly rows: number;
  /** N, the rows of B. */
  readonly cols: number;
  /** K. */
  readonly depth: number;
  /** 32-bit words per row of {@link a} (even: the kernel reads 64-bit words). */
  readonly wordsPerRow: number;
  readonly #ctx: WasmContext;
  readonly #mem: Allocations;
  readonly #a: number;
  readonly #b: number;
  readonly #c: number;

  /** @internal use `WasmKernels.createBinaryGemm` */
  constructor(ctx: WasmContext, b: PackedBinaryMatrix, rows: number) {
    this.#ctx = ctx;
    this.rows = rows;
    this.cols = b.rows;
    this.depth = b.cols;
    const w64 = Math.max(1, Math.ceil(b.cols / 64));
    this.wordsPerRow = 2 * w64;
    this.#mem = new Allocations(ctx);
    this.#b = this.#mem.zeroed(Math.ceil(b.rows / 4) * w64 * 32);
    this.#a = this.#mem.zeroed(rows * w64 * 8);
    this.#c = this.#mem.zeroed(rows * b.rows * 4);
    scatterRows(ctx.u32, b, panelAddress(this.#b, w64, 1, 0));
  }

  /** Packed activations, rows × wordsPerRow, bit 1 = −1; bits past K must stay 0. */
  get a(): Uint32Array {
    return new Uint32Array(this.#ctx.memory.buffer, this.#a, this.rows * this.wordsPerRow);
  }

  /** Results, rows × cols. */
  get c(): Int32Array {
    return new Int32Array(this.#ctx.memory.buffer, this.#c, this.rows * this.cols);
  }

  /** Copies a packed rows × K matrix (any row alignment) into {@link a}, masking padding bits. */
  setA(m: PackedBinaryMatrix): void {
    this.#mem.check('BinaryGemmPlan.setA');
    if (m.rows !== this.rows || m.cols !== this.depth) {
      throw new RangeError(`BinaryGemmPlan.setA: expected ${this.rows}×${this.depth}, got ${m.rows}×${m.cols}`);
    }
    const base = this.#a / 4;
    const wpr = this.wordsPerRow;
    scatterRows(this.#ctx.u32, m, (r, k) => base + r * wpr + 2 * k);
  }

  /** Computes {@link c} from {@link a} (on two threads when the kernels were created with `threads: 2`). */
  run(): void {
    this.#mem.check('BinaryGemmPlan.run');
    this.#ctx.runRows('binaryGemm', this.rows, [this.#a, this.#b, this.#c], [this.cols, this.wordsPerRow >> 1, this.depth]);
  }

  /** Frees the plan's memory. */
  dispose(): void {
    this.#mem.dispose();
  }
}
