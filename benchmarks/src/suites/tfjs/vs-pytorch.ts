// Training images/s of TF.js (wasm) beside PyTorch CPU (Debian python3-torch under /usr/bin/python3) in the same
// run, batch 64, 1 and 2 threads: LeNet-5 FP32/BNN and ResNet-20 FP32/DoReFa W2A2. Each measurement runs in a
// fresh child process (the wasm thread count is fixed per process). Per case, ROUNDS rounds of a TF.js child then
// a PyTorch child: the ratio is the median of the rounds' ratios, so that each ratio compares two measurements
// taken seconds apart (this guest's speed drifts by ±10–20 % over tens of seconds). The first TF.js child also
// times the stock wasm kernels interleaved with this package's replacements (the before/after ratio of the same
// process). Quick mode (the harness test) runs one tiny TF.js step per case in this process and skips PyTorch.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median, type BenchSuite } from '../../harness.ts';
import { measureTfjs, type Measure, type Measured } from './tfjs-step-worker.ts';
import type { StepModel, StepPrecision } from './training-step.ts';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
/** Images of one epoch: MNIST's training set, and the 5,000 CIFAR-10 training images of the acceptance runs. */
const EPOCH_IMAGES: Record<StepModel, number> = { lenet5: 60_000, 'resnet20-cifar': 5_000 };
const GOAL = 0.25;
/** TF.js/PyTorch child pairs per case. */
const ROUNDS = 3;

interface Case {
  readonly model: StepModel;
  readonly precision: StepPrecision;
  readonly label: string;
  /** Timed steps (TF.js, and PyTorch which is faster gets 3× as many). */
  readonly steps: number;
}

const CASES: readonly Case[] = [
  { model: 'lenet5', precision: 'fp32', label: 'FP32', steps: 16 },
  { model: 'lenet5', precision: 'bnn', label: 'BNN (conv2, fc1 W1A1)', steps: 16 },
  { model: 'resnet20-cifar', precision: 'fp32', label: 'FP32', steps: 5 },
  { model: 'resnet20-cifar', precision: 'dorefa', label: 'DoReFa W2A2', steps: 5 },
];

/** torch's version, or why it cannot be used. */
async function torchVersion(): Promise<{ version?: string; missing?: string }> {
  if (!existsSync(PYTHON)) return { missing: `${PYTHON} does not exist` };
  try {
    const { stdout } = await run(PYTHON, ['-c', 'import torch; print(torch.__version__)']);
    return { version: stdout.trim() };
  } catch (error) {
    return { missing: `torch cannot be imported by ${PYTHON} (${String(error).split('\n')[0]}); install Debian's python3-torch` };
  }
}

