import { below, hash4, permutation, STREAM_CROP_X, STREAM_CROP_Y, STREAM_FLIP } from './internal/random.ts';
import type { Batch, BatchOptions, ImageDataset } from './types.ts';

/**
 * Iterates a dataset in batches of float32 images: optional seeded shuffling, random crop with zero padding,
 * horizontal flip and per-channel normalisation, in NHWC or NCHW layout.
 *
 * Reproducibility: the permutation depends only on (seed, epoch) and every augmentation draw only on
 * (seed, epoch, example index), so `startBatch = k` yields exactly batches k, k+1, … of the uninterrupted epoch.
 *
 * Memory: one batch at a time. Every batch gets fresh `images`/`labels` arrays (about 0.8 MB for 64 CIFAR images),
 * so a consumer may keep or transfer them; nothing is reused behind its back. The dataset's own cache is the only
 * other memory. Options are validated when `batches` is called, before the first batch.
 *
 * @param dataset any {@link ImageDataset}; a lazily decoded one (ImageNet) must be iterated with `batchesAsync`.
 * @param options batch size, shuffling, augmentation, normalisation, layout; see {@link BatchOptions}.
 * @returns an iterable of {@link Batch}.
 * @throws {RangeError} for an invalid option (non-positive batch size, `startBatch` past the end, a crop larger
 *   than the padded image, a mean/std of the wrong length, a non-positive std, …).
 * @example
 * ```ts
 * for (const b of batches(train, { batchSize: 64, shuffle: true, seed: 1, epoch: 3,
 *   augment: { crop: { padding: 4 }, flip: true },
 *   normalize: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.243, 0.261] } })) {
 *   // b.images: Float32Array(64 * 32 * 32 * 3), b.shape = [64, 32, 32, 3]
 * }
 * ```
 */
export function batches(dataset: ImageDataset, options: BatchOptions): Iterable<Batch> {
  const plan = planBatches('batches', dataset, options);
  return {
    *[Symbol.iterator](): Iterator<Batch> {
      for (let k = plan.startBatch; k < plan.batchCount; k++) yield plan.assemble(k);
    },
  };
}

/**
 * The asynchronous form of {@link batches}, for every dataset including lazily decoded ones (ImageNet): before
 * each batch it awaits `dataset.prefetch` with the batch's example indices (when the dataset has one), so
 * the dataset's cache must hold at least `batchSize` images. Produces exactly the batches `batches` would.
 *
 * @param dataset any {@link ImageDataset}.
 * @param options as for {@link batches}.
 * @returns an async iterable of {@link Batch}.
 * @throws {RangeError} for an invalid option (validated when called).
 * @throws {DataError} (while iterating) when an image cannot be read or decoded.
 * @example
 * ```ts
 * const val = loadImageNet({ dir: '/data/imagenet/val' });
 * for await (const b of batchesAsync(val, { batchSize: 32, layout: 'nchw', normalize: IMAGENET_NORMALIZE })) {}
 * ```
 */
export function batchesAsync(dataset: ImageDataset, options: BatchOptions): AsyncIterable<Batch> {
  const plan = planBatches('batchesAsync', dataset, options);
  return {
    async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
      for (let k = plan.startBatch; k < plan.batchCount; k++) {
        if (dataset.prefetch) await dataset.prefetch(plan.indices(k));
        yield plan.assemble(k);
      }
    },
  };
}

interface Plan {
  readonly startBatch: number;
  readonly batchCount: number;
  indices(k: number): number[];
  assemble(k: number): Batch;
}

