/**
 * The inner training loop: a resumable stream of training batches and the step loop that runs the optimiser on
 * them. Per-step work is one gradient computation and update inside a tidy; the loss is read back from the
 * backend only every few steps (or every step when a hook asks for it), asynchronously.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batches, type AugmentOptions, type Batch, type ImageDataset, type NormalizeOptions } from '@quantprune/data';
import type { StepInfo, TrainReport } from '@quantprune/graph';
import type { TrainingPosition } from './checkpoint.ts';
import type { TrainingOptimizer } from './optimizer.ts';
import type { ProgressReporter } from './progress.ts';
import { learningRateAt, type Schedule } from './schedules.ts';

/** What decides the order and content of the training batches. */
export interface StreamOptions {
  readonly batchSize: number;
  readonly seed: number;
  readonly augment?: AugmentOptions;
  readonly normalize?: NormalizeOptions;
  /** Use the first `limit` training examples only. */
  readonly limit?: number;
}

/**
 * Training batches in epochs: shuffled per (seed, epoch), full batches only (every step sees the same input
 * shape), and a position (epoch, batch) that a checkpoint stores and {@link BatchStream.seek} restores exactly.
 */
export class BatchStream {
  readonly dataset: ImageDataset;
  readonly options: StreamOptions;
  /** Full batches per epoch. */
  readonly stepsPerEpoch: number;
  #epoch = 0;
  #batch = 0;
  #iterator: Iterator<Batch> | undefined;

  /**
   * @param dataset - the training set
   * @param options - batch size, seed, augmentation, normalisation, limit
   * @throws RangeError when the (limited) dataset holds less than one batch
   */
  constructor(dataset: ImageDataset, options: StreamOptions) {
    const limit = options.limit ?? dataset.count;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > dataset.count) {
      throw new RangeError(`createTrainer: limit must be an integer in [1, ${dataset.count}], got ${options.limit}`);
    }
    if (!Number.isSafeInteger(options.batchSize) || options.batchSize < 1) throw new RangeError(`createTrainer: batchSize must be a positive integer, got ${options.batchSize}`);
    this.stepsPerEpoch = Math.floor(limit / options.batchSize);
    if (this.stepsPerEpoch < 1) throw new RangeError(`createTrainer: batchSize ${options.batchSize} is larger than the ${limit} training examples`);
    this.dataset = dataset;
    this.options = options;
  }

  /** Epoch and batch index of the next batch. */
  get epoch(): number {
    return this.#epoch;
  }
  get batch(): number {
    return this.#batch;
  }

  /**
   * Moves to a position: the next batch is batch `batch` of epoch `epoch` of the uninterrupted sequence.
   * @throws RangeError for a position outside the epoch
   */
  seek(epoch: number, batch: number): void {
    if (!Number.isSafeInteger(epoch) || epoch < 0 || !Number.isSafeInteger(batch) || batch < 0 || batch >= this.stepsPerEpoch) {
      throw new RangeError(`BatchStream.seek: position (epoch ${epoch}, batch ${batch}) is outside [0, ∞) × [0, ${this.stepsPerEpoch})`);
    }
    this.#epoch = epoch;
    this.#batch = batch;
    this.#iterator = undefined;
  }

  /** The next batch; the position advances (into the next epoch after its last full batch). */
  next(): Batch {
    this.#iterator ??= this.#open();
    const r = this.#iterator.next();
    if (r.done) throw new Error('BatchStream.next: the epoch ended early (the dataset changed size?)');
    this.#batch++;
    if (this.#batch === this.stepsPerEpoch) {
      this.#epoch++;
      this.#batch = 0;
      this.#iterator = undefined;
    }
    return r.value;
  }

  #open(): Iterator<Batch> {
    const { batchSize, seed, augment, normalize, limit } = this.options;
    return batches(this.dataset, {
      batchSize,
      shuffle: true,
      seed,
      epoch: this.#epoch,
      startBatch: this.#batch,
      dropLast: true,
      layout: 'nhwc',
      ...(limit !== undefined ? { limit } : {}),
      ...(augment ? { augment } : {}),
      ...(normalize ? { normalize } : {}),
    })[Symbol.iterator]();
  }
}

