// Per-step cost of straight-through quantization in a small TF.js conv training step (forward + backward +
// SGD), on the wasm backend, as a ratio to the same step in float32. The backend comes from @quantprune/tfjs's
// initBackend('wasm'), which registers tfjs-core's gradients and the fast conv-gradient kernels (stock
// tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter; shared/reference/environment-notes.md §1).
import * as tf from '@tensorflow/tfjs-core';
import { steBinary, steDoReFaActivations, steDoReFaWeights, steUniform, steXnorWeights } from '@quantprune/quantizers/tfjs';
import { initBackend } from '@quantprune/tfjs';
import { median, type BenchSuite } from '../../harness.ts';

type Quant = { weights: (w: tf.Tensor4D) => tf.Tensor4D; acts: (a: tf.Tensor4D) => tf.Tensor4D } | null;

const variants: [string, Quant][] = [
  ['float32', null],
  ['BNN: sign weights + sign activations', { weights: (w) => steBinary(w, { gate: 'identity' }), acts: (a) => steBinary(a) }],
  ['XNOR weights + sign activations', { weights: (w) => steXnorWeights(w, { axis: -1 }), acts: (a) => steBinary(a) }],
  ['DoReFa 2-bit weights + activations', { weights: (w) => steDoReFaWeights(w, { bits: 2 }), acts: (a) => steDoReFaActivations(a, { bits: 2 }) }],
  ['uniform 8-bit (sym per channel W, affine A)', { weights: (w) => steUniform(w, { bits: 8, scheme: 'symmetric', axis: -1 }), acts: (a) => steUniform(a, { bits: 8 }) }],
];

export const suite: BenchSuite = {
  name: 'quantizers/qat-step',
  description: 'TF.js wasm conv training step with straight-through quantized conv weights and inputs, ratio to the float32 step',
  async run({ quick, log }) {
    await initBackend('wasm');
    const batch = quick ? 4 : 32;
    const size = 16;
    const steps = quick ? 2 : 20;
    const seed = (shape: number[], scale: number): tf.Variable => tf.variable(tf.randomNormal(shape, 0, scale, 'float32', 7));
    const images = tf.randomNormal([batch, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2) as tf.Tensor1D, 10);
    // conv1 (image input) stays float, as in Paper A (FLReal); conv2..conv4 are quantized
    const f1 = seed([3, 3, 3, 32], 0.3);
    const f2 = seed([3, 3, 32, 32], 0.1);
    const f3 = seed([3, 3, 32, 64], 0.1);
    const f4 = seed([3, 3, 64, 64], 0.1);
    const head = seed([64, 10], 0.1);
    const optimizer = tf.train.sgd(0.01);
    const lossFor = (q: Quant) => (): tf.Scalar => {
      const layer = (h: tf.Tensor4D, f: tf.Variable): tf.Tensor4D =>
        q ? tf.conv2d(q.acts(h), q.weights(f as tf.Tensor4D), 1, 'same') : tf.conv2d(h, f as tf.Tensor4D, 1, 'same');
      let h: tf.Tensor4D = tf.relu(tf.conv2d(images, f1 as tf.Tensor4D, 1, 'same'));
      h = tf.relu(layer(h, f2));
      h = tf.maxPool(h, 2, 2, 'valid');
      h = tf.relu(layer(h, f3));
      h = tf.relu(layer(h, f4));
      return tf.losses.softmaxCrossEntropy(labels, tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, head));
    };
    const times = new Map<string, number[]>(variants.map(([name]) => [name, []]));
    for (const [, q] of variants) {
      const loss = lossFor(q);
      for (let i = 0; i < 2; i++) optimizer.minimize(loss, true)?.dispose(); // warm-up
    }
    const tensorsBefore = tf.memory().numTensors;
    // interleave variants step by step so machine noise hits all of them alike
    for (let i = 0; i < steps; i++) {
      for (const [name, q] of variants) {
        const loss = lossFor(q);
        const t0 = performance.now();
        const l = optimizer.minimize(loss, true);
        l?.dataSync();
        times.get(name)!.push(performance.now() - t0);
        l?.dispose();
      }
      if ((i + 1) % 5 === 0) log(`step ${i + 1}/${steps}`);
    }
    const base = median(times.get('float32')!);
    const rows = variants.map(([name]) => {
      const ms = median(times.get(name)!);
      return { variant: name, 'median ms/step': ms, 'ratio to float32': ms / base };
    });
    const leaked = tf.memory().numTensors - tensorsBefore;
    const worst = Math.max(...rows.map((r) => r['ratio to float32']));
    tf.dispose([images, labels, f1, f2, f3, f4, head]);
    optimizer.dispose();
    return {
      rows,
      goals: [
        { goal: 'straight-through quantization of conv weights and activations ≤ 1.3× the float32 step (worst variant)', met: worst <= 1.3 },
        { goal: `no tensor leak over ${steps * variants.length} steps (tf.memory().numTensors change: ${leaked})`, met: leaked === 0 },
      ],
      notes: [
        `batch ${batch}, ${size}×${size}×3 input, 4 conv3×3 layers (32, 32, 64, 64 channels; 3 quantized), median of ${steps} interleaved steps, wasm backend 1 thread`,
        'conv gradients: the replacement kernels that @quantprune/tfjs registers for wasm',
      ],
    };
  },
};
