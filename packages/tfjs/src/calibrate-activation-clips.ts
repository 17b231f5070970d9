/**
 * Post-training calibration of DoReFa activation clip values (the PACT range): runs the float network on a few
 * training batches, samples the input of every layer whose activation quantizer is DoReFa's `clip` variant, and
 * writes the MSE-optimal clipping value α ({@link calibrateDoReFaActivationClip}) into the layer's annotation
 * (`options.clipValue`). A pretrained network's ReLU outputs range far beyond DoReFa's [0, 1]; with α chosen per
 * layer the quantized network starts much closer to the float one (NNCF's and AIMET's range initialisation do
 * the same for their quantizers).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageDataset } from '@quantprune/data';
import type { Conv2dLayer, DenseLayer, Graph, QuantizerSpec } from '@quantprune/graph';
import { calibrateDoReFaActivationClip, type DoReFaActivationClip } from '@quantprune/quantizers';
import { initBackend, type BackendPreference } from './backend.ts';
import { calibrationBatches, type CalibrationBatchOptions } from './calibration-batches.ts';
import { compileGraph } from './compile.ts';

/** Options of {@link calibrateActivationClips}. */
export interface CalibrateActivationClipsOptions extends CalibrationBatchOptions {
  /** Number of batches to sample. @default 10 */
  readonly batches?: number;
  /** Values kept per layer and batch (an evenly strided subsample of the layer's input). @default 32768 */
  readonly samplesPerBatch?: number;
  /** @default 'auto' */
  readonly backend?: BackendPreference;
}

/** A DoReFa `clip` activation quantizer (the variant a clip value applies to). */
function isDoReFaClip(spec: QuantizerSpec | undefined): spec is QuantizerSpec {
  return spec?.name === 'dorefa' && (spec.options?.['variant'] ?? 'clip') === 'clip';
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Every `stride`-th value of `data`, with the stride ≥ length/limit and coprime to `channels` (NHWC: a stride
 * sharing a factor with the channel count would visit only some channels).
 */
function strided(data: Float32Array, limit: number, channels: number): Float32Array {
  let stride = Math.max(1, Math.ceil(data.length / limit));
  while (stride > 1 && gcd(stride, channels) !== 1) stride++;
  const out = new Float32Array(Math.ceil(data.length / stride));
  for (let i = 0, j = 0; i < data.length; i += stride, j++) out[j] = data[i]!;
  return out;
}

/**
 * Sets `clipValue` on every conv/dense layer of `graph` whose activation quantizer is DoReFa's `clip` variant,
 * to the α minimising the quantization MSE of that layer's float input (the graph run without quantizers,
 * BatchNorm in inference mode). Other annotations are untouched. Run it on the pretrained float weights, before
 * anything that changes them (e.g. `prescaleDoReFaWeights`).
 *
 * @param graph - a graph annotated with quantizers; the matching annotations are replaced
 * @param dataset - where the batches come from (the training set, without augmentation)
 * @param options - batch count and size, seed, normalisation, samples per batch, backend
 * @returns the calibration of each layer, by layer name (empty when no layer has a DoReFa clip quantizer)
 * @throws RangeError for a bad batch count, samples per batch, or a dataset of fewer than 2 examples
 * @example
 * ```ts
 * const g = applyPrecision(pretrained, 'dorefa', { activationVariant: 'clip' });
 * for (const [name, c] of await calibrateActivationClips(g, train, { normalize })) console.log(name, c.clipValue);
 * ```
 */
export async function calibrateActivationClips(graph: Graph, dataset: ImageDataset, options: CalibrateActivationClipsOptions = {}): Promise<Map<string, DoReFaActivationClip>> {
  const fn = 'calibrateActivationClips';
  const limit = options.samplesPerBatch ?? 32768;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`${fn}: samplesPerBatch must be an integer ≥ 1, got ${limit}`);
  const layers = graph.layers.filter((l): l is Conv2dLayer | DenseLayer => (l.kind === 'conv2d' || l.kind === 'dense') && isDoReFaClip(l.activationQuantizer));
  const out = new Map<string, DoReFaActivationClip>();
  if (layers.length === 0) return out;
  const sampled = calibrationBatches(fn, dataset, options.batches ?? 10, options);
  await initBackend(options.backend ?? 'auto');
  const samples = new Map<string, Float32Array[]>(layers.map((l) => [l.name, []]));
  const model = compileGraph(graph, { qat: false });
  try {
    const inspectQuantizerInput = (layer: string, input: tf.Tensor): void => {
      samples.get(layer)?.push(strided(input.dataSync() as Float32Array, limit, input.shape.at(-1)!));
    };
    for (const b of sampled) tf.tidy(() => void model.apply(tf.tensor4d(b.images, [...b.shape]), false, { inspectQuantizerInput }));
  } finally {
    model.dispose();
  }
  for (const layer of layers) {
    const parts = samples.get(layer.name)!;
    const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
    const spec = layer.activationQuantizer!;
    const c = calibrateDoReFaActivationClip(all, { bits: spec.bits });
    layer.activationQuantizer = { ...spec, options: { ...spec.options, clipValue: c.clipValue } };
    out.set(layer.name, c);
  }
  return out;
}
