import { KernelNotRegisteredError } from './errors.ts';
import type { KernelFunc, KernelName } from './kernel-names.ts';

/** One kernel implementation of one backend. */
export interface KernelConfig<N extends KernelName = KernelName> {
  readonly kernelName: N;
  /** e.g. `"wasm"` or `"reference"`. */
  readonly backendName: string;
  readonly kernelFunc: KernelFunc<N>;
  /** When no backend is named, {@link getKernel} picks the highest priority. @default 0 */
  readonly priority?: number;
}

type Registry = Map<KernelName, Map<string, KernelConfig>>;

// Kept on globalThis so that two copies of this package (e.g. source and dist) share one registry (tfjs does
// the same with its global kernel map).
const KEY = Symbol.for('@quantprune/kernels/registry');

function registry(): Registry {
  const g = globalThis as { [KEY]?: Registry };
  g[KEY] ??= new Map();
  return g[KEY];
}

/**
 * Registers (or replaces) the kernel `config.kernelName` of backend `config.backendName`.
 *
 * @param config - kernel name, backend name, function and optional priority
 * @throws TypeError when `kernelFunc` is not a function or the backend name is empty
 */
export function registerKernel<N extends KernelName>(config: KernelConfig<N>): void {
  if (typeof config.kernelFunc !== 'function') throw new TypeError(`registerKernel: kernelFunc of '${config.kernelName}' must be a function`);
  if (config.backendName === '') throw new TypeError(`registerKernel: backendName of '${config.kernelName}' must not be empty`);
  const reg = registry();
  let byBackend = reg.get(config.kernelName);
  if (!byBackend) reg.set(config.kernelName, (byBackend = new Map()));
  byBackend.set(config.backendName, config as unknown as KernelConfig);
}

/**
 * Removes one backend's kernel.
 *
 * @returns whether a kernel was registered
 */
export function unregisterKernel(kernelName: KernelName, backendName: string): boolean {
  return registry().get(kernelName)?.delete(backendName) ?? false;
}

/**
 * Looks a kernel up: of the named backend, or of the highest-priority backend that registered it.
 *
 * @param kernelName - e.g. `'BinaryGemm'`
 * @param backendName - a backend name; omit to take the highest priority (wasm before reference)
 * @returns the kernel function
 * @throws KernelNotRegisteredError when nothing (or not the named backend) registered the kernel
 * @example
 * ```ts
 * registerReferenceKernels();
 * const gemm = getKernel('BinaryGemm');
 * ```
 */
export function getKernel<N extends KernelName>(kernelName: N, backendName?: string): KernelFunc<N> {
  const byBackend = registry().get(kernelName);
  const registered = byBackend ? [...byBackend.keys()] : [];
  let found: KernelConfig | undefined;
  if (backendName !== undefined) {
    found = byBackend?.get(backendName);
  } else {
    for (const config of byBackend?.values() ?? []) {
      if (!found || (config.priority ?? 0) > (found.priority ?? 0)) found = config;
    }
  }
  if (!found) throw new KernelNotRegisteredError(kernelName, backendName ?? null, registered);
  return found.kernelFunc as KernelFunc<N>;
}

/**
 * Backends that registered `kernelName`, highest priority first.
 *
 * @param kernelName - a kernel name
 * @returns backend names
 */
export function registeredBackends(kernelName: KernelName): string[] {
  const configs = [...(registry().get(kernelName)?.values() ?? [])];
  return configs.sort((x, y) => (y.priority ?? 0) - (x.priority ?? 0)).map((c) => c.backendName);
}
