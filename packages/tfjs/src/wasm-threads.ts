// Experimental: XNNPACK threads for tfjs-backend-wasm in Node (environment-notes §1, tfjs issue #3830).
// tfjs-backend-wasm 4.22.0 disables threads in Node because emscripten starts its pthread workers from
// `blob:` URLs, which worker_threads rejects. This shim, active only during the backend's initialisation:
// 1. writes the pthread worker script to a temporary .cjs file and hands that path out instead of a blob URL,
//    with a prologue that maps the worker's own blob URL (the main script) to the package's threaded build;
// 2. reports ≥ 2n logical cores (the C++ side caps the pool at cores / 2, i.e. 1 on a 2-core machine);
// 3. sets WASM_HAS_MULTITHREAD_SUPPORT and the thread count;
// afterwards it restores URL.createObjectURL and os.cpus and unrefs the workers so they do not keep Node alive.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/** The parts of the @tensorflow/tfjs-backend-wasm module the shim uses. */
interface WasmModule {
  readonly version_wasm: string;
  setThreadsCount(n: number): void;
}

interface Unrefable {
  unref(): void;
}

/**
 * Turns on `threads` XNNPACK threads for the wasm backend, which must not be initialised yet; the backend is
 * initialised here. Tied to tfjs-backend-wasm 4.22.0 (it patches that version's loader).
 *
 * @param wasm - the imported @tensorflow/tfjs-backend-wasm module
 * @param threads - thread count ≥ 2
 * @throws Error for another tfjs-backend-wasm version or when the threaded backend fails to start
 */
export async function enableWasmThreads(wasm: WasmModule, threads: number): Promise<void> {
  if (wasm.version_wasm !== '4.22.0') {
    throw new Error(`initBackend: threads > 1 needs @tensorflow/tfjs-backend-wasm 4.22.0 (the shim patches its loader), found ${wasm.version_wasm}; use threads: 1`);
  }
  const require = createRequire(import.meta.url);
  const mainScript = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as { wasmWorkerContents: string };
  const prologue = `URL.createObjectURL = () => ${JSON.stringify(mainScript)}; URL.revokeObjectURL = () => {};\n`;
  const workerFile = join(mkdtempSync(join(os.tmpdir(), 'quantprune-wasm-')), 'pthread-worker.cjs');
  // tfjs escapes '\n' the same way before it makes its blob: the template string turned them into newlines
  writeFileSync(workerFile, prologue + wasmWorkerContents.replace(/\n/g, '\\n'));

  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  URL.createObjectURL = (blob: Blob) => (blob.type === 'application/javascript' ? workerFile : createObjectURL(blob));
  os.cpus = () => {
    const real = cpus();
    return Array.from({ length: Math.max(real.length, 2 * threads) }, (_, i) => real[i % real.length]!);
  };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('initBackend: the multithreaded wasm backend failed to initialise');
  } finally {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
  }
  const pthread = (tf.backend() as unknown as { wasm: { PThread: { unusedWorkers: Unrefable[]; runningWorkers: Unrefable[] } } }).wasm.PThread;
  for (const worker of [...pthread.unusedWorkers, ...pthread.runningWorkers]) worker.unref();
}
