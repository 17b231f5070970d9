// @quantprune/quantizers: pure quantizers on Float32Array (no runtime dependency). TF.js ops live in ./tfjs.
export { admmLevels, fitAdmmStep, quantizeAdmmLevels } from './admm-levels.ts';
export type { AdmmLevelsOptions } from './admm-levels.ts';
export { binaryLevels, quantizeBinary } from './binary.ts';
export type { BinaryOptions, SignOfZero } from './binary.ts';
export { dequantize, dequantizeLinear } from './dequantize.ts';
export type { QuantizedCodes } from './dequantize.ts';
export { DOREFA_BITS, doReFaActivationLevels, doReFaWeightLevels, quantizeDoReFaActivations, quantizeDoReFaWeights } from './dorefa.ts';
export type { DoReFaActivationOptions, DoReFaActivationVariant, DoReFaOptions } from './dorefa.ts';
export { lsqBounds, lsqGradients, lsqGradScale, lsqInitStep, quantizeLsq } from './lsq.ts';
export type { LsqGradientOptions, LsqGradients, LsqOptions } from './lsq.ts';
export { steGradient } from './ste.ts';
export type { SteGate } from './ste.ts';
export type { LayoutOptions, Quantized, UniformQuantized, UniformScheme } from './types.ts';
export { UNIFORM_BITS, calibrateUniform, quantizeUniform, uniformLevels, uniformRange } from './uniform.ts';
export type { MseSearchOptions, QuantizeUniformOptions, UniformCalibration, UniformOptions, UniformParams } from './uniform.ts';
export { quantizeXnorWeights } from './xnor.ts';
export type { XnorOptions } from './xnor.ts';
