/**
 * Paper A's binary VGG-11 for CIFAR-10 (`models/vgg11_binary.py` of luis-guerraf/pruning_quantized_networks,
 * shared/reference/papers.md §A.3.4): eight 3×3 convs 64-128-256-256-512-512-512-512 with bias, each followed by
 * (MaxPool 2 after convs 1, 2, 4, 6, 8) → BatchNorm → Hardtanh, then flatten and one Linear 512 → 10.
 * 9,231,114 parameters. Names are the torch `nn.Sequential` indices (`features.0`, `features.2`, …,
 * `classifier.0`) so the authors' checkpoints map one to one. Precision presets add the `classifier.1`
 * BatchNorm1d (affine = false) of the binary classifier.
 */
import { GraphBuilder } from '../builder.ts';
import type { Graph } from '../types.ts';
import type { FamilyOptions } from './family.ts';

const WIDTHS = [64, 128, 256, 256, 512, 512, 512, 512] as const;
const POOL_AFTER = new Set([0, 1, 3, 5, 7]);

/** Paper A's VGG-11 (input `[3, 32, 32]`). */
export function vgg11Cifar(options: FamilyOptions): Graph {
  const b = new GraphBuilder('vgg11-cifar', { seed: options.seed });
  let x = b.input([3, 32, 32]);
  let index = 0;
  let inChannels = 3;
  WIDTHS.forEach((outChannels, i) => {
    x = b.conv2d(`features.${index++}`, x, { inChannels, outChannels, kernel: 3, padding: 1, bias: true });
    if (POOL_AFTER.has(i)) x = b.maxpool(`features.${index++}`, x, { kernel: 2 });
    x = b.batchnorm(`features.${index++}`, x, { channels: outChannels });
    x = b.hardtanh(`features.${index++}`, x);
    inChannels = outChannels;
  });
  x = b.flatten('flatten', x);
  return b.build(b.dense('classifier.0', x, { inFeatures: 512, outFeatures: options.numClasses }));
}
