import { basename, join } from 'node:path';
import { DataError } from './errors.ts';
import { parseGroundTruth } from './ground-truth.ts';
import { listFolder, readDataFile } from './internal/files.ts';
import { checkSizes, decodeImageNetJpeg } from './jpeg-preprocess.ts';
import type { ImageDataset, ImageNetOptions, NormalizeOptions } from './types.ts';

/** The mean and standard deviation of ImageNet's RGB channels on `x / 255`, as used by torchvision's models. */
export const IMAGENET_NORMALIZE: NormalizeOptions = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

const JPEG_NAME = /\.jpe?g$/i;
const VAL_NAME = /^ILSVRC2012_val_(\d{8})\./;
const LAYOUT_HINT =
  'expected one sub-folder per class holding JPEGs (e.g. n01440764/…), or a flat folder of validation JPEGs together with the groundTruth option';

/**
 * Opens an ImageNet-style folder of JPEGs. Nothing is decoded here: images are read, decoded (jpeg-js), resized
 * so the shorter side is `resize` (pica) and centre-cropped to `size × size` on demand by `prefetch`, into a
 * bounded uint8 cache of `cacheImages` images; `batchesAsync` calls `prefetch` for every batch.
 *
 * Accepted layouts:
 * - **class folders** (torchvision `ImageFolder`): `dir/<class>/<image>.JPEG`; the sorted folder names give the
 *   class indices 0, 1, … (for ImageNet's synset folders this is the standard torchvision/Caffe class order);
 * - **flat validation folder** plus `groundTruth`: `dir/ILSVRC2012_val_00000001.JPEG …` with a ground-truth file
 *   of lines `<file name> <label>` (Caffe's `val.txt`), or of one 0-based label per line where line n belongs to
 *   `ILSVRC2012_val_<n>.JPEG` (see {@link parseGroundTruth} for the devkit's 1-based labels).
 *
 * Files ending in .jpeg/.jpg (any case) are images; other files and hidden entries are ignored. Images are in
 * sorted file-name order (class folders first by class).
 *
 * @param options folder, ground truth, sizes, filter, cache size and decoder limits; see {@link ImageNetOptions}.
 * @returns a lazily decoded dataset with `prefetch`; `image(i)` works for cached examples.
 * @throws {DataError} when the folder or ground-truth file is missing or malformed, a class folder is empty, or an
 *   image has no label.
 * @throws {RangeError} for invalid sizes or cache size.
 * @example
 * ```ts
 * const val = loadImageNet({ dir: '/data/ILSVRC2012/val', groundTruth: '/data/ILSVRC2012/val.txt' });
 * await val.prefetch!([0]);
 * val.image(0); // Uint8Array(150528): 224 × 224 × 3
 * ```
 */
