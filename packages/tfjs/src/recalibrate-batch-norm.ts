/**
 * BatchNorm re-estimation ("BN recalibration"): replaces every BatchNorm's running statistics by the plain
 * average of the batch statistics over a few batches, with nothing else changed. Quantizing a pretrained network
 * shifts the statistics its BatchNorms see; without re-estimation the inference-mode network is near chance
 * (pretrained CIFAR-10 ResNet-20 under DoReFa W2A2: 10 % before, about 40 % after). Same idea as torch's
 * `momentum=None` (cumulative average), NNI's and AIMET's BN re-estimation.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageDataset } from '@quantprune/data';
import { calibrationBatches, type CalibrationBatchOptions } from './calibration-batches.ts';
import type { CompiledModel } from './compile.ts';

/** Options of {@link recalibrateBatchNorm}. */
export interface RecalibrateBatchNormOptions extends CalibrationBatchOptions {
  /** Number of batches to average. @default 50 */
  readonly batches?: number;
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
  let seen = 0;
  let i = 0;
  for (const b of calibrationBatches('recalibrateBatchNorm', dataset, options.batches ?? 50, options)) {
    i++;
    tf.tidy(() => {
      model.apply(tf.tensor4d(b.images, [...b.shape]), true, { batchNormMomentum: 1 / i });
    });
    seen += b.size;
  }
  return seen;
}
