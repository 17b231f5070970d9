/**
 * Thrown by {@link getKernel} (and so by every op) when no backend has registered the requested kernel.
 * `kernelName` and `backendName` (when one was asked for) tell which lookup failed.
 *
 * @example
 * ```ts
 * try { binaryGemm(a, b); } catch (e) { if (e instanceof KernelNotRegisteredError) registerReferenceKernels(); }
 * ```
 */
export class KernelNotRegisteredError extends Error {
  /** The kernel that was looked up, e.g. `"BinaryGemm"`. */
  readonly kernelName: string;
  /** The backend asked for, or `null` when any backend would do. */
  readonly backendName: string | null;

  constructor(kernelName: string, backendName: string | null, registered: readonly string[]) {
    const which = backendName === null ? '' : ` for backend '${backendName}'`;
    const have = registered.length > 0 ? ` (registered backends: ${registered.join(', ')})` : '';
    super(
      `getKernel: kernel '${kernelName}' is not registered${which}${have}. ` +
        'Call registerReferenceKernels() (pure TypeScript) or await registerWasmKernels() (WebAssembly SIMD) first.',
    );
    this.name = 'KernelNotRegisteredError';
    this.kernelName = kernelName;
    this.backendName = backendName;
  }
}

/**
 * Thrown when the WebAssembly module cannot be fetched, compiled or instantiated, e.g. because the `.wasm` file
 * was not built (`npm run build:wasm` in packages/kernels) or the engine lacks WebAssembly SIMD.
 */
export class WasmLoadError extends Error {
  /** Where the module was loaded from (a URL or `"<bytes>"`). */
  readonly source: string;

  constructor(source: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `loadWasmKernels: cannot load ${source}: ${reason}. Build it with \`npm run build:wasm\` in packages/kernels, ` +
        'or pass `source` (a URL, bytes or a WebAssembly.Module); the engine needs WebAssembly SIMD (Node ≥ 16.4, current browsers).',
      { cause },
    );
    this.name = 'WasmLoadError';
    this.source = source;
  }
}
