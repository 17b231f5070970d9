// Training throughput of compiled IR models on the wasm backend (1 thread): forward + backward + a plain SGD
// step, batch 64, random data. FP32 against QAT in the same process, steps interleaved so machine noise hits
// both alike; the QAT/FP32 step-time ratio is the number that transfers between machines.
import * as tf from '@tensorflow/tfjs-core';
import { applyPrecision, createModel, type Graph } from '@quantprune/graph';
import { compileGraph, initBackend, type CompiledModel } from '@quantprune/tfjs';
import { median, quantile, type BenchSuite } from '../../harness.ts';

type Variant = 'fp32' | 'qat' | 'reference';

interface Case {
  readonly model: string;
  readonly qat: string;
  readonly graph: () => Graph;
  readonly input: [number, number, number]; // H, W, C
  /** img/s goal of the FP32 step. */
  readonly goal: number;
}

const CASES: readonly Case[] = [
  { model: 'lenet5', qat: 'bnn (conv2, fc1 W1A1)', graph: () => createModel('lenet5'), input: [28, 28, 1], goal: 500 },
  { model: 'resnet20-cifar', qat: 'dorefa W2A2', graph: () => createModel('resnet20-cifar'), input: [32, 32, 3], goal: 40 },
];

type Trainable = Pick<CompiledModel, 'apply' | 'trainableVariables' | 'applyMasks'>;

/** One training step: loss, gradients, `w ← w − lr·g`, masks re-applied. Returns the loss. */
function sgdStep(model: Trainable, x: tf.Tensor4D, y: tf.Tensor2D, lr: number): number {
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, true)) as tf.Scalar, model.trainableVariables as tf.Variable[]);
  tf.tidy(() => {
    for (const v of model.trainableVariables) v.assign(tf.sub(v, tf.mul(grads[v.name]!, lr)));
  });
  model.applyMasks();
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

/**
 * The reference of the compiled FP32 LeNet-5: the same network written directly in TF.js (HWIO variables,
 * NHWC flatten), as environment-notes §1 measured it. Ratio compiled/hand-written = the compiler's overhead.
 */
function handWrittenLenet5(model: CompiledModel): Trainable {
  const v = (name: string): tf.Variable => model.variableByParam.get(name)!;
  const conv = (x: tf.Tensor4D, layer: string): tf.Tensor4D => tf.add(tf.conv2d(x, v(`${layer}.weight`) as tf.Tensor4D, 1, 'valid'), v(`${layer}.bias`));
  const dense = (x: tf.Tensor2D, layer: string): tf.Tensor2D => tf.add(tf.matMul(x, v(`${layer}.weight`) as tf.Tensor2D), v(`${layer}.bias`));
  return {
    trainableVariables: model.trainableVariables,
    applyMasks: () => {},
    apply: (x) =>
      tf.tidy(() => {
        let h = tf.maxPool(conv(x as tf.Tensor4D, 'conv1'), 2, 2, 'valid');
        h = tf.maxPool(conv(h, 'conv2'), 2, 2, 'valid');
        return dense(tf.relu(dense(tf.reshape(h, [h.shape[0], -1]), 'fc1')), 'fc2');
      }),
  };
}

export const suite: BenchSuite = {
  name: 'tfjs/train-throughput',
  description: 'training images/s (forward + backward + SGD) of compiled LeNet-5 and ResNet-20 on wasm, 1 thread, FP32 and QAT',
  async run({ quick, log }) {
    const backend = await initBackend('wasm', { threads: 1 });
    const batch = quick ? 4 : 64;
    const steps = quick ? 2 : 12;
    const rows: Record<string, string | number>[] = [];
    const goals: { goal: string; met: boolean }[] = [];
    const notes: string[] = [];
    for (const c of CASES) {
      const graphs = { fp32: c.graph(), qat: applyPrecision(c.graph(), c.model === 'lenet5' ? 'bnn' : 'dorefa') };
      const compiled = { fp32: compileGraph(graphs.fp32), qat: compileGraph(graphs.qat) };
      const models = new Map<Variant, Trainable>([['fp32', compiled.fp32], ['qat', compiled.qat]]);
      if (c.model === 'lenet5') models.set('reference', handWrittenLenet5(compiled.fp32));
      const x = tf.randomUniform([batch, ...c.input], 0, 1, 'float32', 1) as tf.Tensor4D;
      const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2) as tf.Tensor1D, 10) as tf.Tensor2D;
      const times = new Map<Variant, number[]>([...models.keys()].map((k) => [k, []]));
      for (const model of models.values()) for (let i = 0; i < 2; i++) sgdStep(model, x, y, 0.01); // warm-up
      const tensors = tf.memory().numTensors;
      let finite = true;
      for (let i = 0; i < steps; i++) {
        for (const [k, model] of models) {
          const t0 = performance.now();
          finite &&= Number.isFinite(sgdStep(model, x, y, 0.01));
          times.get(k)!.push(performance.now() - t0);
        }
        log(`${c.model} step ${i + 1}/${steps}`);
      }
      const leaked = tf.memory().numTensors - tensors;
      const ms = new Map([...times].map(([k, t]) => [k, median(t)]));
      const fp32 = ms.get('fp32')!;
      const qat = ms.get('qat')!;
      for (const [k, t] of times) {
        rows.push({
          model: c.model,
          precision: k === 'fp32' ? 'fp32' : k === 'qat' ? c.qat : 'fp32, hand-written TF.js (reference)',
          'median ms/step': ms.get(k)!,
          'p10–p90 ms': `${quantile(t, 0.1).toFixed(0)}–${quantile(t, 0.9).toFixed(0)}`,
          'images/s': (batch * 1000) / ms.get(k)!,
          'ratio to fp32': ms.get(k)! / fp32,
        });
      }
      const reference = ms.get('reference');
      if (reference !== undefined) notes.push(`${c.model}: compiled FP32 / hand-written step time = ${(fp32 / reference).toFixed(3)}`);
      if (!quick) {
        // speed goals only at batch 64 (quick mode runs batch 4 for the harness test)
        goals.push(
          { goal: `${c.model} FP32 ≥ ${c.goal} img/s at batch 64`, met: (batch * 1000) / fp32 >= c.goal },
          { goal: `${c.model} QAT/FP32 step time ≤ 1.3 (${c.qat})`, met: qat / fp32 <= 1.3 },
        );
      }
      goals.push({ goal: `${c.model}: finite losses and no tensor leak over ${models.size * steps} steps (numTensors change ${leaked})`, met: finite && leaked === 0 });
      tf.dispose([x, y]);
      compiled.fp32.dispose();
      compiled.qat.dispose();
    }
    notes.push(
      `backend ${backend.name} ${backend.version}, ${backend.threads} thread(s); batch ${batch}; median of ${steps} interleaved steps after 2 warm-ups; random data`,
      'ResNet-20 is the option-A (zero-pad shortcut) CIFAR model of the zoo; QAT per applyPrecision: first and last layers FP32',
      'kernels: every wasm replacement initBackend registers (conv gradients, broadcasting comparisons, matmul, reductions, identity, fused BatchNorm training)',
    );
    return { rows, goals, notes };
  },
};
