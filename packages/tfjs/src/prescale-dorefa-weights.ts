/**
 * Prepares a pretrained float graph for DoReFa quantization-aware fine-tuning: every layer whose weight
 * quantizer is `dorefa` gets its latent weights multiplied by the scale {@link calibrateDoReFaWeights} picks.
 * The quantized network's output scale does not change (DoReFa normalises by max|tanh(w)|); only the level
 * each weight falls on does (see @quantprune/quantizers' dorefa-calibration).
 */
import { calibrateDoReFaWeights, type DoReFaCalibration } from '@quantprune/quantizers';
import type { Graph } from '@quantprune/graph';

/**
 * Multiplies the latent weights of every `dorefa`-quantized conv/dense layer by its calibrated scale, in place
 * (the weight tensors get new buffers, so graphs that shared them are unaffected).
 *
 * @param graph - a graph annotated with quantizers (e.g. `applyPrecision(pretrained, 'dorefa')`)
 * @returns the calibration of each rescaled layer, by layer name (empty when no layer has DoReFa weights)
 * @example
 * ```ts
 * const g = applyPrecision(pretrained, 'dorefa');
 * for (const [name, c] of prescaleDoReFaWeights(g)) console.log(name, c.scale, c.unscaledError, c.error);
 * ```
 */
export function prescaleDoReFaWeights(graph: Graph): Map<string, DoReFaCalibration> {
  const out = new Map<string, DoReFaCalibration>();
  for (const layer of graph.layers) {
    if ((layer.kind !== 'conv2d' && layer.kind !== 'dense') || layer.weightQuantizer?.name !== 'dorefa') continue;
    const c = calibrateDoReFaWeights(layer.weight.data, { bits: layer.weightQuantizer.bits });
    layer.weight.data = layer.weight.data.map((v) => v * c.scale);
    out.set(layer.name, c);
  }
  return out;
}
