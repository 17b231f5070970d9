export { batches, batchesAsync } from './batches.ts';
export { CIFAR10_CLASSES, CIFAR10_RECORD_BYTES, loadCifar10, parseCifar10 } from './cifar10.ts';
export { dataRoot } from './data-root.ts';
export { DataError } from './errors.ts';
export { parseGroundTruth } from './ground-truth.ts';
export type { GroundTruth } from './ground-truth.ts';
export { readIdx } from './idx.ts';
export type { IdxArray } from './idx.ts';
export { IMAGENET_NORMALIZE, loadImageNet } from './imagenet.ts';
export { decodeImageNetJpeg } from './jpeg-preprocess.ts';
export type { JpegPreprocessOptions } from './jpeg-preprocess.ts';
export { memoryDataset } from './memory-dataset.ts';
export type { MemoryDatasetSpec } from './memory-dataset.ts';
export { FASHION_MNIST_DEBIAN_DIR, loadFashionMnist, loadMnist } from './mnist.ts';
export type {
  AugmentOptions,
  Batch,
  BatchOptions,
  Cifar10Options,
  ImageDataset,
  ImageNetOptions,
  MnistOptions,
  NormalizeOptions,
  ResizeFilter,
  Split,
} from './types.ts';
