// Test helpers (not tests): seeded random numbers and small layer constructors for hand-built graphs.
import { createPrng } from './internal/prng.ts';
import { convOutputSize } from './shape-inference.ts';
import type { BatchNormLayer, Conv2dLayer, DenseLayer, Graph, Layer, Pad4, PreluLayer, Tensor } from './types.ts';
import { randomArray } from '@quantprune/test-utils';
export { randomArray };

/** Seeded uniform [0, 1) generator (the package's xoshiro128**). */
export function rng(seed: number): () => number {
  const prng = createPrng(seed);
  return () => prng.uniform();
}

export function tensor(shape: number[], data: ArrayLike<number>): Tensor {
  return { shape, data: Float32Array.from(data) };
}

function randomTensor(shape: number[], rand: () => number, lo = -1, hi = 1): Tensor {
  return { shape, data: randomArray(shape.reduce((a, b) => a * b, 1), rand, lo, hi) };
}

export interface ConvOptions {
  stride?: number;
  padding?: number | Pad4;
  dilation?: number;
  groups?: number;
  bias?: boolean;
  kernel?: number;
}

export function conv(name: string, input: string, inC: number, outC: number, rand: () => number, o: ConvOptions = {}): Conv2dLayer {
  const k = o.kernel ?? 3;
  const groups = o.groups ?? 1;
  const p = o.padding ?? 0;
  const layer: Conv2dLayer = {
    kind: 'conv2d',
    name,
    inputs: [input],
    inChannels: inC,
    outChannels: outC,
    kernel: [k, k],
    stride: [o.stride ?? 1, o.stride ?? 1],
    padding: typeof p === 'number' ? [p, p, p, p] : p,
    dilation: [o.dilation ?? 1, o.dilation ?? 1],
    groups,
    weight: randomTensor([outC, inC / groups, k, k], rand),
  };
  if (o.bias === true) layer.bias = randomTensor([outC], rand);
  return layer;
}

export function bn(name: string, input: string, c: number, rand: () => number): BatchNormLayer {
  return {
    kind: 'batchnorm',
    name,
    inputs: [input],
    channels: c,
    eps: 1e-5,
    momentum: 0.1,
    weight: randomTensor([c], rand, 0.5, 1.5),
    bias: randomTensor([c], rand),
    runningMean: randomTensor([c], rand),
    runningVar: randomTensor([c], rand, 0.5, 2),
  };
}

export function dense(name: string, input: string, inF: number, outF: number, rand: () => number, bias = true): DenseLayer {
  const layer: DenseLayer = { kind: 'dense', name, inputs: [input], inFeatures: inF, outFeatures: outF, weight: randomTensor([outF, inF], rand) };
  if (bias) layer.bias = randomTensor([outF], rand);
  return layer;
}

export function prelu(name: string, input: string, c: number, rand: () => number): PreluLayer {
  return { kind: 'prelu', name, inputs: [input], weight: randomTensor([c], rand, 0, 0.5) };
}

export function relu(name: string, input: string): Layer {
  return { kind: 'relu', name, inputs: [input] };
}

export function graphOf(layers: Layer[], output?: string, name = 'test'): Graph {
  return { name, layers, output: output ?? layers[layers.length - 1]!.name };
}

/** A plain chain: conv → bn → relu → conv → bn → prelu → maxpool → flatten → dense, input [3, 8, 8]. */
export function plainChain(seed = 1): Graph {
  const r = rng(seed);
  return graphOf([
    { kind: 'input', name: 'x', inputs: [], shape: [3, 8, 8] },
    conv('conv1', 'x', 3, 6, r, { padding: 1, bias: true }),
    bn('bn1', 'conv1', 6, r),
    relu('relu1', 'bn1'),
    conv('conv2', 'relu1', 6, 5, r, { padding: 1, stride: 2 }),
    bn('bn2', 'conv2', 5, r),
    prelu('prelu2', 'bn2', 5, r),
    { kind: 'maxpool', name: 'pool', inputs: ['prelu2'], kernel: [2, 2], stride: [2, 2], padding: [0, 0, 0, 0] },
    { kind: 'flatten', name: 'flat', inputs: ['pool'] },
    dense('fc', 'flat', 5 * 2 * 2, 4, r),
  ]);
}

/**
 * Stem conv → bn → relu, then one basic residual block, then globalavgpool → dense.
 * `shortcut`: 'identity' (same width, stride 1), 'conv' (1×1 stride-2 conv + bn to 2× width) or 'pad'
 * (option A: `x[:, ::2, ::2]` zero-padded with width/2 channels each side).
 */
