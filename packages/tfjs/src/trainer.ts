/**
 * The TF.js implementation of @quantprune/graph's {@link Trainer}: compiles the graph (QAT, masks), trains it on
 * an {@link ImageDataset} with an optimiser and a schedule, evaluates, checkpoints and resumes.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AugmentOptions, ImageDataset, NormalizeOptions } from '@quantprune/data';
import { getParam, loadGraph, paramNames, saveGraph, setParam } from '@quantprune/graph';
import type { Conv2dLayer, EvaluateOptions, EvaluateReport, Graph, TrainHooks, TrainOptions, TrainReport, Trainer, WeightMap } from '@quantprune/graph';
import { initBackend, type BackendInfo, type BackendPreference } from './backend.ts';
import { loadCheckpoint, saveCheckpoint, type Checkpoint, type TrainingPosition } from './checkpoint.ts';
import { recalibrateBatchNorm } from './recalibrate-batch-norm.ts';
import { compileGraph, type CompiledModel } from './compile.ts';
import { evaluateClassifier } from './evaluate.ts';
import { distillationLoss, proximalPenalty, softmaxCrossEntropy, softOrthogonality, type ProximalTensor } from './losses.ts';
import { TrainingOptimizer, type OptimizerConfig, type OptimizerParam } from './optimizer.ts';
import { defaultProgress, silentProgress, type ProgressReporter } from './progress.ts';
import { checkSchedule, type Schedule } from './schedules.ts';
import { BatchStream, runSteps } from './train-loop.ts';

/** Options of {@link createTrainer}. */
export interface TrainerOptions {
  /** The model; its tensors are the initial weights and stay in sync through `readWeights`/`writeWeights`. */
  readonly graph: Graph;
  readonly train: ImageDataset;
  /** Evaluation set of `evaluate` and of `fit`'s per-epoch reports. */
  readonly test?: ImageDataset;
  /** @default 64 */
  readonly batchSize?: number;
  /** Epochs of `fit` (and of a cosine schedule's length when `schedule` has none). */
  readonly epochs?: number;
  /** @default `{ kind: 'sgd', momentum: 0.9 }` */
  readonly optimizer?: OptimizerConfig;
  /** @default constant 0.01 */
  readonly schedule?: Schedule;
  /** Seed of the data order and augmentation. @default 0 */
  readonly seed?: number;
  readonly augment?: AugmentOptions;
  /** Normalisation of `x / 255`, for training and evaluation. */
  readonly normalize?: NormalizeOptions;
  /** Train on the first `limit` examples only. */
  readonly limit?: number;
  /** Apply the graph's quantizers (quantization-aware training). @default true */
  readonly qat?: boolean;
  /** Clip the latent weights of quantized layers to [−c, c] after each step (BinaryNet's clamp). */
  readonly clipLatentWeights?: number;
  /** β of Paper A's soft-orthogonality term on every conv (papers.md §A.3.9). @default 0 */
  readonly softOrthogonality?: number;
  /**
   * Knowledge distillation from a teacher (typically the float model a quantized one is fine-tuned from): the
   * loss becomes `(1 − weight)·CE + weight·T²·KL(teacher ‖ student at temperature T)` ({@link distillationLoss}).
   * The teacher runs in inference mode and is never updated. Defaults: temperature 4, weight 0.9.
   */
  readonly distill?: { readonly teacher: Graph; readonly temperature?: number; readonly weight?: number };
  /** Write a checkpoint to `file` every `every` steps and at the end of `fit`. */
  readonly checkpoint?: { readonly file: string; readonly every?: number; readonly meta?: Readonly<Record<string, unknown>> };
  /**
   * Continue from this checkpoint file: its model (weights, BN statistics, masks, annotations) replaces `graph`,
   * and its optimiser state, data position, seed and batch size are restored.
   */
  readonly resume?: string;
  /** `true` (default): a bar on a TTY, log lines otherwise; `false`: silent; or a custom reporter. */
  readonly progress?: boolean | ProgressReporter;
  /** Read the training loss back every N steps (fewer reads, less overhead). @default 10 */
  readonly readLossEvery?: number;
  /** @default 'auto' (tfjs-node, else wasm, else cpu) */
  readonly backend?: BackendPreference;
  /** Examples per evaluation batch. @default 100 */
  readonly evalBatchSize?: number;
  /** Evaluate on the first `evalLimit` test examples only (default of `evaluate` and of `fit`'s reports). */
  readonly evalLimit?: number;
}

