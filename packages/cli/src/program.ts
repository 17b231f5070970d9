import { Command, CommanderError } from 'commander';
import { FormatError } from '@quantprune/formats';
import { demoCommand, type DemoOptions } from './commands/demo.ts';
import { evalCommand, type EvalCommandOptions } from './commands/eval.ts';
import { inspectCommand } from './commands/inspect.ts';
import { PRESETS, sizeCommand } from './commands/size.ts';
import { summaryCommand } from './commands/summary.ts';
import { trainCommand, type TrainCommandOptions } from './commands/train.ts';
import { CliError, processIO, type CliIO } from './io.ts';

/**
 * Runs the `quantprune` command line.
 *
 * Every failure — a damaged or hostile file included — ends with one line on stderr,
 * `quantprune: <file>: byte <offset>: <reason>`, and status 1; never a stack trace.
 *
 * @param argv - arguments after the program name, e.g. `['inspect', 'model.qpk']`
 * @param io - where to write (defaults to stdout/stderr)
 * @returns the exit status
 */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  let status = 0;
  let file = '';
  const program = new Command('quantprune')
    .description('Train and compress neural networks: quantization, pruning, ADMM, Bayesian optimisation, .qpk files')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command('inspect')
    .description('print the header and tensor table of a .qpk file (name, shape, encoding, bits/weight, bytes, CRC status)')
    .argument('<file>', '.qpk file')
    .option('--json', 'print JSON instead of a table')
    .action((f: string, opts: { json?: boolean }) => {
      file = f;
      status = inspectCommand(f, opts, io);
    });

  program
    .command('size')
    .description('theoretical model size of a layer list under a named convention')
    .option('--preset <name>', `a built-in layer list: ${Object.keys(PRESETS).join(', ')}`)
    .option('--layers <file>', 'JSON array of layers: { name, kind: conv|dense|batchnorm|prelu, shape, weightBits?, bias?, channelScales?, nonzeros? }')
    .option('--convention <name>', 'paper-a or weights-only (default: the preset’s, else paper-a)')
    .option('--index-bits <mode>', 'weights-only: none or relative (Deep-Compression relative indices)')
    .option('--json', 'print JSON')
    .action((opts: { preset?: string; layers?: string; convention?: string; indexBits?: string; json?: boolean }) => {
      file = opts.layers ?? '';
      status = sizeCommand(opts, io);
    });

  program
    .command('summary')
    .description('per-layer size table of a zoo model (shape, params, precision, bits, bytes, sparsity, MACs) and totals')
    .argument('<model>', 'a zoo model, e.g. resnet18-imagenet-paper-a, resnet20-cifar, lenet5')
    .option('--precision <preset>', 'fp32, bnn, xnor or dorefa (default fp32)')
    .option('--first-last <mode>', 'fp32 (default, Paper A’s FLReal) or quantized')
    .option('--convention <name>', 'paper-a (default) or weights-only')
    .option('--json', 'print JSON')
    .action((model: string, opts: { precision?: string; firstLast?: string; convention?: string; json?: boolean }) => {
      status = summaryCommand(model, opts, io);
    });

  program
    .command('train')
    .description('train a zoo model on MNIST, Fashion-MNIST or CIFAR-10 with the TF.js engine (QAT under a precision preset)')
    .option('--model <name>', 'zoo model (default lenet5)')
    .option('--dataset <name>', 'mnist (default), fashion-mnist or cifar10')
    .option('--precision <preset>', 'fp32 (default), bnn, xnor or dorefa')
    .option('--first-last <mode>', 'fp32 (default, Paper A’s FLReal) or quantized')
    .option('--dorefa-activations <variant>', 'dorefa: tanh (Paper A’s code, the preset) or clip (the DoReFa paper)')
    .option('--epochs <n>', 'epochs (default 1)')
    .option('--batch-size <n>', 'batch size (default 64)')
    .option('--optimizer <name>', 'adam (default) or sgd (momentum 0.9)')
    .option('--lr <rate>', 'learning rate (default 0.01 for sgd, 0.001 for adam)')
    .option('--momentum <m>', 'sgd momentum (default 0.9)')
    .option('--nesterov', 'sgd with Nesterov momentum')
    .option('--weight-decay <w>', 'L2 weight decay (default 0)')
    .option('--schedule <name>', 'cosine (default, warm-up over the first tenth of an epoch), constant, step, or paper-a:<regime>')
    .option('--weights <file>', 'start from a safetensors state dict or a .qpk model')
    .option('--clip-latent <c>', 'clip latent weights of quantized layers to [-c, c] after each step')
    .option('--distill', 'with --weights and a quantized --precision: knowledge distillation from the float model (weight 0.9, temperature 4)')
    .option('--calibrate [batches]', 'before training, on that many training batches (default 20): prescale DoReFa latent weights, set DoReFa clip activation ranges (--dorefa-activations clip) from the float model, re-estimate BatchNorm statistics; for fine-tuning pretrained weights')
    .option('--checkpoint-dir <dir>', 'write <dir>/checkpoint.qpt every --checkpoint-every steps and at the end')
    .option('--checkpoint-every <n>', 'steps between checkpoints (default 500)')
    .option('--resume', 'continue the run in --checkpoint-dir')
    .option('--backend <name>', 'auto (default: tfjs-node, else wasm, else cpu), node, wasm or cpu')
    .option('--seed <n>', 'seed of the data order and augmentation (default 0)')
    .option('--limit <n>', 'train on the first n training images')
    .option('--test-limit <n>', 'evaluate on the first n test images')
    .option('--data-dir <dir>', 'dataset folder (cifar10 default: $QUANTPRUNE_DATA_DIR)')
    .option('--out <file>', 'write the trained model as a .qpk file')
    .option('--no-progress', 'no progress bar or log lines')
    .action(async (opts: TrainCommandOptions) => {
      file = opts.weights ?? '';
      status = await trainCommand(opts, io);
    });

  program
    .command('eval')
    .description('top-1 / top-5 accuracy and loss of a model on a dataset’s test split')
    .option('--model <name>', 'zoo model (default lenet5)')
    .option('--weights <file>', 'safetensors state dict or .qpk model')
    .option('--dataset <name>', 'mnist (default), fashion-mnist or cifar10')
    .option('--precision <preset>', 'apply a precision preset (fp32, bnn, xnor, dorefa) before evaluating')
    .option('--first-last <mode>', 'fp32 (default) or quantized')
    .option('--dorefa-activations <variant>', 'dorefa: tanh (the preset) or clip')
    .option('--data-dir <dir>', 'dataset folder (cifar10 default: $QUANTPRUNE_DATA_DIR)')
    .option('--backend <name>', 'auto (default), node, wasm or cpu')
    .option('--limit <n>', 'evaluate on the first n test images')
    .option('--batch-size <n>', 'images per forward pass (default 100)')
    .option('--json', 'print JSON')
    .action(async (opts: EvalCommandOptions) => {
      file = opts.weights ?? '';
      status = await evalCommand(opts, io);
    });

  program
    .command('demo')
    .description('pack a binarized conv layer into a .qpk file, inspect it, report binary ResNet-18 sizes, and train LeNet-5 on MNIST')
    .option('--out <file>', 'where to write the demo .qpk (default: the system temp folder)')
    .option('--no-train', 'skip the LeNet-5 training run on MNIST')
    .action(async (opts: DemoOptions) => {
      file = opts.out ?? '';
      status = await demoCommand(opts, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return status;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1; // commander already printed the message
    io.err(`quantprune: ${describeError(e, file)}`);
    return 1;
  }
}

function describeError(e: unknown, file: string): string {
  const where = file ? `${file}: ` : '';
  if (e instanceof FormatError) return `${where}byte ${e.offset}: ${e.reason}`;
  if (e instanceof CliError) return e.message;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return `${where}no such file`;
  if (err?.code === 'EISDIR') return `${where}is a directory, not a file`;
  if (err?.code === 'ERR_FS_FILE_TOO_LARGE') return `${where}file is too large to read`;
  if (e instanceof RangeError || e instanceof TypeError) return `${where}${e.message}`;
  return `${where}${err?.message ?? String(e)}`;
}
