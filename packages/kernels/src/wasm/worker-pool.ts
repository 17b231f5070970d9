import type { Worker } from 'node:worker_threads';
import type { WasmHeap } from './heap.ts';
import { ROW_KERNELS } from './context.ts';
import type { WasmMemory, WasmModule } from './wasm-api.ts';

// The worker's whole program (CommonJS, run with `eval: true`, so it works from sources and from dist alike).
// It instantiates the shared-memory module on the same memory and waits on a 16-int control block:
// [0] job sequence (−1 = exit), [1] finished sequence, [2] kernel index, [3] argument count, [4..14] arguments,
// [15] 1 when the last job threw.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, names } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(memory.buffer, ctrl, 16);
let seen = 0;
for (;;) {
  Atomics.wait(c, 0, seen);
  const seq = Atomics.load(c, 0);
  if (seq === -1) break;
  if (seq === seen) continue;
  seen = seq;
  try { ex[names[c[2]]](...c.subarray(4, 4 + c[3])); c[15] = 0; } catch { c[15] = 1; }
  Atomics.store(c, 1, seq);
  Atomics.notify(c, 1);
}
`;

/**
 * One extra thread (Node `worker_threads`) that runs row ranges of the GEMM kernels on a shared memory. Jobs
 * are handed over through Atomics on a control block, not messages, so a hand-off costs a futex wake-up.
 */
export class WorkerPool {
  readonly #worker: Worker;
  readonly #ctrl: Int32Array;
  #seq = 0;

  private constructor(worker: Worker, ctrl: Int32Array) {
    this.#worker = worker;
    this.#ctrl = ctrl;
  }

  /**
   * Starts the worker.
   *
   * @param module - the shared-memory build of the kernels
   * @param memory - a shared WebAssembly.Memory
   * @param heap - where the control block is allocated
   */
  static async create(module: WasmModule, memory: WasmMemory, heap: WasmHeap): Promise<WorkerPool> {
    const { Worker } = await import('node:worker_threads');
    const ctrl = heap.alloc(64);
    const view = new Int32Array(memory.buffer, ctrl, 16);
    view.fill(0);
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, ctrl, names: ROW_KERNELS } });
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    // only now: an unreferenced worker does not keep the event loop alive while we wait for it to start
    worker.unref();
    return new WorkerPool(worker, view);
  }

  /** Hands `args` of kernel `index` to the worker. */
  start(index: number, args: readonly number[]): void {
    const c = this.#ctrl;
    c[2] = index;
    c[3] = args.length;
    for (let i = 0; i < args.length; i++) c[4 + i] = args[i]!;
    this.#seq = (this.#seq + 1) & 0x3fffffff || 1;
    Atomics.store(c, 0, this.#seq);
    Atomics.notify(c, 0);
  }

  /**
   * Blocks until the worker finished the last job.
   *
   * @throws Error when the kernel threw in the worker
   */
  wait(): void {
    const c = this.#ctrl;
    for (let done = Atomics.load(c, 1); done !== this.#seq; done = Atomics.load(c, 1)) Atomics.wait(c, 1, done);
    if (c[15] !== 0) throw new Error('WorkerPool: the kernel failed in the worker thread');
  }

  /** Stops the worker. */
  async dispose(): Promise<void> {
    Atomics.store(this.#ctrl, 0, -1);
    Atomics.notify(this.#ctrl, 0);
    await this.#worker.terminate();
  }
}
