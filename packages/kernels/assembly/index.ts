// Entry of the WebAssembly module. Every function works on byte offsets into the (imported) linear memory;
// nothing here allocates: the TypeScript side owns the memory layout.
export { binaryConvGemm, binaryGemm } from './binary-gemm';
export { a2w1ConvGemm, a2w1Gemm, a2w2ConvGemm, a2w2Gemm } from './bit-serial-gemm';
export { int8Gemm } from './int8-gemm';
export { im2col, packCodePlanes, packSigns } from './pack';
export { padCorrection, scaleBias, thresholdPack } from './output';
