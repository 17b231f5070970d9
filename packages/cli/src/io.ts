/** Where a command writes: injectable so tests can run commands in-process. */
export interface CliIO {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** The process's stdout/stderr. */
export const processIO: CliIO = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** An error the CLI reports as one line, `quantprune: <file>: <message>`, exiting with status 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}
