import type { PackedBinaryMatrix } from '@quantprune/formats';
import { lastWordMask } from '../internal/bits.ts';
import type { WasmContext } from './context.ts';

/** Blocks of wasm memory owned by one plan, freed together. */
export class Allocations {
  readonly #ctx: WasmContext;
  readonly #blocks: number[] = [];
  #disposed = false;

  constructor(ctx: WasmContext) {
    this.#ctx = ctx;
  }

  /** Allocates `bytes`, zeroed. */
  zeroed(bytes: number): number {
    const at = this.#ctx.heap.alloc(bytes);
    this.#blocks.push(at);
    this.#ctx.zero(at, bytes);
    return at;
  }

  /** Throws when the owner was disposed. */
  check(what: string): void {
    if (this.#disposed) throw new Error(`${what}: the plan was disposed`);
  }

  /** Frees every block (idempotent). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const at of this.#blocks) this.#ctx.heap.free(at);
  }
}

/**
 * Writes the span descriptor of a convolution GEMM (assembly/conv-spans.ts) into plan memory: the spans of
 * `windowSpans` (4 int32 each), then 6 int32: their address, their count, the kernel width, the u64 words per
 * tap of an im2col row, and the packed input pixels and their image width when the rows with every tap inside
 * are read from them (binary 3×3 stride-1 pad-1 convolutions over 33–64 channels; else 0, 0).
 *
 * @returns the descriptor's address (the kernels' `desc` argument)
 */
export function spanDescriptor(ctx: WasmContext, mem: Allocations, spans: Int32Array, kernelWidth: number, tapWords64: number, pixels = 0, width = 0): number {
  const at = mem.zeroed(spans.byteLength);
  ctx.i32.set(spans, at / 4);
  const desc = mem.zeroed(24);
  ctx.i32.set([at, spans.length / 4, kernelWidth, tapWords64, pixels, width], desc / 4);
  return desc;
}

/**
 * Scatters bit plane `m` (its first ⌈cols/32⌉ words per row, the last one masked) into wasm memory:
 * word `w` of row `r` goes to u32 index `address(r, w >> 1) + (w & 1)`, i.e. layouts are described per u64.
 */
export function scatterRows(u32: Uint32Array, m: PackedBinaryMatrix, address: (row: number, word64: number) => number): void {
  const words = Math.ceil(m.cols / 32);
  const mask = lastWordMask(m.cols);
  for (let r = 0; r < m.rows; r++) {
    const src = r * m.wordsPerRow;
    for (let w = 0; w < words; w++) {
      const v = m.words[src + w]!;
      u32[address(r, w >> 1) + (w & 1)] = w === words - 1 ? v & mask : v;
    }
  }
}

/** u32 index of u64 word `k` of column `n` in 4-column panels of `w64` words with `planes` planes interleaved. */
export function panelAddress(base: number, w64: number, planes: number, plane: number): (n: number, k: number) => number {
  const panel = w64 * 8 * planes;
  return (n, k) => base / 4 + (n >> 2) * panel + k * 8 * planes + (n & 3) * 2 * planes + plane * 2;
}
