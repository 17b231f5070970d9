/**
 * The ResNets of Paper A's code (`models/resnet_binary.py` of luis-guerraf/pruning_quantized_networks,
 * shared/reference/papers.md §A.3.4), built as their full-precision-first-and-last (`FLReal = True`) topology:
 *
 * - stem: conv → ReLU → (ImageNet: maxpool 3×3/2) → bn1 (BN after the activation);
 * - BasicBlock: conv1 → PReLU → bn1 → conv2 → PReLU → bn2, + identity or downsample (1×1 conv + BN), and no
 *   activation after the join. The block has ONE `nn.PReLU()` (one slope) named `relu`, applied after both
 *   convs: here the layers `relu` and `relu_1` share the same slope tensor (counted once);
 * - head: ReLU (`relu_1`, the stem's module called again) → global average pooling → fc.
 *
 * `resnet18-imagenet-paper-a`: widths 64/128/256/512, 7×7/2 stem, [2, 2, 2, 2] blocks: 11,689,520 parameters
 * (torchvision's 11,689,512 plus 8 PReLU slopes). `resnet14-cifar` is the code's "ResNet-18 for CIFAR" (its
 * README: "actually a Resnet14 1.25x wider"): widths 80/160/320, 3×3 stem, no maxpool, 2 blocks per stage.
 * The binary classifier's `bn3` (BatchNorm1d) is added by the precision presets with `firstLast: 'quantized'`.
 */
import { GraphBuilder } from '../builder.ts';
import type { Graph } from '../types.ts';
import type { FamilyOptions } from './family.ts';

/** Paper A's ResNet-18 for ImageNet (input `[3, 224, 224]`). */
export function resnet18ImagenetPaperA(options: FamilyOptions): Graph {
  return paperAResnet('resnet18-imagenet-paper-a', [64, 128, 256, 512], true, options);
}

/** Paper A's wide ResNet-14 for CIFAR-10 (input `[3, 32, 32]`). */
export function resnet14Cifar(options: FamilyOptions): Graph {
  return paperAResnet('resnet14-cifar', [80, 160, 320], false, options);
}

function paperAResnet(name: string, widths: readonly number[], imagenet: boolean, options: FamilyOptions): Graph {
  const b = new GraphBuilder(name, { seed: options.seed });
  const stem = widths[0]!;
  let x = b.input(imagenet ? [3, 224, 224] : [3, 32, 32]);
  x = imagenet
    ? b.conv2d('conv1', x, { inChannels: 3, outChannels: stem, kernel: 7, stride: 2, padding: 3 })
    : b.conv2d('conv1', x, { inChannels: 3, outChannels: stem, kernel: 3, padding: 1 });
  x = b.relu('relu', x);
  if (imagenet) x = b.maxpool('maxpool', x, { kernel: 3, stride: 2, padding: 1 });
  x = b.batchnorm('bn1', x, { channels: stem });
  let inPlanes = stem;
  widths.forEach((planes, stage) => {
    for (let block = 0; block < 2; block++) {
      const p = `layer${stage + 1}.${block}`;
      const stride = stage > 0 && block === 0 ? 2 : 1;
      let y = b.conv2d(`${p}.conv1`, x, { inChannels: inPlanes, outChannels: planes, kernel: 3, stride, padding: 1 });
      y = b.batchnorm(`${p}.bn1`, b.prelu(`${p}.relu`, y), { channels: planes });
      y = b.conv2d(`${p}.conv2`, y, { inChannels: planes, outChannels: planes, kernel: 3, padding: 1 });
      y = b.batchnorm(`${p}.bn2`, b.prelu(`${p}.relu_1`, y, { tiedTo: `${p}.relu` }), { channels: planes });
      let residual = x;
      if (stride !== 1 || inPlanes !== planes) {
        const d = b.conv2d(`${p}.downsample.0`, x, { inChannels: inPlanes, outChannels: planes, kernel: 1, stride });
        residual = b.batchnorm(`${p}.downsample.1`, d, { channels: planes });
      }
      x = b.add(`${p}.add`, [y, residual]);
      inPlanes = planes;
    }
  });
  x = b.flatten('flatten', b.globalAvgPool('avgpool', b.relu('relu_1', x)));
  return b.build(b.dense('fc', x, { inFeatures: inPlanes, outFeatures: options.numClasses }));
}
