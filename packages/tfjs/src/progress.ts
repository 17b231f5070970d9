/**
 * Progress of long training runs: a cli-progress bar on a terminal (epoch, step, loss, images/s, ETA) and plain
 * log lines otherwise (CI logs, files). Reporters are plain objects, so tests and other front ends inject their own.
 */
import { SingleBar } from 'cli-progress';

/** One progress update, sent after every step. */
export interface ProgressUpdate {
  /** Global step just finished (1-based). */
  readonly step: number;
  /** Steps of the whole run (or of the current `train` call). */
  readonly totalSteps: number;
  /** 0-based epoch of that step, and the run's epoch count when known. */
  readonly epoch: number;
  readonly epochs?: number;
  /** Most recently read training loss (read every few steps, so it may lag behind `step`). */
  readonly loss: number;
  readonly learningRate: number;
  /** Training throughput since the run (or call) started. */
  readonly imagesPerSecond: number;
  /** Estimated seconds to `totalSteps`. */
  readonly etaSeconds: number;
}

/** Receives progress; `message` lines (evaluations, checkpoints) go around the bar. */
export interface ProgressReporter {
  start(totalSteps: number, firstStep: number): void;
  update(update: ProgressUpdate): void;
  message(line: string): void;
  stop(): void;
}

/** A reporter that prints nothing. */
export const silentProgress: ProgressReporter = { start() {}, update() {}, message() {}, stop() {} };

/**
 * Formats seconds as `1h02m`, `3m05s` or `42s`.
 * @param seconds - a duration (NaN/∞ give `?`)
 * @returns the short form
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * The plain-text line of an update: `epoch 1/3  step 200/2811  loss 0.1234  lr 0.01  652 img/s  ETA 3m12s`.
 * @param u - the update
 * @returns one line without a newline
 */
export function formatProgressLine(u: ProgressUpdate): string {
  const epoch = u.epochs === undefined ? `epoch ${u.epoch + 1}` : `epoch ${u.epoch + 1}/${u.epochs}`;
  const loss = Number.isFinite(u.loss) ? u.loss.toFixed(4) : String(u.loss);
  return `${epoch}  step ${u.step}/${u.totalSteps}  loss ${loss}  lr ${u.learningRate.toPrecision(3)}  ${Math.round(u.imagesPerSecond)} img/s  ETA ${formatDuration(u.etaSeconds)}`;
}

/**
 * Plain log lines every `every` steps and at the last step.
 *
 * @param write - receives each line (without newline), e.g. `console.log`
 * @param every - steps between lines (≥ 1). @default 50
 * @returns a reporter
 * @throws RangeError for a bad `every`
 */
export function lineProgress(write: (line: string) => void, every = 50): ProgressReporter {
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`lineProgress: every must be an integer ≥ 1, got ${every}`);
  return {
    start() {},
    update(u) {
      if (u.step % every === 0 || u.step === u.totalSteps) write(formatProgressLine(u));
    },
    message: write,
    stop() {},
  };
}

/**
 * A cli-progress bar on `stream` (a TTY), redrawn at most 10 times a second.
 *
 * @param stream - the terminal. @default process.stderr
 * @returns a reporter
 */
export function barProgress(stream: NodeJS.WritableStream = process.stderr): ProgressReporter {
  const bar = new SingleBar({
    stream,
    format: 'epoch {epochText} |{bar}| {value}/{total} | loss {lossText} | {ips} img/s | ETA {etaText}',
    barsize: 24,
    hideCursor: true,
    clearOnComplete: false,
    synchronousUpdate: true, // training blocks the event loop between steps: redraw inside update()
    fps: 10,
  });
  let running = false;
  const payload = (u?: ProgressUpdate): Record<string, string> => ({
    epochText: u ? (u.epochs === undefined ? `${u.epoch + 1}` : `${u.epoch + 1}/${u.epochs}`) : '-',
    lossText: u && Number.isFinite(u.loss) ? u.loss.toFixed(4) : '-',
    ips: u ? String(Math.round(u.imagesPerSecond)) : '-',
    etaText: u ? formatDuration(u.etaSeconds) : '?',
  });
  return {
    start(totalSteps, firstStep) {
      bar.start(totalSteps, firstStep, payload());
      running = true;
    },
    update(u) {
      if (running) bar.update(u.step, payload(u));
    },
    message(line) {
      if (!running) {
        stream.write(`${line}\n`);
        return;
      }
      // Erase the bar's line and print the message; the next update redraws the bar below it.
      stream.write(`\r\x1b[2K${line}\n`);
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}

/**
 * The default reporter: a bar on a TTY, log lines on a plain stream, nothing when `enabled` is false.
 *
 * @param options - `enabled` (default true), the stream (default stderr), `every` for log lines
 * @returns a reporter
 */
export function defaultProgress(options: { readonly enabled?: boolean; readonly stream?: NodeJS.WriteStream; readonly every?: number } = {}): ProgressReporter {
  if (options.enabled === false) return silentProgress;
  const stream = options.stream ?? process.stderr;
  if (stream.isTTY) return barProgress(stream);
  return lineProgress((line) => stream.write(`${line}\n`), options.every ?? 50);
}
