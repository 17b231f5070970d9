import type { Worker } from 'node:worker_threads';
import type { WasmHeap } from './heap.ts';
import { ROW_KERNELS } from './context.ts';
import type { WasmMemory, WasmModule } from './wasm-api.ts';

// Control block (20 int32 in the shared memory): [0] job sequence (−1 = exit), [1] finished sequence,
// [2] kernel index, [3] argument count, [4] next unclaimed row, [5] rows per chunk, [6] rows, [7] 1 when the
// last job threw in the worker, [8..19] the kernel arguments without the row range (3 head, then the tail).
const CTRL_INTS = 20;
const ARGS = 8;
const MAX_ARGS = CTRL_INTS - ARGS;
// Spin iterations before sleeping on a futex (~10–30 µs): back-to-back jobs then hand over without a wake-up,
// which costs tens of µs on a virtual machine whose idle vCPU must be scheduled again.
const SPIN = 2000;

// The worker's whole program (CommonJS, run with `eval: true`, so it works from sources and from dist alike).
// It instantiates the shared-memory module on the same memory, waits for a job, then claims chunks of rows
// with Atomics.add until none are left, like the main thread does.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, names } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(memory.buffer, ctrl, ${CTRL_INTS});
let seen = 0;
for (;;) {
  for (let i = 0; i < ${SPIN} && Atomics.load(c, 0) === seen; i++);
  Atomics.wait(c, 0, seen);
  const seq = Atomics.load(c, 0);
  if (seq === -1) break;
  if (seq === seen) continue;
  seen = seq;
  const fn = ex[names[c[2]]];
  const args = Array.from(c.subarray(${ARGS}, ${ARGS} + c[3]));
  const [a, b, out] = args;
  const tail = args.slice(3);
  const m = c[6];
  const chunk = c[5];
  try {
    for (let r = Atomics.add(c, 4, chunk); r < m; r = Atomics.add(c, 4, chunk)) fn(a, b, out, r, Math.min(m, r + chunk), ...tail);
    c[7] = 0;
  } catch {
    c[7] = 1;
  }
  Atomics.store(c, 1, seq);
  Atomics.notify(c, 1);
}
`;

/**
 * One extra thread (Node `worker_threads`) that runs GEMM rows on a shared memory. A job is handed over
 * through Atomics on a control block, not messages; both threads then claim chunks of rows from a shared
 * counter until all are taken, so a thread slowed by other load does less of the work instead of holding the
 * other one up (a fixed half split made 2 threads slower than 1 on a busy machine).
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
    const ctrl = heap.alloc(CTRL_INTS * 4);
    const view = new Int32Array(memory.buffer, ctrl, CTRL_INTS);
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

  /**
   * Runs `fn` over rows [0, m) in chunks of `chunk` rows on both threads: publishes the job, claims chunks
   * itself, then waits for the worker's last chunk.
   *
   * @param index - kernel index in ROW_KERNELS (the worker calls the same kernel)
   * @param fn - the kernel on this thread
   * @param args - its arguments without the row range: 3 head arguments, then the tail (at most 12 in all)
   * @throws Error when the kernel threw in the worker
   */
  run(index: number, fn: (...args: number[]) => void, args: readonly number[], m: number, chunk: number): void {
    const c = this.#ctrl;
    if (args.length > MAX_ARGS) throw new RangeError(`WorkerPool.run: at most ${MAX_ARGS} arguments, got ${args.length}`);
    c[2] = index;
    c[3] = args.length;
    c[4] = 0;
    c[5] = chunk;
    c[6] = m;
    c.set(args, ARGS);
    this.#seq = (this.#seq + 1) & 0x3fffffff || 1;
    Atomics.store(c, 0, this.#seq);
    Atomics.notify(c, 0);
    const [a = 0, b = 0, out = 0, ...tail] = args;
    try {
      for (let r = Atomics.add(c, 4, chunk); r < m; r = Atomics.add(c, 4, chunk)) fn(a, b, out, r, Math.min(m, r + chunk), ...tail);
    } finally {
      // even when the kernel threw here: the worker must be done before the control block is reused
      this.#wait();
    }
  }

  /** Blocks (after a short spin) until the worker finished the current job. */
  #wait(): void {
    const c = this.#ctrl;
    for (let i = 0; i < SPIN && Atomics.load(c, 1) !== this.#seq; i++);
    for (let done = Atomics.load(c, 1); done !== this.#seq; done = Atomics.load(c, 1)) Atomics.wait(c, 1, done);
    if (c[7] !== 0) throw new Error('WorkerPool: the kernel failed in the worker thread');
  }

  /** Stops the worker. */
  async dispose(): Promise<void> {
    Atomics.store(this.#ctrl, 0, -1);
    Atomics.notify(this.#ctrl, 0);
    await this.#worker.terminate();
  }
}
