import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { barProgress, defaultProgress, formatDuration, formatProgressLine, lineProgress, silentProgress, type ProgressUpdate } from './progress.ts';

const update = (step: number, extra: Partial<ProgressUpdate> = {}): ProgressUpdate => ({
  step,
  totalSteps: 10,
  epoch: 0,
  epochs: 2,
  loss: 0.123456,
  learningRate: 0.01,
  imagesPerSecond: 651.7,
  etaSeconds: 192,
  ...extra,
});

/** A writable that records what was written, optionally pretending to be a terminal. */
function sink(isTTY: boolean): Writable & { text: () => string; isTTY: boolean; columns: number } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as Writable & { text: () => string; isTTY: boolean; columns: number };
  w.isTTY = isTTY;
  w.columns = 120;
  w.text = () => chunks.join('');
  return w;
}

describe('formatting', () => {
  it('durations', () => {
    expect([formatDuration(42.4), formatDuration(185), formatDuration(3725), formatDuration(Number.NaN)]).toEqual(['42s', '3m05s', '1h02m', '?']);
  });

  it('one progress line', () => {
    expect(formatProgressLine(update(3))).toBe('epoch 1/2  step 3/10  loss 0.1235  lr 0.0100  652 img/s  ETA 3m12s');
    expect(formatProgressLine(update(3, { epochs: undefined, loss: Number.NaN }))).toMatch(/^epoch 1  step 3\/10  loss NaN/);
  });
});

describe('reporters', () => {
  it('lineProgress writes every N steps and at the end, messages always', () => {
    const lines: string[] = [];
    const p = lineProgress((l) => lines.push(l), 4);
    p.start(10, 0);
    for (let s = 1; s <= 10; s++) p.update(update(s));
    p.message('test accuracy 98.1%');
    p.stop();
    expect(lines.map((l) => l.split('  ')[1] ?? l)).toEqual(['step 4/10', 'step 8/10', 'step 10/10', 'test accuracy 98.1%']);
    expect(() => lineProgress(() => {}, 0)).toThrow(/every must be/);
  });

  it('barProgress draws a cli-progress bar with epoch, loss, images/s and ETA on a terminal', () => {
    const tty = sink(true);
    const p = barProgress(tty);
    p.start(10, 0);
    p.update(update(10, { loss: 0.5 }));
    p.message('checkpoint written');
    p.stop();
    const text = tty.text();
    expect(text).toContain('epoch 1/2');
    expect(text).toContain('10/10');
    expect(text).toContain('loss 0.5000');
    expect(text).toContain('652 img/s');
    expect(text).toContain('ETA 3m12s');
    expect(text).toContain('checkpoint written\n');
  });

  it('defaultProgress picks the bar on a TTY, lines otherwise, nothing when disabled', () => {
    const plain = sink(false);
    const p = defaultProgress({ stream: plain as unknown as NodeJS.WriteStream, every: 5 });
    p.start(10, 0);
    for (let s = 1; s <= 10; s++) p.update(update(s));
    p.stop();
    expect(plain.text().trim().split('\n')).toHaveLength(2);
    expect(defaultProgress({ enabled: false })).toBe(silentProgress);
  });
});
