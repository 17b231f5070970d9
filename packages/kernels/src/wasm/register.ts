import { KERNEL_NAMES, type KernelName, type KernelSignatures } from '../kernel-names.ts';
import { registerKernel } from '../registry.ts';
import { WasmKernels, type WasmKernelsOptions } from './wasm-kernels.ts';

/** Backend name of the WebAssembly kernels. */
export const WASM_BACKEND = 'wasm';

/**
 * Loads the WebAssembly SIMD kernels and registers them for every kernel name (backend `'wasm'`, priority 2,
 * so ops prefer them over the reference kernels). Calling it again registers a fresh instance.
 *
 * In Node the shipped `wasm/kernels.wasm` is read from disk. In browsers it is fetched from
 * `new URL('../../wasm/kernels.wasm', import.meta.url)` (bundlers copy it); pass `source` to serve it from
 * elsewhere.
 *
 * @param options - module source and thread count (2 threads: Node only)
 * @returns the loaded kernels, for plans with resident weights
 * @throws WasmLoadError when the module cannot be loaded
 * @example
 * ```ts
 * const wasm = await registerWasmKernels();
 * binaryGemm(a, b); // runs in WebAssembly
 * ```
 */
export async function registerWasmKernels(options: WasmKernelsOptions = {}): Promise<WasmKernels> {
  const wasm = await WasmKernels.create(options);
  const kernels = wasm.kernels();
  for (const kernelName of KERNEL_NAMES) register(kernelName, kernels);
  return wasm;
}

function register<N extends KernelName>(kernelName: N, kernels: KernelSignatures): void {
  registerKernel({ kernelName, backendName: WASM_BACKEND, priority: 2, kernelFunc: kernels[kernelName] });
}
