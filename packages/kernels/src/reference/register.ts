import { packBinaryRows } from '@quantprune/formats';
import { registerKernel } from '../registry.ts';
import { referenceBinaryConv2d } from './binary-conv2d.ts';
import { referenceBinaryGemm } from './binary-gemm.ts';
import { referenceBitSerialConv2d } from './bit-serial-conv2d.ts';
import { referenceBitSerialGemm } from './bit-serial-gemm.ts';
import { referenceInt8Gemm } from './int8-gemm.ts';
import { referenceOutputTransform } from './output-transform.ts';

/** Backend name of the pure-TypeScript kernels. */
export const REFERENCE_BACKEND = 'reference';

/**
 * Registers the pure-TypeScript reference kernels (backend `'reference'`, priority 1, below wasm). They run
 * everywhere and define the results the WebAssembly kernels must reproduce bit for bit.
 *
 * @example
 * ```ts
 * registerReferenceKernels();
 * binaryGemm(a, b); // Int32Array
 * ```
 */
export function registerReferenceKernels(): void {
  const backendName = REFERENCE_BACKEND;
  const priority = 1;
  registerKernel({ kernelName: 'PackSigns', backendName, priority, kernelFunc: (i) => packBinaryRows(i.values, i.rows, i.cols, { rowAlignWords: i.rowAlignWords }) });
  registerKernel({ kernelName: 'BinaryGemm', backendName, priority, kernelFunc: referenceBinaryGemm });
  registerKernel({ kernelName: 'BinaryConv2d', backendName, priority, kernelFunc: referenceBinaryConv2d });
  registerKernel({ kernelName: 'BitSerialGemm', backendName, priority, kernelFunc: referenceBitSerialGemm });
  registerKernel({ kernelName: 'BitSerialConv2d', backendName, priority, kernelFunc: referenceBitSerialConv2d });
  registerKernel({ kernelName: 'Int8Gemm', backendName, priority, kernelFunc: referenceInt8Gemm });
  registerKernel({ kernelName: 'OutputTransform', backendName, priority, kernelFunc: referenceOutputTransform });
}
