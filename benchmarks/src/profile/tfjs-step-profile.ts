// Per-kernel breakdown of one training step (forward, backward, optimiser) of compiled LeNet-5 and ResNet-20 on
// the wasm backend, FP32 and QAT, with tf.profile. Kernel times are the backend's own timings (wall time of each
// kernel call, no data reads added); the phase of a kernel is known from where it ran: forward = inside the loss
// function, backward = until the optimiser's gradient hook, optimiser = the update (SGD with momentum 0.9) and
// the mask re-application.
//
//   cd benchmarks && node --conditions=@quantprune/source --import tsx src/profile/tfjs-step-profile.ts \
//     [--steps 3] [--batch 64] [--threads 1] [--models lenet5,resnet20-cifar] [--top 12] [--kernels fast|stock]
//
// --kernels stock: without this package's wasm replacement kernels for BatchMatMul, Sum/Mean and Identity
// (registerWasmTrainingKernels); the conv-gradient and broadcast kernels of initBackend are always on.
// Prints one markdown table per model/precision and writes everything to results/local/tfjs-step-profile-<kernels>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@quantprune/tfjs';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '../../../packages/tfjs/src/wasm-kernels.ts';
import { machineInfo, median } from '../harness.ts';
import { trainingStep, type StepModel, type StepPrecision } from '../suites/tfjs/training-step.ts';

type Phase = 'forward' | 'backward' | 'optimiser';
const PHASES: readonly Phase[] = ['forward', 'backward', 'optimiser'];

interface Case {
  readonly model: StepModel;
  readonly precision: StepPrecision;
}

/** Total ms and calls of one kernel name in one phase, summed over the profiled steps. */
interface KernelRow {
  readonly kernel: string;
  readonly ms: Record<Phase, number>;
  calls: number;
}

/** Profile of one model/precision. */
interface StepProfile {
  readonly model: string;
  readonly precision: string;
  readonly steps: number;
  /** Median wall ms of an unprofiled step (same process, just before profiling). */
  readonly wallMsPerStep: number;
  /** Sum of kernel times per step, by phase. */
  readonly kernelMsPerStep: Record<Phase, number>;
  /** Kernel calls per step. */
  readonly kernelsPerStep: number;
  /** Per kernel name: ms per step by phase, calls per step, share of the summed kernel time. */
  readonly kernels: { kernel: string; msPerStep: number; byPhase: Record<Phase, number>; callsPerStep: number; share: number }[];
}

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '3' },
    batch: { type: 'string', default: '64' },
    threads: { type: 'string', default: '1' },
    models: { type: 'string', default: 'lenet5,resnet20-cifar' },
    top: { type: 'string', default: '12' },
    kernels: { type: 'string', default: 'fast' },
  },
});
const steps = Number(values.steps);
const batch = Number(values.batch);
const top = Number(values.top);
const models = values.models.split(',');

/** The phase marks of the running step: the profile's kernel count when each phase ended. */
let marks: number[] = [];
const mark = (): void => {
  marks.push((tf.engine().state.activeProfile.kernels as unknown[]).length);
};

async function profileCase(c: Case): Promise<StepProfile> {
  const step = trainingStep(c.model, c.precision, batch, { forward: mark, backward: mark });
  // warm-up, then unprofiled wall time (the phase marks are only read while profiling)
  const wall: number[] = [];
  for (let i = 0; i < 2 + steps; i++) {
    marks = [];
    const t0 = performance.now();
    step.run();
    if (i >= 2) wall.push(performance.now() - t0);
  }
  const rows = new Map<string, KernelRow>();
  let calls = 0;
  for (let i = 0; i < steps; i++) {
    marks = [];
    const info = await tf.profile(() => {
      step.run();
    });
    const [fwdEnd = 0, bwdEnd = 0] = marks;
    info.kernels.forEach((k, j) => {
      const phase: Phase = j < fwdEnd ? 'forward' : j < bwdEnd ? 'backward' : 'optimiser';
      const row = rows.get(k.name) ?? { kernel: k.name, ms: { forward: 0, backward: 0, optimiser: 0 }, calls: 0 };
      row.ms[phase] += k.kernelTimeMs as number;
      row.calls++;
      rows.set(k.name, row);
    });
    calls += info.kernels.length;
  }
  step.dispose();
  const perStep = (ms: number): number => ms / steps;
  const total = [...rows.values()].reduce((s, r) => s + r.ms.forward + r.ms.backward + r.ms.optimiser, 0);
  const kernels = [...rows.values()]
    .map((r) => {
      const ms = r.ms.forward + r.ms.backward + r.ms.optimiser;
      return {
        kernel: r.kernel,
        msPerStep: perStep(ms),
        byPhase: { forward: perStep(r.ms.forward), backward: perStep(r.ms.backward), optimiser: perStep(r.ms.optimiser) },
        callsPerStep: r.calls / steps,
        share: ms / total,
      };
    })
    .sort((a, b) => b.msPerStep - a.msPerStep);
  const kernelMsPerStep = { forward: 0, backward: 0, optimiser: 0 };
  for (const k of kernels) for (const p of PHASES) kernelMsPerStep[p] += k.byPhase[p];
  return { model: c.model, precision: c.precision, steps, wallMsPerStep: median(wall), kernelMsPerStep, kernelsPerStep: calls / steps, kernels };
}