async function tfjsChild(m: Measure): Promise<Measured> {
  const { stdout } = await run(process.execPath, ['--conditions=@quantprune/source', '--import', 'tsx', join(here, 'tfjs-step-worker.ts'), JSON.stringify(m)], {
    maxBuffer: 1 << 24,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Measured;
}

async function torchChild(c: Case, threads: number, batch: number): Promise<number[]> {
  const cfg = [{ model: c.model === 'lenet5' ? 'lenet5' : 'resnet20', precision: c.precision, threads, batch, steps: 3 * c.steps, warmup: 3 }];
  // Passive OpenMP waiting: with libgomp's default spinning, 2 torch threads on a loaded 2-core machine ran
  // ResNet-20 at 1.7–2.6 s/step against 0.36 s passive (measured here).
  const env = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' };
  const { stdout } = await run(PYTHON, [join(here, 'torch_step.py'), JSON.stringify(cfg)], { maxBuffer: 1 << 24, env });
  const out = JSON.parse(stdout.trim()) as { ms: number[]; threads: number };
  if (out.threads !== threads) throw new Error(`torch_step.py ran with ${out.threads} threads, asked for ${threads}`);
  return out.ms;
}

const imgs = (batch: number, ms: number): number => (batch * 1000) / ms;
const minutes = (ms: number): string => `${(ms / 60_000).toFixed(1)} min`;

export const suite: BenchSuite = {
  name: 'tfjs/vs-pytorch',
  description: 'training images/s at batch 64 of TF.js wasm against PyTorch CPU in the same run, 1 and 2 threads, LeNet-5 FP32/BNN and ResNet-20 FP32/DoReFa',
  async run({ quick, log }) {
    const rows: Record<string, string | number>[] = [];
    const goals: { goal: string; met: boolean }[] = [];
    const notes: string[] = [];
    if (quick) {
      for (const c of CASES) {
        const r = await measureTfjs({ model: c.model, precision: c.precision, threads: 1, batch: 4, steps: 1, warmup: 1, compareStock: false });
        rows.push({ model: c.model, precision: c.label, threads: 1, 'TF.js img/s': imgs(4, median(r.ms)) });
        goals.push({ goal: `${c.model} ${c.label}: finite loss`, met: r.finite });
      }
      notes.push('quick mode: batch 4, one step, TF.js only (PyTorch skipped)');
      return { rows, goals, notes };
    }
    const batch = 64;
    const torch = await torchVersion();
    if (torch.missing) notes.push(`PyTorch not measured: ${torch.missing}. TF.js img/s only.`);
    const epochRows: Record<string, string | number>[] = [];
    for (const c of CASES) {
      for (const threads of [1, 2]) {
        const tfjsRounds: number[] = [];
        const torchRounds: number[] = [];
        let stockMs = NaN;
        let finite = true;
        for (let round = 0; round < ROUNDS; round++) {
          log(`${c.model} ${c.precision} ${threads} thread(s), round ${round + 1}/${ROUNDS}: TF.js`);
          const tfjs = await tfjsChild({ model: c.model, precision: c.precision, threads, batch, steps: c.steps, warmup: 2, compareStock: round === 0 });
          if (tfjs.threads !== threads) throw new Error(`the TF.js child ran with ${tfjs.threads} threads, asked for ${threads}`);
          tfjsRounds.push(median(tfjs.ms));
          if (round === 0) stockMs = median(tfjs.stockMs);
          finite &&= tfjs.finite;
          if (torch.version) {
            log(`${c.model} ${c.precision} ${threads} thread(s), round ${round + 1}/${ROUNDS}: PyTorch`);
            torchRounds.push(median(await torchChild(c, threads, batch)));
          }
        }
        const ms = median(tfjsRounds);
        const torchMs = torch.version ? median(torchRounds) : undefined;
        const roundRatios = torchRounds.map((t, i) => t / tfjsRounds[i]!);
        const ratio = torchMs === undefined ? NaN : median(roundRatios);
        rows.push({
          model: c.model,
          precision: c.label,
          threads,
          'TF.js img/s': imgs(batch, ms),
          'TF.js stock kernels img/s': imgs(batch, stockMs),
          'replacement kernels speed-up': stockMs / tfjsRounds[0]!, // the same child's steps
          'PyTorch img/s': torchMs === undefined ? 'n/a' : imgs(batch, torchMs),
          'TF.js ÷ PyTorch': torchMs === undefined ? 'n/a' : ratio,
          'per-round ratios': torchMs === undefined ? 'n/a' : roundRatios.map((r) => r.toFixed(3)).join(' '),
        });
        if (torchMs !== undefined) goals.push({ goal: `${c.model} ${c.label}, ${threads} thread(s): TF.js ÷ PyTorch ≥ ${GOAL}`, met: ratio >= GOAL });
        goals.push({ goal: `${c.model} ${c.label}, ${threads} thread(s): finite losses`, met: finite });
        const steps = Math.ceil(EPOCH_IMAGES[c.model] / batch);
        epochRows.push({
          epoch: `${c.model === 'lenet5' ? 'MNIST LeNet-5' : 'CIFAR-10 ResNet-20 (5,000 images)'} ${c.label}, ${threads} thread(s)`,
          steps,
          'TF.js (estimated)': minutes(steps * ms),
          'PyTorch (estimated)': torchMs === undefined ? 'n/a' : minutes(steps * torchMs),
        });
      }
    }
    for (const e of epochRows) {
      notes.push(`epoch ${e.epoch}: ${e.steps} steps × median step time = TF.js ${e['TF.js (estimated)']}, PyTorch ${e['PyTorch (estimated)']} (estimated, data loading excluded)`);
    }
    notes.push(
      `batch ${batch}; TF.js: wasm backend, SGD momentum 0.9 via TrainingOptimizer, median of ${CASES.map((c) => c.steps).join('/')} steps after 2 warm-ups (stock-kernel steps interleaved in round 1); PyTorch ${torch.version ?? 'n/a'}: same step (SGD momentum 0.9), 3× as many steps after 3 warm-ups, OMP_WAIT_POLICY=PASSIVE`,
      `random data; ${ROUNDS} rounds of a TF.js child then a PyTorch child per case on a shared 2-core machine; img/s are the medians over the rounds, TF.js ÷ PyTorch the median of the rounds' ratios`,
    );
    return { rows, goals, notes };
  },
};
