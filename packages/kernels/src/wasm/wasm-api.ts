// The few parts of the WebAssembly JS API the package uses, typed locally. TypeScript declares `WebAssembly`
// only in the DOM lib; typing it here keeps the package (and anything that typechecks its sources) free of
// a DOM dependency in Node projects.

/** A compiled module (`WebAssembly.Module`). */
export interface WasmModule {
  readonly [Symbol.toStringTag]: string;
}

/** A linear memory (`WebAssembly.Memory`); `buffer` is a SharedArrayBuffer for shared memories. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(deltaPages: number): number;
}

interface WasmNamespace {
  Module: abstract new (...args: never[]) => WasmModule;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  compile(bytes: ArrayBuffer | ArrayBufferView): Promise<WasmModule>;
  compileStreaming?: (response: Promise<Response>) => Promise<WasmModule>;
  instantiate(module: WasmModule, imports: Record<string, Record<string, unknown>>): Promise<{ exports: Record<string, unknown> }>;
}

/** The global `WebAssembly` object. */
export const wasmApi = (): WasmNamespace => (globalThis as unknown as { WebAssembly: WasmNamespace }).WebAssembly;
