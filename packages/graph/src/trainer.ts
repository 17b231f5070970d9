/**
 * The training interface that compression algorithms (pruners, ADMM, BO loops) use without importing a
 * training engine. @quantprune/tfjs implements it; another engine can implement the same contract.
 *
 * Parameters are addressed by torch-style names: `<layer name>.weight`, `.bias`, `.running_mean`,
 * `.running_var` (BatchNorm γ and β are `.weight` and `.bias`).
 */
import type { Graph } from './types.ts';

/** A map from parameter name to its values (row-major, the IR's layout). */
export type WeightMap = Map<string, Float32Array>;

/**
 * A quadratic penalty `(rho / 2) · ‖W − target‖²` on one parameter, added to the loss each step.
 * ADMM uses it with `target = Z − U`.
 */
export interface ProximalTerm {
  readonly param: string;
  readonly target: Float32Array;
  readonly rho: number;
}

/** What a step reports to {@link TrainHooks.onStep}. */
export interface StepInfo {
  /** Global step number (counts across `train` calls and resumes), starting at 1. */
  readonly step: number;
  readonly epoch: number;
  readonly loss: number;
  readonly learningRate: number;
  readonly imagesPerSecond: number;
}

/** Hooks of one `train` call. */
export interface TrainHooks {
  /** Extra loss terms. */
  readonly proximal?: readonly ProximalTerm[];
  /**
   * Gradient masks by parameter name (1 = update, 0 = frozen at its current value). The graph's own
   * pruning masks (`mask`, `channelMask`) are always honoured in addition.
   */
  readonly gradientMasks?: ReadonlyMap<string, Uint8Array>;
  /** Called after every step; return `'stop'` to end the call early. */
  readonly onStep?: (info: StepInfo) => void | 'stop';
}

/** Options of {@link Trainer.train}. */
export interface TrainOptions {
  /** Optimiser steps to run. */
  readonly steps: number;
  readonly hooks?: TrainHooks;
}

/** Result of a `train` call. */
export interface TrainReport {
  readonly steps: number;
  /** Mean training loss over the call. */
  readonly meanLoss: number;
  readonly lastLoss: number;
  readonly seconds: number;
}

/** Options of {@link Trainer.evaluate}. */
export interface EvaluateOptions {
  /** Evaluate on at most this many examples of the evaluation set. */
  readonly limit?: number;
}

/** Result of an evaluation. */
export interface EvaluateReport {
  readonly examples: number;
  readonly loss: number;
  /** Fractions in [0, 1]. */
  readonly top1: number;
  readonly top5: number;
}

/** A training engine bound to one model and its data. */
export interface Trainer {
  /** The model; `readWeights`/`writeWeights` keep it in sync with the engine's copy. */
  readonly graph: Graph;
  /** Runs `steps` optimiser steps on the training set. */
  train(options: TrainOptions): Promise<TrainReport>;
  /** Evaluates on the evaluation set (top-1, top-5, mean loss). */
  evaluate(options?: EvaluateOptions): Promise<EvaluateReport>;
  /** Copies the engine's current parameters (latent float weights, BN statistics) out. */
  readWeights(): WeightMap;
  /** Overwrites the named parameters (shapes unchanged) in the engine and in `graph`. */
  writeWeights(weights: ReadonlyMap<string, Float32Array>): void;
  /**
   * Replaces the engine's model by a structurally different graph (after physical channel removal or a
   * change of quantizers); optimiser state is reset.
   */
  setGraph(graph: Graph): void;
  /** Frees engine resources. */
  dispose(): void;
}
