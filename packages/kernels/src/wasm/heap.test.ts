import { describe, expect, it } from 'vitest';
import { WasmHeap } from './heap.ts';
import { wasmApi } from './wasm-api.ts';

const Memory = wasmApi().Memory;

describe('WasmHeap', () => {
  it('aligns to 64 bytes, reuses freed blocks first-fit and coalesces back to the top', () => {
    const heap = new WasmHeap(new Memory({ initial: 1 }), 1000);
    const a = heap.alloc(10);
    const b = heap.alloc(100);
    const c = heap.alloc(64);
    expect([a, b, c]).toEqual([1024, 1088, 1216]);
    heap.free(b);
    expect(heap.alloc(64)).toBe(1088); // first fit inside the freed 128 bytes
    expect(heap.alloc(64)).toBe(1152);
    heap.free(1088);
    heap.free(1152);
    heap.free(c);
    heap.free(a);
    expect(heap.usedBytes).toBe(1024); // everything merged into the top again
    expect(() => heap.free(a)).toThrow(/not an allocated block/);
  });

  it('grows the memory when the top passes its end', () => {
    const memory = new Memory({ initial: 1 });
    const heap = new WasmHeap(memory, 1024);
    const at = heap.alloc(200_000);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(at + 200_000);
  });

  it('fails with a RangeError when a memory cannot grow', () => {
    const heap = new WasmHeap(new Memory({ initial: 1, maximum: 1 }), 1024);
    expect(() => heap.alloc(70_000)).toThrow(RangeError);
  });
});
