// Times TF.js training steps for tfjs/vs-pytorch. Imported: `measureTfjs` runs in the caller's process. Run as a
// script (a fresh process per thread count, since the wasm thread count is fixed at the backend's first
// initialisation): `node --conditions=@quantprune/source --import tsx tfjs-step-worker.ts '<json Measure>'`
// prints one JSON line with the result.
import { pathToFileURL } from 'node:url';
import { initBackend } from '@quantprune/tfjs';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '../../../../packages/tfjs/src/wasm-kernels.ts';
import { trainingStep, type StepModel, type StepPrecision } from './training-step.ts';

export interface Measure {
  readonly model: StepModel;
  readonly precision: StepPrecision;
  readonly threads: number;
  readonly batch: number;
  readonly steps: number;
  readonly warmup: number;
  /** Also time the stock wasm kernels (registerWasmTrainingKernels off), steps interleaved with the fast ones. */
  readonly compareStock: boolean;
}

export interface Measured {
  /** Wall ms of each timed step with this package's kernels. */
  readonly ms: number[];
  /** The same with the stock BatchMatMul/Sum/Mean/Identity (empty unless compareStock). */
  readonly stockMs: number[];
  readonly threads: number;
  readonly finite: boolean;
}

/** Times `steps` training steps after `warmup` ones in this process (wasm backend, `threads` threads). */
export async function measureTfjs(m: Measure): Promise<Measured> {
  const backend = await initBackend('wasm', { threads: m.threads });
  const step = trainingStep(m.model, m.precision, m.batch);
  const ms: number[] = [];
  const stockMs: number[] = [];
  let finite = true;
  const timed = (fast: boolean, into: number[] | undefined): void => {
    if (fast) registerWasmTrainingKernels();
    else unregisterWasmTrainingKernels();
    const t0 = performance.now();
    finite &&= Number.isFinite(step.run());
    into?.push(performance.now() - t0);
  };
  try {
    for (let i = 0; i < m.warmup; i++) {
      timed(true, undefined);
      if (m.compareStock) timed(false, undefined);
    }
    for (let i = 0; i < m.steps; i++) {
      // alternate the order so that a slow phase of the shared machine hits both alike
      const order = i % 2 === 0 ? [true, false] : [false, true];
      for (const fast of order) if (fast || m.compareStock) timed(fast, fast ? ms : stockMs);
    }
  } finally {
    step.dispose();
    registerWasmTrainingKernels();
  }
  return { ms, stockMs, threads: backend.threads, finite };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await measureTfjs(JSON.parse(process.argv[2] ?? '') as Measure);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0); // pthread workers of a threaded backend would otherwise keep the process alive
}
