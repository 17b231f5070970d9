/**
 * The LeNets of Paper B (MNIST, input `[1, 28, 28]`).
 *
 * - `lenet5`: Caffe's LeNet-5 (`examples/mnist/lenet_train_test.prototxt`): conv 20@5×5 → maxpool 2 → conv 50@5×5 →
 *   maxpool 2 → fc 500 → ReLU → fc 10, biases everywhere; 430,500 weights (431,080 parameters). Caffe names its
 *   fully connected layers `ip1`/`ip2`; here they are `fc1`/`fc2` (as in @quantprune/formats' `lenet5Layers`).
 * - `lenet300-100`: 784 → 300 → ReLU → 100 → ReLU → 10 (266,200 weights, 266,610 parameters).
 */
import { GraphBuilder } from '../builder.ts';
import type { Graph } from '../types.ts';
import type { FamilyOptions } from './family.ts';

/** Caffe's LeNet-5. */
export function lenet5(options: FamilyOptions): Graph {
  const b = new GraphBuilder('lenet5', { seed: options.seed });
  let x = b.input([1, 28, 28]);
  x = b.conv2d('conv1', x, { inChannels: 1, outChannels: 20, kernel: 5, bias: true });
  x = b.maxpool('pool1', x, { kernel: 2 });
  x = b.conv2d('conv2', x, { inChannels: 20, outChannels: 50, kernel: 5, bias: true });
  x = b.maxpool('pool2', x, { kernel: 2 });
  x = b.flatten('flatten', x);
  x = b.dense('fc1', x, { inFeatures: 50 * 4 * 4, outFeatures: 500 });
  x = b.relu('relu1', x);
  return b.build(b.dense('fc2', x, { inFeatures: 500, outFeatures: options.numClasses }));
}

/** LeNet-300-100 (fully connected). */
export function lenet300100(options: FamilyOptions): Graph {
  const b = new GraphBuilder('lenet300-100', { seed: options.seed });
  let x = b.flatten('flatten', b.input([1, 28, 28]));
  x = b.relu('relu1', b.dense('fc1', x, { inFeatures: 784, outFeatures: 300 }));
  x = b.relu('relu2', b.dense('fc2', x, { inFeatures: 300, outFeatures: 100 }));
  return b.build(b.dense('fc3', x, { inFeatures: 100, outFeatures: options.numClasses }));
}
