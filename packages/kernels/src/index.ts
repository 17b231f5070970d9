export { KernelNotRegisteredError, WasmLoadError } from './errors.ts';
export { KERNEL_NAMES } from './kernel-names.ts';
export type {
  ActivationLevels,
  BinaryConv2dInputs,
  BinaryGemmInputs,
  BitSerialConv2dInputs,
  BitSerialGemmInputs,
  Int8GemmInputs,
  KernelFunc,
  KernelName,
  KernelSignatures,
  OutputTransformInputs,
  PackSignsInputs,
} from './kernel-names.ts';
export { getKernel, registerKernel, registeredBackends, unregisterKernel } from './registry.ts';
export type { KernelConfig } from './registry.ts';
export { paddedTaps, resolveConvGeometry, windowSpans } from './conv-geometry.ts';
export type { Conv2dOptions, ConvGeometry } from './conv-geometry.ts';
export { packConv2dWeightPlanes, packConv2dWeights, tapWeightSums } from './conv-weights.ts';
export { foldBatchNorm, scaleBiasTransform, thresholdTransform } from './output-transform.ts';
export type { AffineMap, BatchNormParams, OutputTransform, ScaleBiasTransform, ThresholdTransform } from './output-transform.ts';
export { packSigns } from './ops/pack-signs.ts';
export type { PackSignsOptions } from './ops/pack-signs.ts';
export { binaryGemm } from './ops/binary-gemm.ts';
export type { BackendOptions } from './ops/binary-gemm.ts';
export { binaryConv2d } from './ops/binary-conv2d.ts';
export type { BinaryConv2dOptions } from './ops/binary-conv2d.ts';
export { bitSerialGemm, bitSerialUnit } from './ops/bit-serial-gemm.ts';
export type { BitSerialGemmOptions } from './ops/bit-serial-gemm.ts';
export { bitSerialConv2d } from './ops/bit-serial-conv2d.ts';
export type { BitSerialConv2dOptions } from './ops/bit-serial-conv2d.ts';
export { int8Gemm } from './ops/int8-gemm.ts';
export { applyOutputTransform } from './ops/output-transform.ts';
export { REFERENCE_BACKEND, registerReferenceKernels } from './reference/register.ts';
export { WASM_BACKEND, registerWasmKernels } from './wasm/register.ts';
export { WasmKernels } from './wasm/wasm-kernels.ts';
export type { BinaryConv2dPlanOptions, BitSerialConv2dPlanOptions, WasmKernelsOptions } from './wasm/wasm-kernels.ts';
export type { WasmSource } from './wasm/load.ts';
export type { BinaryGemmPlan } from './wasm/binary-gemm-plan.ts';
export type { BinaryConv2dPlan, ConvInputKind, ConvStageTimes } from './wasm/binary-conv2d-plan.ts';
export type { BitSerialGemmPlan } from './wasm/bit-serial-gemm-plan.ts';
export type { BitSerialConv2dPlan, BitSerialConvInputKind } from './wasm/bit-serial-conv2d-plan.ts';
export type { Int8GemmPlan } from './wasm/int8-gemm-plan.ts';
