import { WasmLoadError } from '../errors.ts';
import { wasmApi, type WasmModule } from './wasm-api.ts';

/** Where the WebAssembly module comes from: a URL, the bytes of a `.wasm` file, or a compiled `WebAssembly.Module`. */
export type WasmSource = URL | string | ArrayBuffer | ArrayBufferView | WasmModule;

/**
 * The URLs of the shipped modules. Bundlers that understand `new URL('…', import.meta.url)` (Vite, webpack 5,
 * Parcel, esbuild with a plugin) copy the files; both resolve to `<package>/wasm/` from `src/wasm/` and
 * `dist/wasm/` alike.
 */
export function defaultWasmUrl(shared: boolean): URL {
  return shared ? new URL('../../wasm/kernels-shared.wasm', import.meta.url) : new URL('../../wasm/kernels.wasm', import.meta.url);
}

/**
 * Compiles the module: `file:` URLs are read with node:fs (imported lazily, so browsers never see it), other URLs
 * are fetched and compiled while streaming, bytes are compiled, a module is used as is.
 *
 * @throws WasmLoadError when fetching or compiling fails
 */
export async function compileWasm(source: WasmSource): Promise<WasmModule> {
  const wa = wasmApi();
  if (source instanceof wa.Module) return source;
  const label = typeof source === 'string' || source instanceof URL ? String(source) : '<bytes>';
  try {
    if (typeof source !== 'string' && !(source instanceof URL)) return await wa.compile(source as ArrayBuffer | ArrayBufferView);
    const url = new URL(source);
    if (url.protocol === 'file:') {
      const { readFile } = await import('node:fs/promises');
      return await wa.compile(await readFile(url));
    }
    const response = fetch(url);
    if (wa.compileStreaming) return await wa.compileStreaming(response);
    return await wa.compile(await (await response).arrayBuffer());
  } catch (cause) {
    throw new WasmLoadError(label, cause);
  }
}
