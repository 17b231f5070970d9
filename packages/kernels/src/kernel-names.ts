import type { PackedBinaryMatrix } from '@quantprune/formats';
import type { ConvGeometry } from './conv-geometry.ts';
import type { OutputTransform, ScaleBiasTransform } from './output-transform.ts';

/** Inputs of the `PackSigns` kernel: a row-major float matrix to pack into the kernel layout. */
export interface PackSignsInputs {
  readonly values: Float32Array;
  readonly rows: number;
  readonly cols: number;
  /** Row alignment in 32-bit words (see `packBinaryRows` in @quantprune/formats). */
  readonly rowAlignWords: number;
}

/** Inputs of the `BinaryGemm` kernel: `a` is M×K, `b` is N×K (transposed), both in the kernel layout. */
export interface BinaryGemmInputs {
  readonly a: PackedBinaryMatrix;
  readonly b: PackedBinaryMatrix;
}

/** Inputs of the `BinaryConv2d` kernel (validated by the `binaryConv2d` op). */
export interface BinaryConv2dInputs {
  /** NHWC float input, or packed pixels (rows = N·H·W, cols = C). */
  readonly input: Float32Array | PackedBinaryMatrix;
  /** Packed OHWI weights as made by `packConv2dWeights`. */
  readonly weights: PackedBinaryMatrix;
  readonly geometry: ConvGeometry;
  readonly transform: OutputTransform | null;
}

/** Activation level map of the bit-serial kernels: codes 0..3 mean {0, 1, 2, 3}/3 or {−3, −1, 1, 3}/3. */
export type ActivationLevels = 'unsigned' | 'signed';

/** Inputs of the `BitSerialGemm` kernel: 2 activation bit planes (M×K) and 1 or 2 weight planes (N×K). */
export interface BitSerialGemmInputs {
  readonly activations: readonly PackedBinaryMatrix[];
  readonly weights: readonly PackedBinaryMatrix[];
  readonly activationLevels: ActivationLevels;
}

/**
 * Inputs of the `BitSerialConv2d` kernel (validated by the `bitSerialConv2d` op): 2-bit activations with
 * levels {0, ⅓, ⅔, 1} (codes 0..3), 1 weight plane (±1, A2W1) or 2 (DoReFa codes, A2W2), zero padding.
 */
export interface BitSerialConv2dInputs {
  /** NHWC codes (one byte each, 0..3), or 2 bit planes of packed pixels (rows = N·H·W, cols = C). */
  readonly input: Uint8Array | readonly PackedBinaryMatrix[];
  /** 1 or 2 planes of packed OHWI weights as made by `packConv2dWeightPlanes` (or `packConv2dWeights` for ±1). */
  readonly weights: readonly PackedBinaryMatrix[];
  readonly geometry: ConvGeometry;
  readonly transform: ScaleBiasTransform | null;
}

/** Inputs of the `Int8Gemm` kernel: `a` row-major M×K, `b` row-major N×K (transposed). */
export interface Int8GemmInputs {
  readonly a: Int8Array;
  readonly b: Int8Array;
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

/** Inputs of the `OutputTransform` kernel: a rows×cols int32 result and the per-column transform. */
export interface OutputTransformInputs {
  readonly c: Int32Array;
  readonly rows: number;
  readonly cols: number;
  readonly transform: OutputTransform;
}

/**
 * Every kernel and its function type, keyed by kernel name (the tfjs pattern: op → kernel name → registry →
 * backend). Kernels receive validated inputs; the ops (`binaryGemm`, …) validate and dispatch.
 */
export interface KernelSignatures {
  PackSigns(inputs: PackSignsInputs): PackedBinaryMatrix;
  BinaryGemm(inputs: BinaryGemmInputs): Int32Array;
  BinaryConv2d(inputs: BinaryConv2dInputs): Int32Array | Float32Array | PackedBinaryMatrix;
  BitSerialGemm(inputs: BitSerialGemmInputs): Int32Array;
  BitSerialConv2d(inputs: BitSerialConv2dInputs): Int32Array | Float32Array;
  Int8Gemm(inputs: Int8GemmInputs): Int32Array;
  OutputTransform(inputs: OutputTransformInputs): Float32Array | PackedBinaryMatrix;
}

/** Name of a kernel. */
export type KernelName = keyof KernelSignatures;

/** The function a backend registers for kernel `N`. */
export type KernelFunc<N extends KernelName> = KernelSignatures[N];

/** Every kernel name, in a stable order. */
export const KERNEL_NAMES: readonly KernelName[] = [
  'PackSigns',
  'BinaryGemm',
  'BinaryConv2d',
  'BitSerialGemm',
  'BitSerialConv2d',
  'Int8Gemm',
  'OutputTransform',
];
