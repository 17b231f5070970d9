export { packBits, packedByteLength, unpackBits } from './bit-pack.ts';
export { packBinaryRows, packBitPlanes, unpackBinaryRows } from './kernel-layout.ts';
export type { PackBinaryRowsOptions, PackedBinaryMatrix } from './kernel-layout.ts';
export {
  affineQuantization,
  channelCount,
  codeRange,
  dequantizationTable,
  dequantizeCodes,
  dorefaLevels,
  levelsQuantization,
  validateQuantization,
} from './quantization.ts';
export type { AffineQuantization, LevelsQuantization, PerChannelOptions, Quantization } from './quantization.ts';
export { bitmaskBytes, decodeBitmask, encodeBitmask } from './sparse-bitmask.ts';
export { decodeRelative, defaultIndexBits, encodeRelative, relativeEntryCount } from './sparse-relative.ts';
export { csrBytes, csrIndexBytes, decodeCsr, encodeCsr } from './sparse-csr.ts';
export { huffmanCodeLengths, huffmanDecode, huffmanEncode, huffmanStreamBits, MAX_CODE_LENGTH } from './huffman.ts';
export {
  decodeTensor,
  dtypeBytes,
  encodeTensor,
  payloadByteLength,
  payloadSections,
  validateTensorEncoding,
  valueBits,
} from './tensor-codec.ts';
export type {
  DecodedTensor,
  EncodedTensor,
  QuantizedTensorInput,
  RawArray,
  RawDType,
  RawTensorInput,
  SparseFormat,
  TensorEncoding,
  TensorInput,
  ValueEncoding,
} from './tensor-codec.ts';
export { decodeContainer, encodeContainer, predictContainerBytes, QPK_MAGIC, QPK_VERSION } from './container.ts';
export type {
  ContainerEntry,
  ContainerTensor,
  ContainerTensorSpec,
  DecodeContainerOptions,
  DecodedContainer,
  EncodeContainerOptions,
} from './container.ts';
export { accountSize, planLayerTensors, plannedWeightQuantization } from './size-accounting.ts';
export type {
  AccountSizeOptions,
  LayerKind,
  LayerSpec,
  PlanLayerTensorsOptions,
  SizeConvention,
  SizeReport,
  SizeReportRow,
} from './size-accounting.ts';
export { crc32 } from './crc32.ts';
export { FormatError } from './errors.ts';
export { lenet5Layers, resnet18ImagenetLayers } from './reference-layers.ts';
export type { ResNet18LayersOptions } from './reference-layers.ts';
