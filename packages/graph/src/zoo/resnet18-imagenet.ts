/**
 * torchvision's ResNet-18 for ImageNet (`torchvision/models/resnet.py`, input `[3, 224, 224]`): conv 7×7/2 →
 * bn1 → ReLU → maxpool 3×3/2 → four stages of two BasicBlocks (64/128/256/512 channels) → global average pooling
 * → fc. Block: conv1 → bn1 → ReLU → conv2 → bn2, + identity or downsample (1×1 conv stride 2 + BN,
 * `downsample.0` / `downsample.1`), → ReLU. 11,689,512 parameters; names equal torchvision's state-dict prefixes
 * (the block's second ReLU call is `relu_1`, the join `add`).
 */
import { GraphBuilder } from '../builder.ts';
import type { Graph } from '../types.ts';
import type { FamilyOptions } from './family.ts';

/** torchvision ResNet-18. */
export function resnet18Imagenet(options: FamilyOptions): Graph {
  const b = new GraphBuilder('resnet18-imagenet', { seed: options.seed });
  let x = b.input([3, 224, 224]);
  x = b.conv2d('conv1', x, { inChannels: 3, outChannels: 64, kernel: 7, stride: 2, padding: 3 });
  x = b.relu('relu', b.batchnorm('bn1', x, { channels: 64 }));
  x = b.maxpool('maxpool', x, { kernel: 3, stride: 2, padding: 1 });
  let inPlanes = 64;
  [64, 128, 256, 512].forEach((planes, stage) => {
    for (let block = 0; block < 2; block++) {
      const p = `layer${stage + 1}.${block}`;
      const stride = stage > 0 && block === 0 ? 2 : 1;
      let y = b.conv2d(`${p}.conv1`, x, { inChannels: inPlanes, outChannels: planes, kernel: 3, stride, padding: 1 });
      y = b.relu(`${p}.relu`, b.batchnorm(`${p}.bn1`, y, { channels: planes }));
      y = b.conv2d(`${p}.conv2`, y, { inChannels: planes, outChannels: planes, kernel: 3, padding: 1 });
      y = b.batchnorm(`${p}.bn2`, y, { channels: planes });
      let identity = x;
      if (stride !== 1 || inPlanes !== planes) {
        const d = b.conv2d(`${p}.downsample.0`, x, { inChannels: inPlanes, outChannels: planes, kernel: 1, stride });
        identity = b.batchnorm(`${p}.downsample.1`, d, { channels: planes });
      }
      x = b.relu(`${p}.relu_1`, b.add(`${p}.add`, [y, identity]));
      inPlanes = planes;
    }
  });
  x = b.flatten('flatten', b.globalAvgPool('avgpool', x));
  return b.build(b.dense('fc', x, { inFeatures: 512, outFeatures: options.numClasses }));
}
