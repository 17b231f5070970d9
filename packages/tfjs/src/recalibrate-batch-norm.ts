/**
 * BatchNorm re-estimation ("BN recalibration"): replaces every BatchNorm's running statistics by the plain
 * average of the batch statistics over a few batches, with nothing else changed. Quantizing a pretrained network
 * shifts the statistics its BatchNorms see; without re-estimation the inference-mode network is near chance
 * (pretrained CIFAR-10 ResNet-20 under DoReFa W2A2: 10 % before, about 40 % after). Same idea as torch's
 * `momentum=None` (cumulative average), NNI's and AIMET's BN re-estimation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batches, type ImageDataset, type NormalizeOptions } from '@quantprune/data';
import type { CompiledModel } from './compile.ts';

/** Options of {@link recalibrateBatchNorm}. */
export interface RecalibrateBatchNormOptions {
  /** Number of batches to average. @default 50 */
  readonly batches?: number;
  /** Examples per batch. @default 64 */
  readonly batchSize?: number;
  /** Shuffling seed (the batches are a seeded random sample of the dataset). @default 0 */
  readonly seed?: number;
  /** Normalisation of `x / 255` (the training normalisation). */
  readonly normalize?: NormalizeOptions;
}

/**
 * Runs `batches` training-mode forward passes (no gradients, no weight change) with BatchNorm momentum 1/i on
 * the i-th batch, so each running mean and variance ends as the average of the batch means and unbiased
 * batch variances. Quantizers apply as in training.
 *
 * @param model - the compiled model; its BatchNorm running statistics are overwritten
 * @param dataset - where the batches come from (typically the training set, without augmentation)
 * @param options - batch count and size, seed, normalisation
 * @returns the number of examples seen
 * @throws RangeError when `batches` is not an integer ≥ 1 or the dataset holds fewer than 2 examples
 * @example
 * ```ts
 * const compiled = compileGraph(applyPrecision(pretrained, 'dorefa'));
 * recalibrateBatchNorm(compiled, train, { batches: 20, normalize });
 * compiled.writeToGraph();
 * ```
 */
export function recalibrateBatchNorm(model: CompiledModel, dataset: ImageDataset, options: RecalibrateBatchNormOptions = {}): number {
  const fn = 'recalibrateBatchNorm';
  const count = options.batches ?? 50;
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`${fn}: batches must be an integer ≥ 1, got ${count}`);
  if (dataset.count < 2) throw new RangeError(`${fn}: the dataset needs at least 2 examples, it has ${dataset.count}`);
  let seen = 0;
  let i = 0;
  for (let epoch = 0; i < count; epoch++) {
    const iter = batches(dataset, {
      batchSize,
      layout: 'nhwc',
      shuffle: true,
      seed: options.seed ?? 0,
      epoch,
      dropLast: dataset.count >= batchSize, // never a last batch of one example (no variance)
      ...(options.normalize ? { normalize: options.normalize } : {}),
    });
    for (const b of iter) {
      if (i === count) break;
      i++;
      tf.tidy(() => {
        model.apply(tf.tensor4d(b.images, [...b.shape]), true, { batchNormMomentum: 1 / i });
      });
      seen += b.size;
    }
  }
  return seen;
}