export function loadImageNet(options: ImageNetOptions): ImageDataset {
  const { dir, split = 'val', groundTruth, size = 224, resize = 256, filter = 'hamming', cacheImages = 256, maxResolutionInMP = 100, maxMemoryUsageInMB = 512 } = options;
  checkSizes('loadImageNet', size, resize);
  if (!Number.isSafeInteger(cacheImages) || cacheImages < 1) throw new RangeError(`loadImageNet: cacheImages must be a positive integer, got ${cacheImages}`);
  const { files, labels, classes } = groundTruth === undefined ? listClassFolders(dir, options.classes) : listFlatFolder(dir, groundTruth, options.classes ?? 1000);
  const count = files.length;
  const imageBytes = size * size * 3;
  const capacity = Math.min(cacheImages, count);
  let cache: Uint8Array | undefined; // allocated on the first prefetch
  const slotOf = new Map<number, number>(); // example → slot, in least-recently-prefetched-first order
  const freeSlots = Array.from({ length: capacity }, (_, s) => capacity - 1 - s);
  let queue: Promise<void> = Promise.resolve();

  const fill = async (wanted: readonly number[]): Promise<void> => {
    cache ??= new Uint8Array(capacity * imageBytes);
    const missing: number[] = [];
    for (const i of wanted) {
      const slot = slotOf.get(i);
      if (slot === undefined) missing.push(i);
      else {
        slotOf.delete(i); // move to the most recently used end
        slotOf.set(i, slot);
      }
    }
    for (const i of missing) {
      let slot = freeSlots.pop();
      if (slot === undefined) {
        // The oldest entry is never one of `wanted`: those were just moved to the end and there are at most `capacity`.
        const [oldest, oldSlot] = slotOf.entries().next().value as [number, number];
        slotOf.delete(oldest);
        slot = oldSlot;
      }
      const file = files[i]!;
      try {
        await decodeImageNetJpeg(readDataFile(file, 'the folder changed after loadImageNet listed it'), file, {
          size, resize, filter, maxResolutionInMP, maxMemoryUsageInMB, out: cache.subarray(slot * imageBytes, (slot + 1) * imageBytes),
        });
      } catch (e) {
        freeSlots.push(slot);
        throw e;
      }
      slotOf.set(i, slot);
    }
  };

  return {
    name: 'imagenet',
    split,
    count,
    height: size,
    width: size,
    channels: 3,
    classes,
    labels,
    image(i: number, out?: Uint8Array): Uint8Array {
      checkIndex('image', i, count);
      const slot = slotOf.get(i);
      if (slot === undefined || cache === undefined) {
        throw new RangeError(`imagenet.image: example ${i} is not decoded yet: await dataset.prefetch([${i}]) first, or iterate with batchesAsync`);
      }
      const view = cache.subarray(slot * imageBytes, (slot + 1) * imageBytes);
      if (out === undefined) return view;
      if (out.length < imageBytes) throw new RangeError(`imagenet.image: out must hold ${imageBytes} bytes, got ${out.length}`);
      out.set(view);
      return out;
    },
    prefetch(indices: readonly number[]): Promise<void> {
      const wanted = [...new Set(indices)];
      for (const i of wanted) checkIndex('prefetch', i, count);
      if (wanted.length > capacity) {
        throw new RangeError(`imagenet.prefetch: ${wanted.length} images asked for, the cache holds ${capacity}; raise cacheImages or use a smaller batch`);
      }
      // Prefetches run one after another so that two calls never evict each other's slots mid-way.
      const run = queue.then(() => fill(wanted));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

function checkIndex(fn: string, i: number, count: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= count) throw new RangeError(`imagenet.${fn}: index must be an integer in [0, ${count}), got ${i}`);
}

/** Sorted JPEG file names (not paths) of one folder. */
function jpegNames(dir: string): string[] {
  return listFolder(dir, LAYOUT_HINT)
    .filter((e) => !e.name.startsWith('.') && !e.isDirectory() && JPEG_NAME.test(e.name))
    .map((e) => e.name)
    .sort(compareNames);
}

/** Code-unit order, as Python's `sorted` on str (torchvision) for the ASCII names ImageNet uses. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The `ImageFolder` layout: one sub-folder per class. */
function listClassFolders(dir: string, classesOption: number | undefined): { files: string[]; labels: Uint16Array; classes: number } {
  const classNames = listFolder(dir, LAYOUT_HINT)
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(compareNames);
  if (classNames.length === 0) throw new DataError(dir, undefined, `no class sub-folders and no groundTruth file: ${LAYOUT_HINT}`);
  const classes = classesOption ?? classNames.length;
  if (!Number.isSafeInteger(classes) || classes < classNames.length || classes > 65536) {
    throw new RangeError(`loadImageNet: classes must be an integer ≥ the ${classNames.length} class folders and ≤ 65536, got ${classes}`);
  }
  const files: string[] = [];
  const labelList: number[] = [];
  classNames.forEach((name, label) => {
    const folder = join(dir, name);
    const names = jpegNames(folder);
    if (names.length === 0) throw new DataError(folder, undefined, 'class folder without JPEG files (.jpeg/.jpg): add its images or remove the folder');
    for (const f of names) {
      files.push(join(folder, f));
      labelList.push(label);
    }
  });
  return { files, labels: Uint16Array.from(labelList), classes };
}

/** A flat folder of validation JPEGs labelled by a ground-truth file. */
function listFlatFolder(dir: string, groundTruth: string, classes: number): { files: string[]; labels: Uint16Array; classes: number } {
  const names = jpegNames(dir);
  if (names.length === 0) throw new DataError(dir, undefined, `no JPEG files (.jpeg/.jpg) in the folder; ${LAYOUT_HINT}`);
  const truth = parseGroundTruth(readDataFile(groundTruth, 'pass the validation ground-truth file as groundTruth'), groundTruth, classes);
  const labels = new Uint16Array(names.length);
  names.forEach((name, k) => {
    if (truth.kind === 'named') {
      const label = truth.labels.get(name);
      if (label === undefined) throw new DataError(groundTruth, undefined, `no label for ${name} (found in ${dir}): the ground truth does not cover the folder`);
      labels[k] = label;
      return;
    }
    const match = VAL_NAME.exec(name);
    if (!match) {
      throw new DataError(
        groundTruth,
        undefined,
        `${basename(name)} is not named ILSVRC2012_val_<8 digits>: a one-label-per-line ground truth needs the official validation file names; use lines \`<file name> <label>\` instead`,
      );
    }
    const n = Number(match[1]);
    if (n < 1 || n > truth.labels.length) {
      throw new DataError(groundTruth, undefined, `no label for ${name}: the file has ${truth.labels.length} lines, image number ${n} needs line ${n}`);
    }
    labels[k] = truth.labels[n - 1]!;
  });
  return { files: names.map((n) => join(dir, n)), labels, classes };
}
