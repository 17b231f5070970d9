// @quantprune/quantizers/tfjs: the quantizers as TF.js ops with straight-through gradients (tf.customGrad).
// Needs @tensorflow/tfjs-core (peer dependency) and a backend the caller registers; nothing is registered here.
export { steBinary } from './binary.ts';
export type { SteBinaryOptions } from './binary.ts';
export { steDoReFaActivations, steDoReFaWeights } from './dorefa.ts';
export type { SteDoReFaActivationOptions, SteDoReFaOptions } from './dorefa.ts';
export { steLsq } from './lsq.ts';
export type { SteLsqOptions } from './lsq.ts';
export { steUniform } from './uniform.ts';
export type { SteUniformOptions } from './uniform.ts';
export { steXnorWeights } from './xnor.ts';
export type { SteXnorOptions } from './xnor.ts';
