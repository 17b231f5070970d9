// How the speed of the binary kernels against onnxruntime-node drifts with the state of a shared machine. The
// kernels suites give one ratio per goal (the median of 15 paired rounds); on a VM whose neighbours come and go,
// that median depends on how many rounds fell into busy periods. This tool alternates the binary conv (and the
// 1024³ GEMM) with ORT's fp32 Conv (MatMul) a few runs at a time for --seconds and prints the median ratio of each
// --window-second window, beside the binary kernel's throughput in that window (G 64-bit pairs per second: the
// state of the core as the kernel sees it).
//
//   cd benchmarks && node --conditions=@quantprune/source --import tsx src/profile/kernels-drift.ts \
//     [--seconds 120] [--window 5]
//
// Only times are compared: both engines get the same ±1 values (ORT reads the NHWC data as NCHW, which does not
// change its speed); the kernels suites check the results. Writes results/local/kernels-drift.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { packBinaryRows } from '@quantprune/formats';
import { packConv2dWeights, scaleBiasTransform, WasmKernels } from '@quantprune/kernels';
import { machineInfo, median } from '../harness.ts';
import { ortSession } from '../suites/kernels/measure.ts';
import { convModel, matMulModel } from '../suites/kernels/onnx-model.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '120' }, window: { type: 'string', default: '5' } } });
const seconds = Number(values.seconds);
const windowSeconds = Number(values.window);

interface Case {
  readonly name: string;
  /** Runs per timed batch: about a millisecond or more of work. */
  readonly reps: number;
  readonly binary: () => void;
  readonly ort: () => Promise<unknown>;
}

const signs = (n: number): Float32Array => Float32Array.from({ length: n }, () => (Math.random() < 0.5 ? -1 : 1));
const wasm = await WasmKernels.create();
const cases: Case[] = [];
for (const [hw, c] of [[56, 64], [28, 128], [14, 256], [7, 512]] as const) {
  const x = signs(hw * hw * c);
  const w = signs(c * 9 * c);
  const plan = wasm.createBinaryConv2d(packConv2dWeights(w, [c, 3, 3, c]), {
    inputShape: [1, hw, hw, c], outChannels: c, kernelSize: 3, padding: 1,
    transform: scaleBiasTransform(new Float32Array(c).fill(1), new Float32Array(c)),
  });
  plan.input.set(x);
  const ort = await ortSession(convModel(c, hw, hw, c, 3, 1, w, new Float32Array(c)));
  const feeds = { X: ort.tensor(x, [1, c, hw, hw]) };
  cases.push({ name: `conv ${hw}²×${c}`, reps: 4, binary: () => plan.run(), ort: () => ort.run(feeds) });
}
// the last case; its binary throughput in 64-bit word pairs (xor + popcount) per second marks the core's state
const n = 1024;
const gemmPairs = n * n * (n / 64);
{
  const b = signs(n * n);
  const plan = wasm.createBinaryGemm(packBinaryRows(b, n, n), n);
  plan.setA(packBinaryRows(signs(n * n), n, n));
  const ort = await ortSession(matMulModel(n, n, n, b));
  const feeds = { A: ort.tensor(signs(n * n), [n, n]) };
  cases.push({ name: 'GEMM 1024³', reps: 1, binary: () => plan.run(), ort: () => ort.run(feeds) });
}

/** Per window: ORT ÷ binary of each alternated batch per case, and the binary GEMM's throughput. */
const windows: { ratios: number[][]; rates: number[] }[] = [];
const start = performance.now();
while (performance.now() - start < seconds * 1000) {
  const index = Math.floor((performance.now() - start) / (windowSeconds * 1000));
  const win = (windows[index] ??= { ratios: cases.map(() => []), rates: [] });
  for (const [i, c] of cases.entries()) {
    let t = performance.now();
    for (let r = 0; r < c.reps; r++) c.binary();
    const binary = (performance.now() - t) / c.reps;
    t = performance.now();
    for (let r = 0; r < c.reps; r++) await c.ort();
    const ort = (performance.now() - t) / c.reps;
    win.ratios[i]!.push(ort / binary);
    if (i === cases.length - 1) win.rates.push(gemmPairs / binary / 1e6);
  }
}

const table = windows.map((w, i) => ({
  window: `${i * windowSeconds}–${(i + 1) * windowSeconds} s`,
  'G pairs/s (GEMM)': median(w.rates),
  ...Object.fromEntries(cases.map((c, j) => [`${c.name}: ORT ÷ binary`, median(w.ratios[j]!)])),
}));
const overall = Object.fromEntries(cases.map((c, j) => [c.name, median(windows.flatMap((w) => w.ratios[j]!))]));
const fmt = (v: unknown): string => (typeof v === 'number' ? v.toFixed(2) : String(v));
const header = Object.keys(table[0]!);
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
for (const row of table) console.log(`| ${Object.values(row).map(fmt).join(' | ')} |`);
console.log(`\nmedian over all batches: ${Object.entries(overall).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);

const out = join(dirname(fileURLToPath(import.meta.url)), '../../results/local/kernels-drift.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine: machineInfo(), seconds, windowSeconds, windows: table, overall }, null, 2));
console.log(`wrote ${out}`);
