/**
 * Batched evaluation of a classifier: top-1, top-5 and mean cross-entropy, with every tensor freed per batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batches, type ImageDataset, type NormalizeOptions } from '@quantprune/data';
import type { EvaluateReport, Graph } from '@quantprune/graph';
import { initBackend, type BackendInfo, type BackendPreference } from './backend.ts';
import { compileGraph } from './compile.ts';
import { crossEntropyPerExample } from './losses.ts';

/** The model as evaluation sees it: NHWC images in, `[N, classes]` logits out (inference mode). */
export type Classifier = (images: tf.Tensor4D) => tf.Tensor;

/** Options of {@link evaluateClassifier}. */
export interface EvaluateClassifierOptions {
  /** Examples per forward pass. @default 100 */
  readonly batchSize?: number;
  /** Evaluate the first `limit` examples only. @default the whole dataset */
  readonly limit?: number;
  /** Normalisation of `x / 255` (the training normalisation). */
  readonly normalize?: NormalizeOptions;
}

/**
 * Sums of one batch: cross-entropy, top-1 hits and top-k hits, as one `[3]` tensor (one read per batch).
 *
 * @param logits - `[N, C]`
 * @param labels - `[N]` int32
 * @param k - top-k (clamped to C)
 * @returns `[lossSum, top1Hits, topkHits]`
 */
export function batchMetrics(logits: tf.Tensor, labels: tf.Tensor, k = 5): tf.Tensor1D {
  return tf.tidy(() => {
    const classes = logits.shape[1]!;
    const lossSum = tf.sum(crossEntropyPerExample(logits, labels));
    const { indices } = tf.topk(logits, Math.min(k, classes));
    const hits = tf.cast(tf.equal(indices, tf.expandDims(tf.cast(labels, 'int32'), 1)), 'float32'); // [N, k], one 1 at most per row
    const top1 = tf.sum(tf.slice(hits, [0, 0], [-1, 1]));
    const topk = tf.sum(hits);
    return tf.stack([lossSum, top1, topk]) as tf.Tensor1D;
  });
}

/**
 * Evaluates a classifier on a dataset in order (no shuffling, no augmentation).
 *
 * Ties among logits are broken by TF.js's `topk` (lowest index first), the same rule as `argmax`.
 *
 * @param model - maps an NHWC batch to logits; called inside a tidy, so it may allocate freely
 * @param dataset - the evaluation set
 * @param options - batch size, limit, normalisation
 * @returns examples, mean loss, top-1 and top-5 as fractions
 * @throws RangeError for a bad batch size or limit (from @quantprune/data's `batches`)
 * @example
 * ```ts
 * const report = await evaluateClassifier((x) => compiled.apply(x, false), test, { normalize });
 * console.log(report.top1); // 0.915
 * ```
 */
export async function evaluateClassifier(model: Classifier, dataset: ImageDataset, options: EvaluateClassifierOptions = {}): Promise<EvaluateReport> {
  const limit = options.limit === undefined ? dataset.count : Math.min(options.limit, dataset.count);
  let examples = 0;
  let lossSum = 0;
  let top1 = 0;
  let top5 = 0;
  const iter = batches(dataset, {
    batchSize: options.batchSize ?? 100,
    limit,
    layout: 'nhwc',
    ...(options.normalize ? { normalize: options.normalize } : {}),
  });
  for (const b of iter) {
    const sums = tf.tidy(() => {
      const x = tf.tensor4d(b.images, [...b.shape]);
      const y = tf.tensor1d(b.labels, 'int32');
      return batchMetrics(model(x), y);
    });
    const [l, t1, t5] = await sums.data();
    sums.dispose();
    examples += b.size;
    lossSum += l!;
    top1 += t1!;
    top5 += t5!;
  }
  if (examples === 0) return { examples: 0, loss: Number.NaN, top1: Number.NaN, top5: Number.NaN };
  return { examples, loss: lossSum / examples, top1: top1 / examples, top5: top5 / examples };
}

/** Options of {@link evaluateGraph}. */
export interface EvaluateGraphOptions extends EvaluateClassifierOptions {
  /** @default 'auto' */
  readonly backend?: BackendPreference;
  /** Apply the graph's quantizers. @default true */
  readonly qat?: boolean;
}

/**
 * Evaluates an IR graph on a dataset: initialises the backend, compiles the graph, evaluates, frees everything.
 *
 * @param graph - the model (BatchNorm in inference mode, quantizers applied unless `qat: false`)
 * @param dataset - the evaluation set
 * @param options - backend, batch size, limit, normalisation
 * @returns the report and the backend used
 * @example
 * ```ts
 * const { report } = await evaluateGraph(resnet20, test, { normalize: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } });
 * ```
 */
export async function evaluateGraph(graph: Graph, dataset: ImageDataset, options: EvaluateGraphOptions = {}): Promise<{ report: EvaluateReport; backend: BackendInfo }> {
  const backend = await initBackend(options.backend ?? 'auto');
  const compiled = compileGraph(graph, { qat: options.qat ?? true });
  try {
    return { report: await evaluateClassifier((x) => compiled.apply(x, false), dataset, options), backend };
  } finally {
    compiled.dispose();
  }
}