/** Validates the options and precomputes the epoch's order, the normalisation table and the output geometry. */
function planBatches(fn: string, dataset: ImageDataset, options: BatchOptions): Plan {
  const { batchSize, shuffle = false, seed = 0, epoch = 0, startBatch = 0, dropLast = false, augment, normalize, layout = 'nhwc' } = options;
  const { height: H, width: W, channels: C } = dataset;
  const limit = options.limit ?? dataset.count;
  const positiveInt = (name: string, v: number): void => {
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${fn}: ${name} must be a positive integer, got ${v}`);
  };
  const uint32 = (name: string, v: number): void => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${fn}: ${name} must be an integer in [0, 2^32), got ${v}`);
  };
  positiveInt('batchSize', batchSize);
  uint32('seed', seed);
  uint32('epoch', epoch);
  if (layout !== 'nhwc' && layout !== 'nchw') throw new RangeError(`${fn}: layout must be 'nhwc' or 'nchw', got ${String(layout)}`);
  if (!Number.isSafeInteger(limit) || limit < 0 || limit > dataset.count) {
    throw new RangeError(`${fn}: limit must be an integer in [0, ${dataset.count}] (the dataset size), got ${limit}`);
  }
  const batchCount = dropLast ? Math.floor(limit / batchSize) : Math.ceil(limit / batchSize);
  if (!Number.isSafeInteger(startBatch) || startBatch < 0 || startBatch > batchCount) {
    throw new RangeError(`${fn}: startBatch must be an integer in [0, ${batchCount}] (batches in the epoch), got ${startBatch}`);
  }
  const pad = augment?.crop?.padding ?? 0;
  if (!Number.isSafeInteger(pad) || pad < 0) throw new RangeError(`${fn}: augment.crop.padding must be a non-negative integer, got ${pad}`);
  const outH = augment?.crop?.size ?? H;
  const outW = augment?.crop?.size ?? W;
  if (augment?.crop?.size !== undefined) positiveInt('augment.crop.size', augment.crop.size);
  if (outH > H + 2 * pad || outW > W + 2 * pad) {
    throw new RangeError(`${fn}: augment.crop.size ${outH} is larger than the padded image (${H + 2 * pad} × ${W + 2 * pad})`);
  }
  const flip = augment?.flip ?? false;
  const lut = normalizationTable(fn, C, normalize);

  const order = shuffle ? permutation(limit, seed, epoch) : undefined;
  const exampleAt = (p: number): number => (order ? order[p]! : p);
  // Number of possible window origins per axis (1 without a crop option: the window is the image).
  const rangeY = H + 2 * pad - outH + 1;
  const rangeX = W + 2 * pad - outW + 1;
  const plane = outH * outW;
  const imageFloats = plane * C;
  // Per-layout strides of the output: value (y, x, c) of batch row b goes to b * imageFloats + y*sy + x*sx + c*sc.
  const [sy, sx, sc] = layout === 'nhwc' ? [outW * C, C, 1] : [outW, 1, plane];

  const indices = (k: number): number[] => {
    const first = k * batchSize;
    const n = Math.min(batchSize, limit - first);
    return Array.from({ length: n }, (_, j) => exampleAt(first + j));
  };

  const assemble = (k: number): Batch => {
    const ids = indices(k);
    const n = ids.length;
    const images = new Float32Array(n * imageFloats);
    const labels = new Int32Array(n);
    for (let b = 0; b < n; b++) {
      const id = ids[b]!;
      labels[b] = dataset.labels[id]!;
      const src = dataset.image(id);
      // Crop window origin in padded coordinates, turned into source coordinates by subtracting the padding.
      const oy = (rangeY > 1 ? below(hash4(seed, epoch, id, STREAM_CROP_Y), rangeY) : 0) - pad;
      const ox = (rangeX > 1 ? below(hash4(seed, epoch, id, STREAM_CROP_X), rangeX) : 0) - pad;
      const mirrored = flip && (hash4(seed, epoch, id, STREAM_FLIP) & 1) === 1;
      writeImage(src, H, W, C, oy, ox, mirrored, outH, outW, lut, images, b * imageFloats, sy, sx, sc);
    }
    const shape: [number, number, number, number] = layout === 'nhwc' ? [n, outH, outW, C] : [n, C, outH, outW];
    return { images, labels, size: n, shape, index: k };
  };

  return { startBatch, batchCount, indices, assemble };
}

/** `lut[c * 256 + v]` = `(v / 255 - mean[c]) / std[c]`, or `v / 255` without normalisation. */
function normalizationTable(fn: string, channels: number, normalize: BatchOptions['normalize']): Float32Array {
  const lut = new Float32Array(channels * 256);
  if (normalize !== undefined) {
    const { mean, std } = normalize;
    if (mean.length !== channels || std.length !== channels) {
      throw new RangeError(`${fn}: normalize.mean and normalize.std need ${channels} values (one per channel), got ${mean.length} and ${std.length}`);
    }
    for (let c = 0; c < channels; c++) {
      if (!(std[c]! > 0) || !Number.isFinite(std[c]!)) throw new RangeError(`${fn}: normalize.std[${c}] must be a positive finite number, got ${std[c]}`);
      if (!Number.isFinite(mean[c]!)) throw new RangeError(`${fn}: normalize.mean[${c}] must be finite, got ${mean[c]}`);
    }
  }
  for (let c = 0; c < channels; c++) {
    const m = normalize?.mean[c] ?? 0;
    const s = normalize?.std[c] ?? 1;
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = (v / 255 - m) / s;
  }
  return lut;
}

/**
 * Writes one `outH × outW` window of an HWC uint8 image into the float output. Source row of output row y is
 * `oy + y`, source column of output column x is `ox + x` (or `ox + outW - 1 - x` when mirrored); pixels outside
 * the image are the zero padding (value 0 before normalisation, as torchvision's RandomCrop pads).
 */
function writeImage(
  src: Uint8Array, H: number, W: number, C: number,
  oy: number, ox: number, mirrored: boolean, outH: number, outW: number,
  lut: Float32Array, out: Float32Array, base: number, sy: number, sx: number, sc: number,
): void {
  for (let y = 0; y < outH; y++) {
    const syy = oy + y;
    const rowOut = base + y * sy;
    if (syy < 0 || syy >= H) {
      for (let x = 0; x < outW; x++) for (let c = 0; c < C; c++) out[rowOut + x * sx + c * sc] = lut[c * 256]!;
      continue;
    }
    const rowIn = syy * W * C;
    for (let x = 0; x < outW; x++) {
      const sxx = mirrored ? ox + outW - 1 - x : ox + x;
      const o = rowOut + x * sx;
      if (sxx < 0 || sxx >= W) {
        for (let c = 0; c < C; c++) out[o + c * sc] = lut[c * 256]!;
      } else {
        const i = rowIn + sxx * C;
        for (let c = 0; c < C; c++) out[o + c * sc] = lut[c * 256 + src[i + c]!]!;
      }
    }
  }
}