export function residualBlock(shortcut: 'identity' | 'conv' | 'pad', seed = 2, width = 4): Graph {
  const r = rng(seed);
  const out = shortcut === 'identity' ? width : 2 * width;
  const stride = shortcut === 'identity' ? 1 : 2;
  const layers: Layer[] = [
    { kind: 'input', name: 'x', inputs: [], shape: [3, 8, 8] },
    conv('conv1', 'x', 3, width, r, { padding: 1 }),
    bn('bn1', 'conv1', width, r),
    relu('relu1', 'bn1'),
    conv('block.conv1', 'relu1', width, out, r, { padding: 1, stride }),
    bn('block.bn1', 'block.conv1', out, r),
    relu('block.relu1', 'block.bn1'),
    conv('block.conv2', 'block.relu1', out, out, r, { padding: 1 }),
    bn('block.bn2', 'block.conv2', out, r),
  ];
  let short = 'relu1';
  if (shortcut === 'conv') {
    layers.push(conv('block.downsample.0', 'relu1', width, out, r, { kernel: 1, stride: 2 }), bn('block.downsample.1', 'block.downsample.0', out, r));
    short = 'block.downsample.1';
  } else if (shortcut === 'pad') {
    layers.push({ kind: 'shortcut-pad', name: 'block.shortcut', inputs: ['relu1'], stride: 2, before: width / 2, after: width / 2 });
    short = 'block.shortcut';
  }
  layers.push(
    { kind: 'add', name: 'block.add', inputs: ['block.bn2', short] },
    relu('block.relu2', 'block.add'),
    { kind: 'globalavgpool', name: 'gap', inputs: ['block.relu2'] },
    dense('fc', 'gap', out, 3, r),
  );
  return graphOf(layers);
}

/**
 * A CIFAR ResNet-20-shaped network (He et al. 2016, option-A shortcuts: stem 3×3 conv 16, three stages of three
 * basic blocks at 16/32/64 channels, global average pool, dense 10), random weights. `blocks` per stage is 3 for
 * ResNet-20; `shortcut` 'B' uses 1×1 conv + BN downsampling instead.
 */
export function resnetCifar(seed = 20, blocks = 3, shortcut: 'A' | 'B' = 'A'): Graph {
  const r = rng(seed);
  const layers: Layer[] = [
    { kind: 'input', name: 'x', inputs: [], shape: [3, 32, 32] },
    conv('conv1', 'x', 3, 16, r, { padding: 1 }),
    bn('bn1', 'conv1', 16, r),
    relu('relu', 'bn1'),
  ];
  let prev = 'relu';
  let inC = 16;
  [16, 32, 64].forEach((planes, stage) => {
    for (let b = 0; b < blocks; b++) {
      const p = `layer${stage + 1}.${b}`;
      const stride = stage > 0 && b === 0 ? 2 : 1;
      layers.push(
        conv(`${p}.conv1`, prev, inC, planes, r, { padding: 1, stride }),
        bn(`${p}.bn1`, `${p}.conv1`, planes, r),
        relu(`${p}.relu1`, `${p}.bn1`),
        conv(`${p}.conv2`, `${p}.relu1`, planes, planes, r, { padding: 1 }),
        bn(`${p}.bn2`, `${p}.conv2`, planes, r),
      );
      let short = prev;
      if (stride !== 1 || inC !== planes) {
        if (shortcut === 'A') {
          layers.push({ kind: 'shortcut-pad', name: `${p}.shortcut`, inputs: [prev], stride, before: planes / 4, after: planes / 4 });
          short = `${p}.shortcut`;
        } else {
          layers.push(conv(`${p}.shortcut.0`, prev, inC, planes, r, { kernel: 1, stride }), bn(`${p}.shortcut.1`, `${p}.shortcut.0`, planes, r));
          short = `${p}.shortcut.1`;
        }
      }
      layers.push({ kind: 'add', name: `${p}.add`, inputs: [`${p}.bn2`, short] }, relu(`${p}.relu2`, `${p}.add`));
      prev = `${p}.relu2`;
      inC = planes;
    }
  });
  layers.push({ kind: 'globalavgpool', name: 'avgpool', inputs: [prev] }, dense('linear', 'avgpool', 64, 10, r));
  return graphOf(layers);
}

/** Textbook convolution with explicit bounds checks (independent of forward's padded/wide-plane loops). */
export function naiveConv(x: Float32Array, n: number, [cin, h, w]: number[], c: Conv2dLayer): Float32Array {
  const [kh, kw] = c.kernel;
  const [pt, pb, pl, pr] = c.padding;
  const ho = convOutputSize(h!, kh, c.stride[0], pt, pb, c.dilation[0]);
  const wo = convOutputSize(w!, kw, c.stride[1], pl, pr, c.dilation[1]);
  const cinG = cin! / c.groups;
  const coutG = c.outChannels / c.groups;
  const out = new Float32Array(n * c.outChannels * ho * wo);
  for (let s = 0; s < n; s++)
    for (let o = 0; o < c.outChannels; o++)
      for (let oy = 0; oy < ho; oy++)
        for (let ox = 0; ox < wo; ox++) {
          let acc = c.bias?.data[o] ?? 0;
          for (let ci = 0; ci < cinG; ci++)
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++) {
                const iy = oy * c.stride[0] - pt + ky * c.dilation[0];
                const ix = ox * c.stride[1] - pl + kx * c.dilation[1];
                if (iy < 0 || iy >= h! || ix < 0 || ix >= w!) continue;
                const ic = Math.floor(o / coutG) * cinG + ci;
                acc += c.weight.data[((o * cinG + ci) * kh + ky) * kw + kx]! * x[((s * cin! + ic) * h! + iy) * w! + ix]!;
              }
          out[((s * c.outChannels + o) * ho + oy) * wo + ox] = acc;
        }
  return out;
}
