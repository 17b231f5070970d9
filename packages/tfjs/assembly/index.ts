// The float32 training kernels of @quantprune/tfjs (see scripts/build-wasm.mjs). Every pointer is a byte offset
// into the imported memory, the TF.js wasm backend's heap, so no module here may have data segments or allocate.
export { conv2dBackpropFilter } from './conv2d-backprop-filter';
export { batchNormAffine, batchNormGradSums, batchNormInputGrad, batchNormStats } from './batch-norm';
export { doReFaCodes, doReFaTanhGrad, doReFaTanhTies, maxAbs } from './dorefa-tanh';
export { conv2dBackpropInput, packBackpropInputFilter } from './conv2d-backprop-input';
export { conv2dWinograd, winogradFilter } from './conv2d-winograd';
