import { PRECISION_PRESETS, ZOO_NAMES, type PrecisionPreset, type ZooName } from '@quantprune/graph';
import { evaluateGraph } from '@quantprune/tfjs';
import type { CliIO } from '../io.ts';
import { BACKENDS, buildModel, checkInput, DATASETS, dorefaVariant, intOption, loadDataset, NORMALIZE, oneOf, sizeText, type DatasetName } from './train.ts';

/** Options of `quantprune eval` (commander's camel-cased flags). */
export interface EvalCommandOptions {
  readonly model?: string;
  readonly weights?: string;
  readonly dataset?: string;
  readonly precision?: string;
  readonly firstLast?: string;
  readonly dorefaActivations?: string;
  readonly dataDir?: string;
  readonly backend?: string;
  readonly limit?: string;
  readonly batchSize?: string;
  readonly json?: boolean;
}

/**
 * `quantprune eval`: top-1, top-5 and mean cross-entropy of a model on a dataset's test split. The model is a
 * zoo model with a safetensors state dict (`--weights FILE.safetensors`) or a `.qpk` written by `train --out`.
 *
 * @param options - the command's flags
 * @param io - output
 * @returns the exit status
 */
export async function evalCommand(options: EvalCommandOptions, io: CliIO): Promise<number> {
  const model = oneOf<ZooName>('--model', options.model ?? 'lenet5', ZOO_NAMES);
  const dataset = oneOf<DatasetName>('--dataset', options.dataset ?? 'mnist', DATASETS);
  const precision = options.precision === undefined ? undefined : oneOf<PrecisionPreset>('--precision', options.precision, PRECISION_PRESETS);
  const firstLast = oneOf('--first-last', options.firstLast ?? 'fp32', ['fp32', 'quantized'] as const);
  const backend = oneOf('--backend', options.backend ?? 'auto', BACKENDS);
  const batchSize = intOption('--batch-size', options.batchSize, 100);
  const graph = buildModel(model, options.weights, precision, firstLast, dorefaVariant(options.dorefaActivations));
  const test = loadDataset(dataset, 'test', options.dataDir);
  checkInput(graph, test);
  const limit = options.limit === undefined ? undefined : intOption('--limit', options.limit, 1);
  const started = performance.now();
  const { report, backend: used } = await evaluateGraph(graph, test, {
    backend,
    batchSize,
    normalize: NORMALIZE[dataset],
    ...(limit !== undefined ? { limit } : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  if (options.json) {
    io.out(JSON.stringify({ model: graph.name, dataset, backend: used.name, ...report, seconds }, null, 2));
    return 0;
  }
  io.out(
    `${graph.name} on ${dataset} (${report.examples.toLocaleString('en-US')} test images, backend ${used.name} ${used.version}): ` +
      `top-1 ${(100 * report.top1).toFixed(2)} %, top-5 ${(100 * report.top5).toFixed(2)} %, loss ${report.loss.toFixed(4)} (${seconds.toFixed(1)} s)`,
  );
  io.out(`model size: ${sizeText(graph)}`);
  return 0;
}
