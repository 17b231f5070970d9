// The sample of training batches that calibrations (BatchNorm re-estimation, activation clip values) read.
import { batches, type Batch, type ImageDataset, type NormalizeOptions } from '@quantprune/data';

/** Options of {@link calibrationBatches}. */
export interface CalibrationBatchOptions {
  /** Examples per batch. @default 64 */
  readonly batchSize?: number;
  /** Shuffling seed. @default 0 */
  readonly seed?: number;
  /** Normalisation of `x / 255` (the training normalisation). */
  readonly normalize?: NormalizeOptions;
}

/**
 * `count` NHWC batches of a seeded shuffle of the dataset, continuing into reshuffled epochs when one epoch is
 * not enough, never with a last batch of one example (no variance).
 *
 * @param fn - the calling function, for messages
 * @param dataset - usually the training set, without augmentation
 * @param count - number of batches, an integer ≥ 1
 * @param options - batch size, seed, normalisation
 * @returns the batches, lazily
 * @throws RangeError when `count` is not an integer ≥ 1 or the dataset holds fewer than 2 examples
 */
export function calibrationBatches(fn: string, dataset: ImageDataset, count: number, options: CalibrationBatchOptions = {}): Iterable<Batch> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`${fn}: batches must be an integer ≥ 1, got ${count}`);
  if (dataset.count < 2) throw new RangeError(`${fn}: the dataset needs at least 2 examples, it has ${dataset.count}`);
  const batchSize = options.batchSize ?? 64;
  return (function* () {
    let i = 0;
    for (let epoch = 0; i < count; epoch++) {
      const iter = batches(dataset, {
        batchSize,
        layout: 'nhwc',
        shuffle: true,
        seed: options.seed ?? 0,
        epoch,
        dropLast: dataset.count >= batchSize,
        ...(options.normalize ? { normalize: options.normalize } : {}),
      });
      for (const b of iter) {
        if (i === count) return;
        i++;
        yield b;
      }
    }
  })();
}
