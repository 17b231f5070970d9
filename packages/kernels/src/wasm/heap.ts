import type { WasmMemory } from './wasm-api.ts';

/**
 * A first-fit allocator over a WebAssembly memory (the kernels themselves never allocate). Blocks are
 * 64-byte aligned (a cache line); freed blocks coalesce with their neighbours and with the top.
 */
export class WasmHeap {
  readonly memory: WasmMemory;
  #top: number;
  readonly #sizes = new Map<number, number>();
  /** Free blocks `[offset, size]`, sorted by offset. */
  #free: [number, number][] = [];

  /**
   * @param memory - the memory to manage
   * @param base - first byte the heap may use (bytes below belong to the module)
   */
  constructor(memory: WasmMemory, base: number) {
    this.memory = memory;
    this.#top = align(base);
  }

  /** Bytes between the heap base and the highest live block. */
  get usedBytes(): number {
    return this.#top;
  }

  /**
   * Allocates `bytes` (rounded up to 64), growing the memory when needed.
   *
   * @returns the byte offset of the block
   * @throws RangeError when the memory cannot grow (a shared memory at its maximum)
   */
  alloc(bytes: number): number {
    const size = align(Math.max(bytes, 1));
    for (let i = 0; i < this.#free.length; i++) {
      const [at, free] = this.#free[i]!;
      if (free < size) continue;
      if (free === size) this.#free.splice(i, 1);
      else this.#free[i] = [at + size, free - size];
      this.#sizes.set(at, size);
      return at;
    }
    const at = this.#top;
    const end = at + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / 65536));
      } catch (cause) {
        throw new RangeError(`WasmHeap.alloc: cannot grow the WebAssembly memory to ${end} bytes`, { cause });
      }
    }
    this.#top = end;
    this.#sizes.set(at, size);
    return at;
  }

  /** Frees a block returned by {@link alloc}. Freeing an unknown offset throws RangeError. */
  free(at: number): void {
    const size = this.#sizes.get(at);
    if (size === undefined) throw new RangeError(`WasmHeap.free: ${at} is not an allocated block`);
    this.#sizes.delete(at);
    let i = this.#free.findIndex(([o]) => o > at);
    if (i < 0) i = this.#free.length;
    this.#free.splice(i, 0, [at, size]);
    // merge with the next block, then with the previous one
    const next = this.#free[i + 1];
    if (next && at + size === next[0]) this.#free.splice(i, 2, [at, size + next[1]]);
    const prev = this.#free[i - 1];
    if (prev && prev[0] + prev[1] === at) this.#free.splice(i - 1, 2, [prev[0], prev[1] + this.#free[i]![1]]);
    const last = this.#free[this.#free.length - 1];
    if (last && last[0] + last[1] === this.#top) {
      this.#top = last[0];
      this.#free.pop();
    }
  }
}

function align(n: number): number {
  return Math.ceil(n / 64) * 64;
}
