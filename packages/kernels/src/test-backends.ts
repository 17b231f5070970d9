// Test helper (excluded from the build): registers both backends for a test file.
import { afterAll } from 'vitest';
import { registerReferenceKernels } from './reference/register.ts';
import { registerWasmKernels } from './wasm/register.ts';
import type { WasmKernels } from './wasm/wasm-kernels.ts';

/** Both backend names, for `describe.each` / loops. */
export const BACKENDS = ['reference', 'wasm'] as const;

/** Registers the reference and wasm kernels; the wasm instance is disposed after the file's tests. */
export async function registerBoth(): Promise<WasmKernels> {
  registerReferenceKernels();
  const wasm = await registerWasmKernels();
  afterAll(() => wasm.dispose());
  return wasm;
}