/** One epoch of {@link TfjsTrainer.fit}. */
export interface EpochReport {
  readonly epoch: number;
  readonly train: TrainReport;
  readonly test?: EvaluateReport;
}

/** The trainer: the {@link Trainer} contract plus whole runs, checkpoints and the data position. */
export interface TfjsTrainer extends Trainer {
  readonly backend: BackendInfo;
  /** Full training batches per epoch. */
  readonly stepsPerEpoch: number;
  /** Steps done, and epoch and batch of the next step. */
  readonly position: TrainingPosition;
  /**
   * Trains until `epochs` epochs are complete (counting from the start of the run, so a resumed run finishes
   * the same schedule), evaluating after each epoch when a test set is given, and checkpointing at the end.
   */
  fit(options?: { readonly epochs?: number; readonly onEpoch?: (report: EpochReport) => void }): Promise<EpochReport[]>;
  /** Writes a checkpoint now (to `file`, default the configured one). */
  saveCheckpoint(file?: string): Promise<void>;
  /**
   * Re-estimates the BatchNorm running statistics on training batches (without augmentation), as
   * {@link recalibrateBatchNorm}; weights and the training position are unchanged.
   * @returns the number of examples seen
   */
  recalibrateBatchNorm(options?: { readonly batches?: number; readonly seed?: number }): number;
}

/**
 * Creates a trainer: initialises the backend, compiles the graph and, with `resume`, restores a checkpoint.
 *
 * @param options - model, data, optimiser, schedule, checkpointing, progress, backend
 * @returns the trainer (call `dispose` when done)
 * @throws RangeError for invalid options; CheckpointError for an unreadable checkpoint; GraphError for an
 *   invalid graph
 * @example
 * ```ts
 * const trainer = await createTrainer({ graph: createModel('lenet5'), train, test, batchSize: 64, epochs: 1,
 *   optimizer: { kind: 'sgd', momentum: 0.9 }, schedule: { kind: 'constant', lr: 0.01 } });
 * const [epoch1] = await trainer.fit();
 * console.log(epoch1.test?.top1); // ≈ 0.985
 * trainer.dispose();
 * ```
 */
export async function createTrainer(options: TrainerOptions): Promise<TfjsTrainer> {
  const fn = 'createTrainer';
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`${fn}: seed must be an integer in [0, 2^32), got ${seed}`);
  if (options.epochs !== undefined && (!Number.isInteger(options.epochs) || options.epochs < 0)) {
    throw new RangeError(`${fn}: epochs must be an integer ≥ 0, got ${options.epochs}`);
  }
  for (const [name, v] of [['readLossEvery', options.readLossEvery], ['checkpoint.every', options.checkpoint?.every]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new RangeError(`${fn}: ${name} must be an integer ≥ 1, got ${v}`);
  }
  const distill = options.distill;
  if (distill && !(distill.temperature === undefined || (distill.temperature > 0 && Number.isFinite(distill.temperature)))) {
    throw new RangeError(`${fn}: distill.temperature must be finite and > 0, got ${distill.temperature}`);
  }
  if (distill?.weight !== undefined && !(distill.weight >= 0 && distill.weight <= 1)) throw new RangeError(`${fn}: distill.weight must be in [0, 1], got ${distill.weight}`);
  if (options.clipLatentWeights !== undefined && !(options.clipLatentWeights > 0)) {
    throw new RangeError(`${fn}: clipLatentWeights must be > 0, got ${options.clipLatentWeights}`);
  }
  const schedule = options.schedule ?? { kind: 'constant', lr: 0.01 };
  checkSchedule(schedule);
  const resumed = options.resume === undefined ? undefined : await loadCheckpoint(options.resume);
  const backend = await initBackend(options.backend ?? 'auto');
  const graph = resumed?.graphFile ? loadGraph(resumed.graphFile) : options.graph;
  const trainer = new Engine({ ...options, graph }, schedule, backend, resumed?.seed ?? seed, resumed?.batchSize ?? options.batchSize ?? 64);
  if (resumed) {
    try {
      await trainer.restore(resumed);
    } catch (e) {
      trainer.dispose();
      throw e;
    }
  }
  return trainer;
}

