import type { PackedBinaryMatrix } from '@quantprune/formats';
import { lastWordMask, popcount32 } from '../internal/bits.ts';
import type { ActivationLevels } from '../kernel-names.ts';
import { levelMaps } from '../reference/bit-serial-gemm.ts';
import type { WasmContext } from './context.ts';
import { Allocations, panelAddress, scatterRows } from './layout.ts';

/**
 * A bit-serial GEMM (A2W1 or A2W2) with resident weights. Set 2-bit activations with {@link setActivations},
 * call {@link run}, read {@link c} (level units: /3 for A2W1, /9 for A2W2).
 */
export class BitSerialGemmPlan {
  readonly rows: number;
  readonly cols: number;
  readonly depth: number;
  /** 1 (A2W1) or 2 (A2W2). */
  readonly weightBits: number;
  readonly #ctx: WasmContext;
  readonly #mem: Allocations;
  readonly #w64: number;
  readonly #a: number;
  readonly #w: number;
  readonly #c: number;
  readonly #colTerm: number;
  readonly #alpha: number;
  readonly #beta: number;

  /** @internal use `WasmKernels.createBitSerialGemm` */
  constructor(ctx: WasmContext, weights: readonly PackedBinaryMatrix[], rows: number, levels: ActivationLevels) {
    const w0 = weights[0]!;
    this.#ctx = ctx;
    this.rows = rows;
    this.cols = w0.rows;
    this.depth = w0.cols;
    this.weightBits = weights.length;
    const w64 = (this.#w64 = Math.max(1, Math.ceil(w0.cols / 64)));
    this.#mem = new Allocations(ctx);
    this.#w = this.#mem.zeroed(Math.ceil(w0.rows / 4) * w64 * 32 * weights.length);
    this.#a = this.#mem.zeroed(rows * w64 * 16);
    this.#c = this.#mem.zeroed(rows * w0.rows * 4);
    this.#colTerm = this.#mem.zeroed(w0.rows * 4);
    weights.forEach((plane, q) => scatterRows(ctx.u32, plane, panelAddress(this.#w, w64, weights.length, q)));
    // out = ua·uw·D + ua·vw·Σa + (va·uw·Σw + K·va·vw): the last term depends on the column only
    const { ua, va, uw, vw } = levelMaps(weights.length, levels);
    this.#alpha = ua * uw;
    this.#beta = ua * vw;
    const words = Math.ceil(w0.cols / 32);
    const mask = lastWordMask(w0.cols);
    const colTerm = ctx.i32;
    for (let n = 0; n < w0.rows; n++) {
      let sw = 0;
      weights.forEach((plane, q) => {
        for (let w = 0; w < words; w++) sw += popcount32(plane.words[n * plane.wordsPerRow + w]! & (w === words - 1 ? mask : 0xffffffff)) << q;
      });
      colTerm[this.#colTerm / 4 + n] = va * uw * sw + w0.cols * va * vw;
    }
  }

  /** Results, rows × cols, in level units. */
  get c(): Int32Array {
    return new Int32Array(this.#ctx.memory.buffer, this.#c, this.rows * this.cols);
  }

  /** Copies the 2 activation bit planes (rows × K each) into the plan. */
  setActivations(planes: readonly PackedBinaryMatrix[]): void {
    this.#mem.check('BitSerialGemmPlan.setActivations');
    if (planes.length !== 2 || planes.some((p) => p.rows !== this.rows || p.cols !== this.depth)) {
      throw new RangeError(`BitSerialGemmPlan.setActivations: expected 2 planes of ${this.rows}×${this.depth}`);
    }
    const base = this.#a / 4;
    const stride = this.#w64 * 4;
    planes.forEach((p, q) => scatterRows(this.#ctx.u32, p, (r, k) => base + r * stride + k * 4 + q * 2));
  }

  /** Computes {@link c}. */
  run(): void {
    this.#mem.check('BitSerialGemmPlan.run');
    this.#ctx.runRows(this.weightBits === 1 ? 'a2w1Gemm' : 'a2w2Gemm', this.rows, [this.#a, this.#w, this.#c], [
      this.cols,
      this.#w64,
      this.#alpha,
      this.#beta,
      this.#colTerm,
    ]);
  }

  /** Frees the plan's memory. */
  dispose(): void {
    this.#mem.dispose();
  }
}
