/**
 * The CIFAR ResNets of He et al. (2016) §4.2 as in akamaster/pytorch_resnet_cifar10 (`resnet.py`): 3×3 stem with
 * 16 channels, three stages of n BasicBlocks (16/32/64 channels, stride 1/2/2), global average pooling and a
 * Linear 64 → classes; depth 6n + 2 (n = 3, 5, 7, 9 → ResNet-20/32/44/56).
 *
 * Block: conv1 → bn1 → ReLU → conv2 → bn2, + shortcut, → ReLU. Where the shape changes the shortcut is
 * - option A (default, the original CIFAR ResNets and the pretrained checkpoints): a `shortcut-pad` layer,
 *   `x[:, ::2, ::2]` zero-padded with planes/4 channels on each side, no parameters;
 * - option B: 1×1 conv (stride 2) + BatchNorm, named `shortcut.0` / `shortcut.1`.
 *
 * Layer names are the torch parameter prefixes (`conv1`, `bn1`, `layer1.0.conv1`, …, `linear`); parameterless
 * layers are named after the module or function (`relu`, `layer1.0.add`, the second ReLU of a block `relu_1`).
 */
import { GraphBuilder } from '../builder.ts';
import type { Graph } from '../types.ts';
import type { FamilyOptions } from './family.ts';

/** A CIFAR ResNet of the given depth (6n + 2). */
export function resnetCifar(depth: 20 | 32 | 44 | 56, options: FamilyOptions): Graph {
  const n = (depth - 2) / 6;
  const b = new GraphBuilder(`resnet${depth}-cifar`, { seed: options.seed });
  let x = b.input([3, 32, 32]);
  x = b.conv2d('conv1', x, { inChannels: 3, outChannels: 16, kernel: 3, padding: 1 });
  x = b.relu('relu', b.batchnorm('bn1', x, { channels: 16 }));
  let inPlanes = 16;
  [16, 32, 64].forEach((planes, stage) => {
    for (let block = 0; block < n; block++) {
      const p = `layer${stage + 1}.${block}`;
      const stride = stage > 0 && block === 0 ? 2 : 1;
      let y = b.conv2d(`${p}.conv1`, x, { inChannels: inPlanes, outChannels: planes, kernel: 3, stride, padding: 1 });
      y = b.relu(`${p}.relu`, b.batchnorm(`${p}.bn1`, y, { channels: planes }));
      y = b.conv2d(`${p}.conv2`, y, { inChannels: planes, outChannels: planes, kernel: 3, padding: 1 });
      y = b.batchnorm(`${p}.bn2`, y, { channels: planes });
      let shortcut = x;
      if (stride !== 1 || inPlanes !== planes) {
        shortcut =
          options.shortcut === 'A'
            ? b.shortcutPad(`${p}.shortcut`, x, { stride, before: planes / 4, after: planes / 4 })
            : b.batchnorm(`${p}.shortcut.1`, b.conv2d(`${p}.shortcut.0`, x, { inChannels: inPlanes, outChannels: planes, kernel: 1, stride }), { channels: planes });
      }
      x = b.relu(`${p}.relu_1`, b.add(`${p}.add`, [y, shortcut]));
      inPlanes = planes;
    }
  });
  x = b.flatten('flatten', b.globalAvgPool('avgpool', x));
  return b.build(b.dense('linear', x, { inFeatures: 64, outFeatures: options.numClasses }));
}