/** Names a variable by its parameter name, or by its own name without the model prefix (LSQ steps). */
function stableName(compiled: CompiledModel, v: tf.Variable): string {
  return compiled.paramByVariableName.get(v.name) ?? v.name.slice(v.name.indexOf('/') + 1);
}

class Engine implements TfjsTrainer {
  readonly backend: BackendInfo;
  readonly #options: TrainerOptions;
  readonly #schedule: Schedule;
  readonly #stream: BatchStream;
  readonly #progress: ProgressReporter;
  #graph: Graph;
  #compiled: CompiledModel;
  readonly #teacher: CompiledModel | undefined;
  #optimizer: TrainingOptimizer;
  #step = 0;
  #disposed = false;

  constructor(options: TrainerOptions, schedule: Schedule, backend: BackendInfo, seed: number, batchSize: number) {
    this.#options = options;
    this.#schedule = schedule;
    this.backend = backend;
    this.#stream = new BatchStream(options.train, {
      batchSize,
      seed,
      ...(options.augment ? { augment: options.augment } : {}),
      ...(options.normalize ? { normalize: options.normalize } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    });
    const p = options.progress ?? true;
    this.#progress = p === true ? defaultProgress() : p === false ? silentProgress : p;
    this.#graph = options.graph;
    this.#compiled = compileGraph(this.#graph, { qat: options.qat ?? true });
    this.#teacher = options.distill ? compileGraph(options.distill.teacher) : undefined;
    this.#optimizer = this.#createOptimizer();
  }

  get graph(): Graph {
    return this.#graph;
  }

  get stepsPerEpoch(): number {
    return this.#stream.stepsPerEpoch;
  }

  get position(): TrainingPosition {
    return { step: this.#step, epoch: this.#stream.epoch, batch: this.#stream.batch };
  }

  #createOptimizer(): TrainingOptimizer {
    const compiled = this.#compiled;
    const clip = this.#options.clipLatentWeights;
    const quantized = new Set(
      this.#graph.layers.filter((l) => (l.kind === 'conv2d' || l.kind === 'dense') && l.weightQuantizer !== undefined).map((l) => `${l.name}.weight`),
    );
    const params: OptimizerParam[] = compiled.trainableVariables.map((variable) => {
      const name = stableName(compiled, variable);
      return { name, variable, ...(clip !== undefined && quantized.has(name) ? { clip } : {}) };
    });
    return new TrainingOptimizer(this.#options.optimizer ?? { kind: 'sgd', momentum: 0.9 }, params, {
      maskGradients: (grads) => compiled.maskGradients(grads),
      afterUpdate: () => compiled.applyMasks(),
    });
  }

  /** A tensor in the variable's layout from IR-layout values of parameter `param`. */
  #toVariableLayout(param: string, data: ArrayLike<number>, what: string): tf.Tensor {
    const variable = this.#compiled.variableByParam.get(param);
    if (!variable) throw new RangeError(`train: ${what} names "${param}", which is not a parameter of "${this.#graph.name}"`);
    const shape = getParam(this.#graph, param).shape;
    if (data.length !== variable.size) throw new RangeError(`train: ${what} of "${param}" has ${data.length} values, the parameter ${variable.size}`);
    return tf.tidy(() => {
      const t = tf.tensor(Float32Array.from(data), [...shape], 'float32');
      if (shape.length === variable.rank && shape.every((d, i) => d === variable.shape[i])) return t;
      const perm = shape.length === 4 ? [2, 3, 1, 0] : [1, 0]; // OIHW → HWIO, [out, in] → [in, out] (compile.ts)
      return tf.transpose(t, perm);
    });
  }

  async train(options: TrainOptions): Promise<TrainReport> {
    return this.#run(options.steps, options.hooks ?? {}, this.#step + options.steps, undefined);
  }

  /** Runs `steps` steps; the progress display counts global steps up to `lastStep` of `epochs`. */
  async #run(steps: number, hooks: TrainHooks, lastStep: number, epochs: number | undefined): Promise<TrainReport> {
    this.#checkAlive('train');
    if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`train: steps must be an integer ≥ 0, got ${steps}`);
    const proximal: ProximalTensor[] = [];
    const frozen = new Map<string, tf.Tensor>();
    try {
      for (const term of hooks.proximal ?? []) {
        if (!(term.rho >= 0)) throw new RangeError(`train: proximal rho of "${term.param}" must be ≥ 0, got ${term.rho}`);
        const target = this.#toVariableLayout(term.param, term.target, 'a proximal term');
        const value = this.#compiled.variableByParam.get(term.param)!;
        proximal.push({ value, target, rho: term.rho });
        if (!value.trainable) throw new RangeError(`train: proximal term on "${term.param}", which is not trainable`);
      }
      for (const [param, mask] of hooks.gradientMasks ?? []) frozen.set(param, this.#toVariableLayout(param, mask, 'a gradient mask'));
    } catch (e) {
      tf.dispose([...proximal.map((p) => p.target), ...frozen.values()]);
      throw e;
    }
    this.#optimizer.setFrozen(frozen);
    const beta = this.#options.softOrthogonality ?? 0;
    const convs = beta > 0 ? this.#graph.layers.filter((l): l is Conv2dLayer => l.kind === 'conv2d') : [];
    const compiled = this.#compiled;
    const teacher = this.#teacher;
    const temperature = this.#options.distill?.temperature ?? 4;
    const kdWeight = this.#options.distill?.weight ?? 0.9;
    const checkpoint = this.#options.checkpoint;
    this.#progress.start(lastStep, this.#step);
    try {
      const report = await runSteps(
        {
          stream: this.#stream,
          optimizer: this.#optimizer,
          schedule: this.#schedule,
          stepsDone: this.#step,
          progress: this.#progress,
          readEvery: this.#options.readLossEvery ?? 10,
          progressTotal: lastStep,
          ...(epochs !== undefined ? { epochs } : {}),
          ...(hooks.onStep ? { onStep: hooks.onStep } : {}),
          loss: (images, labels) => {
            const logits = compiled.apply(images, true);
            let loss: tf.Scalar = softmaxCrossEntropy(logits, labels);
            if (teacher) {
              const kd = distillationLoss(logits, teacher.apply(images, false), temperature);
              loss = tf.add(tf.mul(loss, 1 - kdWeight), tf.mul(kd, kdWeight));
            }
            if (proximal.length > 0) loss = tf.add(loss, proximalPenalty(proximal));
            for (const c of convs) {
              const w = tf.transpose(compiled.variableByParam.get(`${c.name}.weight`)!, [3, 2, 0, 1]); // HWIO → OIHW
              loss = tf.add(loss, tf.mul(beta, softOrthogonality(w, c.weightQuantizer !== undefined)));
            }
            return loss;
          },
          afterStep: async (position) => {
            this.#step = position.step;
            if (checkpoint?.every !== undefined && position.step % checkpoint.every === 0) await this.saveCheckpoint();
          },
        },
        steps,
      );
      return report;
    } finally {
      this.#progress.stop();
      this.#optimizer.setFrozen(new Map());
      tf.dispose(proximal.map((p) => p.target));
    }
  }

  async fit(options: { readonly epochs?: number; readonly onEpoch?: (report: EpochReport) => void } = {}): Promise<EpochReport[]> {
    this.#checkAlive('fit');
    const epochs = options.epochs ?? this.#options.epochs ?? 1;
    if (!Number.isInteger(epochs) || epochs < 0) throw new RangeError(`fit: epochs must be an integer ≥ 0, got ${epochs}`);
    const total = epochs * this.stepsPerEpoch;
    const reports: EpochReport[] = [];
    while (this.#step < total) {
      const epoch = this.#stream.epoch;
      const steps = Math.min(this.stepsPerEpoch - this.#stream.batch, total - this.#step);
      const train = await this.#run(steps, {}, total, epochs);
      const test = this.#options.test ? await this.evaluate() : undefined;
      const report: EpochReport = { epoch, train, ...(test ? { test } : {}) };
      reports.push(report);
      options.onEpoch?.(report);
    }
    if (this.#options.checkpoint) await this.saveCheckpoint();
    return reports;
  }

  async evaluate(options: EvaluateOptions = {}): Promise<EvaluateReport> {
    this.#checkAlive('evaluate');
    const test = this.#options.test;
    if (!test) throw new RangeError('evaluate: the trainer was created without a test set');
    const compiled = this.#compiled;
    return evaluateClassifier((x) => compiled.apply(x, false), test, {
      batchSize: this.#options.evalBatchSize ?? 100,
      ...((options.limit ?? this.#options.evalLimit) !== undefined ? { limit: options.limit ?? this.#options.evalLimit! } : {}),
      ...(this.#options.normalize ? { normalize: this.#options.normalize } : {}),
    });
  }

  recalibrateBatchNorm(options: { readonly batches?: number; readonly seed?: number } = {}): number {
    this.#checkAlive('recalibrateBatchNorm');
    return recalibrateBatchNorm(this.#compiled, this.#options.train, {
      ...options,
      batchSize: this.#stream.options.batchSize,
      ...(this.#options.normalize ? { normalize: this.#options.normalize } : {}),
    });
  }

  readWeights(): WeightMap {
    this.#checkAlive('readWeights');
    const weights = this.#compiled.readWeights();
    for (const [param, data] of weights) setParam(this.#graph, param, data.slice());
    return weights;
  }

  writeWeights(weights: ReadonlyMap<string, Float32Array>): void {
    this.#checkAlive('writeWeights');
    this.#compiled.writeWeights(weights);
    for (const [param, data] of weights) setParam(this.#graph, param, data.slice());
  }

  setGraph(graph: Graph): void {
    this.#checkAlive('setGraph');
    const compiled = compileGraph(graph, { qat: this.#options.qat ?? true });
    this.#optimizer.dispose();
    this.#compiled.dispose();
    this.#graph = graph;
    this.#compiled = compiled;
    this.#optimizer = this.#createOptimizer();
  }

  async saveCheckpoint(file?: string): Promise<void> {
    this.#checkAlive('saveCheckpoint');
    const target = file ?? this.#options.checkpoint?.file;
    if (!target) throw new RangeError('saveCheckpoint: no file given and no checkpoint option configured');
    this.readWeights(); // brings the graph's tensors up to date
    const graphFile = saveGraph(this.#graph);
    // trainable variables that are not IR parameters (LSQ steps) travel next to the model file
    const weights: WeightMap = new Map();
    for (const v of this.#compiled.trainableVariables) {
      const name = stableName(this.#compiled, v);
      if (!this.#compiled.variableByParam.has(name)) weights.set(name, (await v.data()) as Float32Array);
    }
    const checkpoint: Checkpoint = {
      position: this.position,
      seed: this.#stream.options.seed,
      batchSize: this.#stream.options.batchSize,
      schedule: this.#schedule,
      optimizer: this.#optimizer.config,
      optimizerState: await this.#optimizer.getState(),
      weights,
      graphFile,
      meta: { model: this.#graph.name, ...this.#options.checkpoint?.meta },
    };
    await saveCheckpoint(target, checkpoint);
  }

  /**
   * Restores parameters, optimiser state and data position from a checkpoint. Parameters come from its model
   * file (already compiled, see {@link createTrainer}) or, without one, from its weight list.
   */
  async restore(c: Checkpoint): Promise<void> {
    const compiled = this.#compiled;
    const params = new Map<string, Float32Array>();
    for (const [name, data] of c.weights) {
      if (compiled.variableByParam.has(name)) {
        params.set(name, data);
        continue;
      }
      const extra = compiled.trainableVariables.find((v) => stableName(compiled, v) === name);
      if (!extra) throw new RangeError(`resume: the checkpoint holds "${name}", which "${this.#graph.name}" does not have; resume with the model it was written for`);
      if (extra.size !== data.length) throw new RangeError(`resume: "${name}" has ${data.length} values in the checkpoint, the model ${extra.size}`);
      tf.tidy(() => extra.assign(tf.reshape(tf.tensor(data), extra.shape)));
    }
    if (!c.graphFile) {
      const missing = paramNames(this.#graph).filter((p) => !params.has(p));
      if (missing.length > 0) throw new RangeError(`resume: the checkpoint lacks ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}; resume with the model it was written for`);
      this.writeWeights(params);
    }
    await this.#optimizer.setState(c.optimizerState);
    this.#stream.seek(c.position.epoch, c.position.batch);
    this.#step = c.position.step;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#optimizer.dispose();
    this.#compiled.dispose();
    this.#teacher?.dispose();
  }

  #checkAlive(what: string): void {
    if (this.#disposed) throw new Error(`${what}: the trainer was disposed`);
  }
}