/** Everything one run of steps needs. */
export interface LoopContext {
  readonly stream: BatchStream;
  readonly optimizer: TrainingOptimizer;
  readonly schedule: Schedule;
  /** The training loss of one batch (runs under the gradient tape, inside a tidy). */
  readonly loss: (images: tf.Tensor4D, labels: tf.Tensor1D) => tf.Scalar;
  /** Global steps completed before this run. */
  readonly stepsDone: number;
  readonly progress: ProgressReporter;
  /** Read the loss back every `readEvery` steps (always at the last step). */
  readonly readEvery: number;
  /** Total steps for the progress display (≥ the steps of this run) and the epoch count when known. */
  readonly progressTotal: number;
  readonly epochs?: number;
  readonly onStep?: (info: StepInfo) => void | 'stop';
  /** Called after each step with the new position; may write a checkpoint. */
  readonly afterStep?: (position: TrainingPosition) => Promise<void>;
}

/** A diverged run: the loss became NaN or infinite. */
export class TrainingDivergedError extends Error {
  override readonly name = 'TrainingDivergedError';
}

/**
 * Runs up to `steps` optimiser steps.
 *
 * @param ctx - stream, optimiser, schedule, loss, progress and hooks
 * @param steps - steps to run (≥ 0)
 * @returns the report of the run (steps actually run, mean and last loss, seconds)
 * @throws TrainingDivergedError when a loss read back is NaN or infinite
 */
export async function runSteps(ctx: LoopContext, steps: number): Promise<TrainReport> {
  const { stream, optimizer, progress } = ctx;
  const start = performance.now();
  let lossSum = tf.keep(tf.scalar(0));
  let lastLoss = Number.NaN;
  let done = 0;
  try {
    for (; done < steps; done++) {
      const step = ctx.stepsDone + done; // 0-based index of this step
      const epoch = stream.epoch;
      const lr = learningRateAt(ctx.schedule, { step, epoch });
      optimizer.setLearningRate(lr);
      const batch = stream.next();
      const images = tf.tensor4d(batch.images, [...batch.shape]);
      const labels = tf.tensor1d(batch.labels, 'int32');
      let loss: tf.Scalar;
      try {
        loss = optimizer.step(() => ctx.loss(images, labels));
      } finally {
        tf.dispose([images, labels]);
      }
      const sum = tf.keep(tf.add(lossSum, loss) as tf.Scalar);
      lossSum.dispose();
      lossSum = sum;
      const last = done === steps - 1;
      if (ctx.onStep || last || (step + 1) % ctx.readEvery === 0) {
        lastLoss = (await loss.data())[0]!;
        if (!Number.isFinite(lastLoss)) {
          loss.dispose();
          throw new TrainingDivergedError(`train: the loss is ${lastLoss} at step ${step + 1}; lower the learning rate or check the data normalisation`);
        }
      }
      loss.dispose();
      const seconds = (performance.now() - start) / 1000;
      const imagesPerSecond = ((done + 1) * stream.options.batchSize) / seconds;
      const globalStep = step + 1;
      progress.update({
        step: globalStep,
        totalSteps: ctx.progressTotal,
        epoch,
        ...(ctx.epochs !== undefined ? { epochs: ctx.epochs } : {}),
        loss: lastLoss,
        learningRate: lr,
        imagesPerSecond,
        etaSeconds: ((ctx.progressTotal - globalStep) * seconds) / (done + 1),
      });
      await ctx.afterStep?.({ step: globalStep, epoch: stream.epoch, batch: stream.batch });
      if (ctx.onStep?.({ step: globalStep, epoch, loss: lastLoss, learningRate: lr, imagesPerSecond }) === 'stop') {
        done++;
        break;
      }
    }
    const meanLoss = done === 0 ? Number.NaN : (await lossSum.data())[0]! / done;
    return { steps: done, meanLoss, lastLoss, seconds: (performance.now() - start) / 1000 };
  } finally {
    lossSum.dispose();
  }
}
