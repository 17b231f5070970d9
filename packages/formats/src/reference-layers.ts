/**
 * Layer lists of the reference networks whose sizes the papers report, used to check the accounting
 * conventions (shared/reference/papers.md §A.5 and §B.3.6). `@quantprune/graph` derives the same lists from its
 * model zoo; these stay here so the accounting can be verified on its own.
 */
import type { LayerSpec } from './size-accounting.ts';

/** Options of {@link resnet18ImagenetLayers}. */
export interface ResNet18LayersOptions {
  /** Bits of the 3×3 convolutions of the four stages (32 = full precision). @default 32 */
  readonly bodyBits?: number;
  /** Bits of the three 1×1 downsample convolutions (Paper A's code keeps them 1-bit even for DoReFa). @default bodyBits */
  readonly downsampleBits?: number;
  /** Bits of the stem conv and the fc layer (Paper A keeps them FP32). @default 32 */
  readonly firstLastBits?: number;
  /** One PReLU slope per basic block (Paper A's variant). @default false */
  readonly prelu?: boolean;
}

/**
 * torchvision's ResNet-18 for ImageNet (11,689,512 parameters; 11,689,520 with Paper A's 8 PReLU slopes).
 *
 * @example
 * ```ts
 * accountSize(resnet18ImagenetLayers({ bodyBits: 1, prelu: true }), 'paper-a').totalBits; // 28182016
 * ```
 */
export function resnet18ImagenetLayers(options: ResNet18LayersOptions = {}): LayerSpec[] {
  const body = options.bodyBits ?? 32;
  const down = options.downsampleBits ?? body;
  const edge = options.firstLastBits ?? 32;
  const layers: LayerSpec[] = [
    { name: 'conv1', kind: 'conv', shape: [64, 3, 7, 7], weightBits: edge },
    { name: 'bn1', kind: 'batchnorm', shape: [64] },
  ];
  let inPlanes = 64;
  [64, 128, 256, 512].forEach((planes, stage) => {
    for (let block = 0; block < 2; block++) {
      const p = `layer${stage + 1}.${block}`;
      const cin = block === 0 ? inPlanes : planes;
      layers.push(
        { name: `${p}.conv1`, kind: 'conv', shape: [planes, cin, 3, 3], weightBits: body },
        { name: `${p}.bn1`, kind: 'batchnorm', shape: [planes] },
        { name: `${p}.conv2`, kind: 'conv', shape: [planes, planes, 3, 3], weightBits: body },
        { name: `${p}.bn2`, kind: 'batchnorm', shape: [planes] },
      );
      if (block === 0 && cin !== planes) {
        layers.push(
          { name: `${p}.downsample.0`, kind: 'conv', shape: [planes, cin, 1, 1], weightBits: down },
          { name: `${p}.downsample.1`, kind: 'batchnorm', shape: [planes] },
        );
      }
      if (options.prelu) layers.push({ name: `${p}.prelu`, kind: 'prelu', shape: [1] });
    }
    inPlanes = planes;
  });
  layers.push({ name: 'fc', kind: 'dense', shape: [1000, 512], weightBits: edge, bias: true });
  return layers;
}

/** Caffe's LeNet-5 (conv 20@5×5 → pool → conv 50@5×5 → pool → fc 500 → fc 10): 430,500 weights, biases. */
export function lenet5Layers(weightBits = 32): LayerSpec[] {
  return [
    { name: 'conv1', kind: 'conv', shape: [20, 1, 5, 5], weightBits, bias: true },
    { name: 'conv2', kind: 'conv', shape: [50, 20, 5, 5], weightBits, bias: true },
    { name: 'fc1', kind: 'dense', shape: [500, 800], weightBits, bias: true },
    { name: 'fc2', kind: 'dense', shape: [10, 500], weightBits, bias: true },
  ];
}
