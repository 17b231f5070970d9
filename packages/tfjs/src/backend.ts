// Backend selection for training: tfjs-node when the user installed it, else wasm, else cpu; all gradients
// registered; the replacement kernels (conv gradients for wasm and cpu; broadcasting comparisons, transposed
// matmul, leading-axis reductions and copy-free Identity for wasm) registered. Nothing happens on import.
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { registerBroadcastKernels } from './broadcast-kernels.ts';
import { registerFusedBatchNormKernels } from './fused-batch-norm.ts';
import { registerFusedDoReFaKernels } from './fused-dorefa.ts';
import { registerMaxPoolGradKernel } from './max-pool-grad-kernel.ts';
import { registerConvGradientKernels } from './conv-gradients.ts';
import { registerWasmTrainingKernels } from './wasm-kernels.ts';
import { enableWasmThreads } from './wasm-threads.ts';

/** A backend choice: `'auto'` = tfjs-node if installed, else wasm, else cpu. */
export type BackendPreference = 'auto' | 'node' | 'wasm' | 'cpu';

/** Options of {@link initBackend}. */
export interface BackendOptions {
  /**
   * wasm only: XNNPACK threads. tfjs-backend-wasm disables threads in Node; n > 1 turns on an experimental
   * worker shim (see wasm-threads.ts) that is tied to tfjs-backend-wasm 4.22.0. @default 1
   */
  readonly threads?: number;
}

/** What {@link initBackend} selected. */
export interface BackendInfo {
  /** The TF.js backend name: `'tensorflow'` (tfjs-node), `'wasm'` or `'cpu'`. */
  readonly name: 'tensorflow' | 'wasm' | 'cpu';
  /** Threads the backend computes with (tfjs-node: TensorFlow's own pool, one per core). */
  readonly threads: number;
  /** Version of the backend package. */
  readonly version: string;
  /** Why earlier candidates of `'auto'` were not used (empty when the first one worked). */
  readonly skipped: readonly string[];
}

type Loaded = Omit<BackendInfo, 'skipped'>;

const require = createRequire(import.meta.url);
/** One load per backend: later calls reuse it (and its thread count). */
const loads = new Map<Loaded['name'], Promise<Loaded>>();
let gradients: Promise<void> | undefined;

/** The npm name of tfjs-node, kept in a variable so that bundlers and tsc do not try to resolve it. */
const TFJS_NODE = '@tensorflow/tfjs-node';

/**
 * Selects and initialises the training backend, registers every gradient of tfjs-core and, for wasm and cpu,
 * the fast conv-gradient kernels (see {@link registerConvGradientKernels}); for wasm also the fast-broadcasting
 * comparison/min/max kernels (broadcast-kernels.ts) and the training kernels of wasm-kernels.ts (BatchMatMul
 * without the slow transposed path, leading-axis Sum/Mean, copy-free Identity). Idempotent: each backend is
 * loaded once; a later call only makes the chosen backend active again.
 *
 * @param preference - `'auto'` (default): tfjs-node if it can be imported, else wasm, else cpu; or one backend
 * @param options - `threads` for wasm (default 1; once the wasm backend runs, only its thread count is accepted)
 * @returns the backend's name, threads, package version and why earlier `'auto'` candidates were skipped
 * @throws RangeError for a bad preference or thread count; Error when the requested backend cannot load
 * @example
 * ```ts
 * const info = await initBackend(); // { name: 'wasm', threads: 1, version: '4.22.0', skipped: [...] }
 * ```
 */
export async function initBackend(preference: BackendPreference = 'auto', options: BackendOptions = {}): Promise<BackendInfo> {
  const fn = 'initBackend';
  if (!['auto', 'node', 'wasm', 'cpu'].includes(preference)) {
    throw new RangeError(`${fn}: preference must be 'auto', 'node', 'wasm' or 'cpu', got ${JSON.stringify(preference)}`);
  }
  const threads = options.threads;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new RangeError(`${fn}: options.threads must be an integer ≥ 1, got ${String(threads)}`);
  }
  gradients ??= registerAllGradients().catch((error: unknown) => {
    gradients = undefined;
    throw error;
  });
  await gradients;
  const candidates: Loaded['name'][] = preference === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [preference === 'node' ? 'tensorflow' : preference];
  const skipped: string[] = [];
  for (const name of candidates) {
    let loaded: Loaded;
    try {
      loaded = await load(name, threads);
    } catch (error) {
      if (preference !== 'auto' || !(error instanceof BackendUnavailable)) throw error;
      skipped.push(`${name}: ${error.message}`);
      continue;
    }
    if (!(await tf.setBackend(name))) throw new Error(`${fn}: the ${name} backend failed to initialise`);
    await tf.ready();
    return { ...loaded, skipped };
  }
  throw new Error(`${fn}: no backend could be loaded (${skipped.join('; ')})`);
}