function markdown(p: StepProfile): string {
  const f = (x: number): string => (x === 0 ? '' : x.toFixed(1));
  const sum = PHASES.reduce((s, ph) => s + p.kernelMsPerStep[ph], 0);
  const lines = [
    `### ${p.model} ${p.precision}, batch ${batch}: ${p.wallMsPerStep.toFixed(0)} ms/step wall (${((batch * 1000) / p.wallMsPerStep).toFixed(0)} img/s), ` +
      `kernels ${sum.toFixed(0)} ms = forward ${p.kernelMsPerStep.forward.toFixed(0)} + backward ${p.kernelMsPerStep.backward.toFixed(0)} + optimiser ${p.kernelMsPerStep.optimiser.toFixed(0)}, ${p.kernelsPerStep.toFixed(0)} kernel calls`,
    '',
    '| kernel | ms/step | share | forward | backward | optimiser | calls/step |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  const shown = p.kernels.slice(0, top);
  for (const k of shown) {
    lines.push(`| ${k.kernel} | ${k.msPerStep.toFixed(1)} | ${(100 * k.share).toFixed(1)}% | ${f(k.byPhase.forward)} | ${f(k.byPhase.backward)} | ${f(k.byPhase.optimiser)} | ${k.callsPerStep.toFixed(0)} |`);
  }
  const rest = p.kernels.slice(top);
  if (rest.length > 0) {
    const ms = rest.reduce((s, k) => s + k.msPerStep, 0);
    lines.push(`| ${rest.length} others | ${ms.toFixed(1)} | ${((100 * ms) / sum).toFixed(1)}% | | | | ${rest.reduce((s, k) => s + k.callsPerStep, 0).toFixed(0)} |`);
  }
  return lines.join('\n');
}

const backend = await initBackend('wasm', { threads: Number(values.threads) });
if (values.kernels === 'fast') registerWasmTrainingKernels();
else if (values.kernels === 'stock') unregisterWasmTrainingKernels();
else throw new RangeError(`tfjs-step-profile: --kernels takes fast or stock, got ${values.kernels}`);
const cases: Case[] = [];
for (const model of models) {
  if (model !== 'lenet5' && model !== 'resnet20-cifar') throw new RangeError(`tfjs-step-profile: --models takes lenet5 and resnet20-cifar, got ${model}`);
  for (const precision of ['fp32', model === 'lenet5' ? 'bnn' : 'dorefa'] as const) cases.push({ model, precision });
}
console.log(`wasm ${backend.version}, ${backend.threads} thread(s), ${values.kernels} kernels, batch ${batch}, ${steps} profiled steps after 2 warm-ups; SGD momentum 0.9; random data`);
const profiles: StepProfile[] = [];
for (const c of cases) {
  const p = await profileCase(c);
  profiles.push(p);
  console.log(`\n${markdown(p)}`);
}
const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'results', 'local');
mkdirSync(out, { recursive: true });
const file = join(out, `tfjs-step-profile-${values.kernels}.json`);
writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine: machineInfo(), backend, kernels: values.kernels, batch, profiles }, null, 2)}\n`);
console.log(`\nwrote ${file}`);
