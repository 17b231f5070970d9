import { join } from 'node:path';
import { DataError } from './errors.ts';
import { isFile, listFolder, readDataFile } from './internal/files.ts';
import { memoryDataset } from './memory-dataset.ts';
import type { Cifar10Options, ImageDataset } from './types.ts';

/** Bytes per CIFAR-10 binary record: 1 label byte + 1024 red + 1024 green + 1024 blue (32×32, row-major planes). */
export const CIFAR10_RECORD_BYTES: number = 3073;
const PLANE = 1024;

/** Class names of CIFAR-10, index = label. */
export const CIFAR10_CLASSES: readonly string[] = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

const TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
const TEST_FILES = ['test_batch.bin'];
const DOWNLOAD_HINT = 'get the "CIFAR-10 binary version" (cifar-10-binary.tar.gz) from https://www.cs.toronto.edu/~kriz/cifar.html and extract it';

/**
 * Reads CIFAR-10 from its official binary version: each record is 1 label byte followed by 3,072 pixel bytes
 * (1,024 red, then 1,024 green, then 1,024 blue, each a 32×32 row-major plane). The pixels are converted once
 * into one HWC uint8 cache.
 *
 * With `dir` the split's official files are read (`data_batch_1.bin` … `data_batch_5.bin` for train, 50,000 images;
 * `test_batch.bin` for test, 10,000); `dir` may be the extracted `cifar-10-batches-bin` folder or its parent.
 * With `files` exactly those batch files are read, in order (any number of whole records each).
 *
 * @param options `{ dir | files, split }`.
 * @returns an in-memory dataset of 32×32×3 images, 10 classes, in file order.
 * @throws {DataError} when a folder or file is missing, a file is not a whole number of records, or a label is ≥ 10.
 * @throws {TypeError} when neither or both of `dir` and `files` are given.
 * @throws {RangeError} when `split` is not 'train' or 'test', or `files` is empty.
 * @example
 * ```ts
 * const test = loadCifar10({ dir: '/data/cifar-10-batches-bin', split: 'test' });
 * // test.count = 10000, test.labels.slice(0, 4) = [3, 8, 8, 0]
 * ```
 */
export function loadCifar10(options: Cifar10Options): ImageDataset {
  const { dir, files, split } = options;
  if (split !== 'train' && split !== 'test') throw new RangeError(`loadCifar10: split must be 'train' or 'test', got ${String(split)}`);
  if ((dir === undefined) === (files === undefined)) throw new TypeError('loadCifar10: pass exactly one of dir or files');
  let paths: readonly string[];
  if (files !== undefined) {
    if (files.length === 0) throw new RangeError('loadCifar10: files is empty');
    paths = files;
  } else {
    const base = resolveBatchesDir(dir!);
    paths = (split === 'train' ? TRAIN_FILES : TEST_FILES).map((f) => join(base, f));
  }
  return decodeBatches(
    paths.map((file) => ({ file, bytes: readDataFile(file, DOWNLOAD_HINT) })),
    split,
  );
}

/**
 * Decodes CIFAR-10 binary records already in memory (for example fetched over the network); the same validation
 * and conversion as {@link loadCifar10}.
 *
 * @param bytes whole records: `1 label byte + 3,072 pixel bytes` each.
 * @param file a name for the bytes, used in error messages.
 * @param split which split the records belong to.
 * @returns an in-memory dataset of 32×32×3 images.
 * @throws {DataError} when the size is not a whole number of records or a label is ≥ 10.
 */
export function parseCifar10(bytes: Uint8Array, file: string, split: 'train' | 'test'): ImageDataset {
  return decodeBatches([{ file, bytes }], split);
}

/** Validates every batch, then converts all records into one HWC cache. */
function decodeBatches(contents: readonly { file: string; bytes: Uint8Array }[], split: 'train' | 'test'): ImageDataset {
  let count = 0;
  for (const { file, bytes } of contents) count += checkRecords(bytes, file);
  const labels = new Uint8Array(count);
  const pixels = new Uint8Array(count * 3 * PLANE);
  let i = 0;
  for (const { bytes } of contents) {
    for (let r = 0; r < bytes.length; r += CIFAR10_RECORD_BYTES, i++) {
      labels[i] = bytes[r]!;
      planesToHwc(bytes, r + 1, pixels, i * 3 * PLANE);
    }
  }
  return memoryDataset({ name: 'cifar10', split, height: 32, width: 32, channels: 3, classes: 10, labels, pixels });
}

/** `dir` itself when it holds batch files, else its `cifar-10-batches-bin` sub-folder when that exists. */
function resolveBatchesDir(dir: string): string {
  const entries = listFolder(dir, DOWNLOAD_HINT);
  const hasBatches = entries.some((e) => e.name === 'test_batch.bin' || e.name === 'data_batch_1.bin');
  const nested = join(dir, 'cifar-10-batches-bin');
  if (!hasBatches && entries.some((e) => e.name === 'cifar-10-batches-bin' && e.isDirectory()) && isFile(join(nested, 'test_batch.bin'))) return nested;
  return dir;
}

/** Validates size and labels of one batch file before anything is allocated for it; returns its record count. */
function checkRecords(bytes: Uint8Array, file: string): number {
  if (bytes.length === 0) throw new DataError(file, 0, `empty file; ${DOWNLOAD_HINT}`);
  const whole = Math.floor(bytes.length / CIFAR10_RECORD_BYTES);
  if (whole * CIFAR10_RECORD_BYTES !== bytes.length) {
    throw new DataError(
      file,
      whole * CIFAR10_RECORD_BYTES,
      `${bytes.length} bytes is not a whole number of ${CIFAR10_RECORD_BYTES}-byte CIFAR-10 records (${whole} complete, the last one is cut off): the file is truncated or not the CIFAR-10 binary version; ${DOWNLOAD_HINT}`,
    );
  }
  for (let r = 0; r < whole; r++) {
    const label = bytes[r * CIFAR10_RECORD_BYTES]!;
    if (label >= 10) {
      throw new DataError(
        file,
        r * CIFAR10_RECORD_BYTES,
        `label ${label} of record ${r} is out of range [0, 9]: the file is corrupt or not CIFAR-10 (CIFAR-100's binary version has 2 label bytes per record)`,
      );
    }
  }
  return whole;
}

/** Interleaves the R, G, B planes of one record (starting at `src`) into HWC pixels at `dst`. */
function planesToHwc(bytes: Uint8Array, src: number, out: Uint8Array, dst: number): void {
  for (let p = 0; p < PLANE; p++) {
    out[dst + 3 * p] = bytes[src + p]!;
    out[dst + 3 * p + 1] = bytes[src + PLANE + p]!;
    out[dst + 3 * p + 2] = bytes[src + 2 * PLANE + p]!;
  }
}