/** A backend that is not installed or cannot start here: `'auto'` moves on to the next one. */
class BackendUnavailable extends Error {
  override readonly name = 'BackendUnavailable';
}

function load(name: Loaded['name'], threads: number | undefined): Promise<Loaded> {
  let p = loads.get(name);
  if (!p) {
    p = name === 'tensorflow' ? loadNode() : name === 'wasm' ? loadWasm(threads ?? 1) : loadCpu();
    loads.set(name, p);
    p.catch(() => loads.delete(name)); // a failed load may be retried
  }
  return p.then((loaded) => {
    if (name === 'wasm' && threads !== undefined && threads !== loaded.threads) {
      throw new Error(`initBackend: the wasm backend is already running with ${loaded.threads} thread(s); threads are fixed at its first initialisation`);
    }
    return loaded;
  });
}

async function loadNode(): Promise<Loaded> {
  try {
    require.resolve(TFJS_NODE);
  } catch {
    throw new BackendUnavailable(`${TFJS_NODE} is not installed`);
  }
  let mod: { version?: Record<string, string> };
  try {
    mod = (await import(TFJS_NODE)) as typeof mod;
  } catch (error) {
    throw new BackendUnavailable(`${TFJS_NODE} is installed but failed to load: ${String(error)}`);
  }
  return { name: 'tensorflow', threads: availableParallelism(), version: mod.version?.['tfjs-node'] ?? tf.version_core };
}

async function loadWasm(threads: number): Promise<Loaded> {
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = await import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    throw new BackendUnavailable(`@tensorflow/tfjs-backend-wasm failed to load: ${String(error)}`);
  }
  if (!tf.findBackend('wasm')) {
    // Point emscripten at the installed package's binaries (robust against bundlers moving the JS).
    wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
    if (threads > 1) await enableWasmThreads(wasm, threads);
  }
  registerConvGradientKernels('wasm');
  registerMaxPoolGradKernel('wasm');
  registerBroadcastKernels();
  registerWasmTrainingKernels();
  if (!(await tf.setBackend('wasm'))) throw new BackendUnavailable('the wasm backend failed to initialise');
  return { name: 'wasm', threads: wasm.getThreadsCount(), version: wasm.version_wasm };
}

async function loadCpu(): Promise<Loaded> {
  let cpu: typeof import('@tensorflow/tfjs-backend-cpu');
  try {
    cpu = await import('@tensorflow/tfjs-backend-cpu');
  } catch (error) {
    throw new BackendUnavailable(`@tensorflow/tfjs-backend-cpu failed to load: ${String(error)}`);
  }
  registerConvGradientKernels('cpu');
  registerMaxPoolGradKernel('cpu');
  registerFusedBatchNormKernels('cpu');
  registerFusedDoReFaKernels('cpu');
  return { name: 'cpu', threads: 1, version: cpu.version_cpu };
}

/**
 * tfjs-core registers no gradients by itself (the @tensorflow/tfjs bundle imports `register_all_gradients`).
 * That file ships only as ESM with extensionless relative imports: bundlers and vitest resolve them, plain
 * Node does not, so a resolve hook scoped to tfjs-core's dist folder adds the `.js` first (a failed import
 * cannot be retried: Node caches the failure). The gradient registry lives on globalThis, shared by every
 * copy of tfjs-core.
 */
async function registerAllGradients(): Promise<void> {
  if (tf.getGradient('Conv2D')) return; // @tensorflow/tfjs or tfjs-node already did it
  const { register } = await import('node:module');
  const hook = `export async function resolve(specifier, context, next) {
    if (context.parentURL?.includes('/@tensorflow/tfjs-core/dist/') && specifier.startsWith('.') && !specifier.endsWith('.js')) {
      return next(specifier + '.js', context);
    }
    return next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  const entry = '@tensorflow/tfjs-core/dist/register_all_gradients.js';
  await import(entry);
  if (!tf.getGradient('Conv2D')) throw new Error('initBackend: registering the tfjs-core gradients failed (Conv2D has none)');
}
