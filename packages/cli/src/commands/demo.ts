import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accountSize,
  encodeContainer,
  levelsQuantization,
  planLayerTensors,
  plannedWeightQuantization,
  predictContainerBytes,
  resnet18ImagenetLayers,
  encodeTensor,
  type EncodedTensor,
} from '@quantprune/formats';
import { loadMnist } from '@quantprune/data';
import { createModel, saveGraph } from '@quantprune/graph';
import { createTrainer, lineProgress } from '@quantprune/tfjs';
import type { CliIO } from '../io.ts';
import { inspectCommand } from './inspect.ts';
import { sizeReportText } from './size.ts';
import { NORMALIZE, sizeText } from './train.ts';

// mulberry32: a small seeded generator so the demo prints the same numbers every run.
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of `quantprune demo`. */
export interface DemoOptions {
  /** Where to write the demo .qpk (default: the system temp folder). */
  readonly out?: string;
  /** `false` skips the MNIST training run (commander's `--no-train`). */
  readonly train?: boolean;
}

/**
 * `quantprune demo`: binarizes a 3×3 conv layer XNOR-style (sign, α = mean|w| per output channel), packs it into
 * a .qpk file and inspects it; prints the Paper-A size report of binary ResNet-18; writes the whole binary
 * ResNet-18 (random weights) and compares the real file size with the accounting prediction; then trains LeNet-5
 * on 12,800 real MNIST images (one short epoch with the TF.js engine) and prints its test accuracy and size.
 */
export async function demoCommand(options: DemoOptions, io: CliIO): Promise<number> {
  const rand = random(42);
  const [cout, cin, k] = [64, 64, 3];
  const perChannel = cin * k * k;
  const weights = Float32Array.from({ length: cout * perChannel }, () => (rand() + rand() + rand() - 1.5) * 0.1);
  const codes = new Uint8Array(weights.length);
  const alpha = new Float32Array(cout);
  for (let o = 0; o < cout; o++) {
    let sum = 0;
    for (let i = o * perChannel; i < (o + 1) * perChannel; i++) {
      sum += Math.abs(weights[i]!);
      codes[i] = weights[i]! >= 0 ? 1 : 0; // level 1 = +1, level 0 = −1 (sign(0) = +1)
    }
    alpha[o] = sum / perChannel;
  }
  const file = options.out ?? join(tmpdir(), 'quantprune-demo.qpk');
  const bytes = encodeContainer(
    [
      { name: 'layer1.0.conv1.weight', shape: [cout, cin, k, k], codes, quantization: levelsQuantization(1, [-1, 1], { scale: alpha, axis: 0 }) },
      { name: 'layer1.0.conv1.float', shape: [cout, cin, k, k], data: weights },
    ],
    { metadata: { demo: 'XNOR-binarized 3x3 conv next to its float32 original', seed: 42 } },
  );
  writeFileSync(file, bytes);
  io.out(`# 1. A 64×64×3×3 conv, binarized (XNOR-Net: sign · α per output channel), packed into ${file}\n`);
  inspectCommand(file, {}, io);

  const layers = resnet18ImagenetLayers({ bodyBits: 1, prelu: true });
  io.out('\n# 2. Theoretical size of binary ResNet-18 (Paper A convention)\n');
  io.out(sizeReportText('resnet18-bnn', accountSize(layers, 'paper-a')));

  // The same network as a real file: binary layers as 1-bit codes, the rest float32.
  const specs = planLayerTensors(layers);
  const tensors: EncodedTensor[] = specs.map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const v = s.encoding.values;
    if (v.kind === 'raw') return encodeTensor({ name: s.name, shape: s.shape, data: Float32Array.from({ length: n }, () => rand() - 0.5) });
    return encodeTensor({ name: s.name, shape: s.shape, codes: Uint8Array.from({ length: n }, () => (rand() < 0.5 ? 0 : 1)), quantization: plannedWeightQuantization(v.bits) });
  });
  const predicted = predictContainerBytes(specs);
  const actual = encodeContainer(tensors).length;
  const theoretical = accountSize(layers, 'paper-a').bytes;
  io.out('\n# 3. The same network written as a .qpk file (random weights)\n');
  io.out(`predicted by the accounting formula: ${predicted.toLocaleString('en-US')} bytes`);
  io.out(`actual encoded file:                 ${actual.toLocaleString('en-US')} bytes (${(((actual - predicted) / predicted) * 100).toFixed(3)} % off)`);
  io.out(`theoretical paper-a bits / 8:        ${theoretical.toLocaleString('en-US')} bytes (file is ${(((actual - theoretical) / theoretical) * 100).toFixed(3)} % larger: level tables, header, alignment)`);
  if (options.train !== false) await trainLenet(file.replace(/\.qpk$/, '') + '-lenet5.qpk', io);
  return 0;
}

/** Section 4: a short, visible LeNet-5 training run on real MNIST (about a minute on one core). */
async function trainLenet(file: string, io: CliIO): Promise<void> {
  const images = 12_800;
  io.out(`\n# 4. Train LeNet-5 on ${images.toLocaleString('en-US')} real MNIST images (1 epoch, batch 64, Adam lr 0.001, cosine), TF.js\n`);
  const trainer = await createTrainer({
    graph: createModel('lenet5'),
    train: loadMnist({ split: 'train' }),
    test: loadMnist({ split: 'test' }),
    limit: images,
    batchSize: 64,
    optimizer: { kind: 'adam' },
    schedule: { kind: 'cosine', lr: 1e-3, totalSteps: images / 64, warmupSteps: 20 },
    normalize: NORMALIZE.mnist,
    progress: lineProgress((line) => io.out(line), 50),
  });
  try {
    io.out(`backend ${trainer.backend.name} ${trainer.backend.version}, ${trainer.stepsPerEpoch} steps`);
    const [epoch] = await trainer.fit({ epochs: 1 });
    const test = epoch!.test!;
    trainer.readWeights();
    const bytes = saveGraph(trainer.graph, { metadata: { demo: 'LeNet-5, 1 short epoch on MNIST', top1: test.top1 } });
    writeFileSync(file, bytes);
    io.out(`test accuracy (10,000 MNIST test images): top-1 ${(100 * test.top1).toFixed(2)} %, top-5 ${(100 * test.top5).toFixed(2)} %`);
    io.out(`training: ${epoch!.train.seconds.toFixed(1)} s, ${Math.round((epoch!.train.steps * 64) / epoch!.train.seconds)} img/s`);
    io.out(`model size: ${sizeText(trainer.graph)}; wrote ${file} (${bytes.length.toLocaleString('en-US')} bytes, float32)`);
  } finally {
    trainer.dispose();
  }
}
