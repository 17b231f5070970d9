import { describe, expect, it } from 'vitest';
import { KernelNotRegisteredError } from './errors.ts';
import * as api from './index.ts';
import { getKernel, registerKernel, registeredBackends, unregisterKernel } from './registry.ts';

describe('kernel registry', () => {
  it('registers nothing on import', () => {
    // this file imports the whole package first; no op may have a kernel until a register*() call
    for (const name of api.KERNEL_NAMES) expect(registeredBackends(name)).toEqual([]);
  });

  it('getKernel throws a KernelNotRegisteredError that says what to call', () => {
    expect(() => getKernel('BinaryGemm')).toThrow(KernelNotRegisteredError);
    expect(() => getKernel('BinaryGemm')).toThrow(/registerReferenceKernels\(\).*registerWasmKernels\(\)/);
    expect(() => api.binaryGemm({ words: new Uint32Array(1), rows: 1, cols: 3, wordsPerRow: 1 }, { words: new Uint32Array(1), rows: 1, cols: 3, wordsPerRow: 1 })).toThrow(
      KernelNotRegisteredError,
    );
  });

  it('picks the highest priority unless a backend is named, and unregisters', () => {
    const low = (): Int32Array => Int32Array.of(1);
    const high = (): Int32Array => Int32Array.of(2);
    registerKernel({ kernelName: 'BinaryGemm', backendName: 'low', priority: 1, kernelFunc: low });
    registerKernel({ kernelName: 'BinaryGemm', backendName: 'high', priority: 5, kernelFunc: high });
    try {
      expect(getKernel('BinaryGemm')).toBe(high);
      expect(getKernel('BinaryGemm', 'low')).toBe(low);
      expect(registeredBackends('BinaryGemm')).toEqual(['high', 'low']);
      const err = (() => {
        try {
          getKernel('BinaryGemm', 'wasm');
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(KernelNotRegisteredError);
      expect((err as KernelNotRegisteredError).message).toContain("for backend 'wasm' (registered backends: low, high)");
      expect((err as KernelNotRegisteredError).backendName).toBe('wasm');
    } finally {
      expect(unregisterKernel('BinaryGemm', 'low')).toBe(true);
      expect(unregisterKernel('BinaryGemm', 'high')).toBe(true);
      expect(unregisterKernel('BinaryGemm', 'high')).toBe(false);
    }
    expect(() => getKernel('BinaryGemm')).toThrow(KernelNotRegisteredError);
  });

  it('rejects a non-function kernel and an empty backend name', () => {
    expect(() => registerKernel({ kernelName: 'Int8Gemm', backendName: 'x', kernelFunc: 1 as never })).toThrow(TypeError);
    expect(() => registerKernel({ kernelName: 'Int8Gemm', backendName: '', kernelFunc: () => new Int32Array(0) })).toThrow(TypeError);
  });

  it('register functions register every kernel name', async () => {
    api.registerReferenceKernels();
    const wasm = await api.registerWasmKernels();
    try {
      for (const name of api.KERNEL_NAMES) expect(registeredBackends(name)).toEqual(['wasm', 'reference']);
    } finally {
      for (const name of api.KERNEL_NAMES) {
        unregisterKernel(name, 'wasm');
        unregisterKernel(name, 'reference');
      }
      await wasm.dispose();
    }
  });
});
