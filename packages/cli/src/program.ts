import { Command, CommanderError } from 'commander';
import { FormatError } from '@quantprune/formats';
import { demoCommand } from './commands/demo.ts';
import { inspectCommand } from './commands/inspect.ts';
import { PRESETS, sizeCommand } from './commands/size.ts';
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
    .command('demo')
    .description('pack a binarized conv layer into a .qpk file, inspect it, and report binary ResNet-18 sizes')
    .option('--out <file>', 'where to write the demo .qpk (default: the system temp folder)')
    .action((opts: { out?: string }) => {
      file = opts.out ?? '';
      status = demoCommand(opts, io);
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
