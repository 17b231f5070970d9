// Shared by the tfjs suites and src/profile/tfjs-step-profile.ts: one real training step of a compiled zoo model
// (forward, softmax cross-entropy, backward, SGD with momentum 0.9 through TrainingOptimizer, masks re-applied)
// on a fixed random batch, with hooks that mark where the forward and backward passes end.
import * as tf from '@tensorflow/tfjs-core';
import { applyPrecision, createModel } from '@quantprune/graph';
import { compileGraph, softmaxCrossEntropy, TrainingOptimizer } from '@quantprune/tfjs';

export type StepModel = 'lenet5' | 'resnet20-cifar';
export type StepPrecision = 'fp32' | 'bnn' | 'dorefa';

/** NHWC input of each model. */
export const STEP_INPUT: Record<StepModel, readonly [number, number, number]> = { lenet5: [28, 28, 1], 'resnet20-cifar': [32, 32, 3] };

export interface TrainingStep {
  /** Runs one step and returns the loss. */
  run(): number;
  dispose(): void;
}

/**
 * Builds the training step of `model` at `precision` (applyPrecision presets: first and last layer FP32).
 * `marks.forward()` runs when the loss is computed, `marks.backward()` when the gradients are ready.
 */
export function trainingStep(model: StepModel, precision: StepPrecision, batch: number, marks: { forward?: () => void; backward?: () => void } = {}): TrainingStep {
  const base = createModel(model);
  const compiled = compileGraph(precision === 'fp32' ? base : applyPrecision(base, precision));
  const params = compiled.trainableVariables.map((variable) => ({ name: variable.name, variable }));
  const optimizer = new TrainingOptimizer({ kind: 'sgd', momentum: 0.9 }, params, {
    maskGradients: (g) => {
      marks.backward?.();
      return compiled.maskGradients(g);
    },
    afterUpdate: () => compiled.applyMasks(),
  });
  optimizer.setLearningRate(0.01);
  const x = tf.randomUniform([batch, ...STEP_INPUT[model]], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.randomUniform([batch], 0, 10, 'int32', 2);
  return {
    run() {
      const loss = optimizer.step(() => {
        const l = softmaxCrossEntropy(compiled.apply(x, true), y);
        marks.forward?.();
        return l;
      });
      const value = loss.dataSync()[0]!;
      loss.dispose();
      return value;
    },
    dispose() {
      optimizer.dispose();
      compiled.dispose();
      tf.dispose([x, y]);
    },
  };
}
