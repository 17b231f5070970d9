// Throughput of every core quantizer on 16M float32 values, as a ratio to a plain typed-array copy of the
// same data measured in the same round (ratio = quantizer time / copy time; lower is better).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  dequantize,
  quantizeAdmmLevels,
  quantizeBinary,
  quantizeDoReFaActivations,
  quantizeDoReFaWeights,
  quantizeLsq,
  quantizeUniform,
  quantizeXnorWeights,
} from '@quantprune/quantizers';
import { median, type BenchSuite } from '../../harness.ts';

interface VectorCase {
  attributes: Record<string, unknown>;
  inputs: { name: string; data: number[] }[];
  outputs: { name: string; data: number[] }[];
}

function vectorCase(file: string, index: number): VectorCase {
  const url = new URL(`../../../../datasets/vectors/quantizers/${file}.json`, import.meta.url);
  return (JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as { cases: VectorCase[] }).cases[index]!;
}

/** Correctness before timing: two reference vectors must match exactly. */
function checkAgainstVectors(): void {
  const d = vectorCase('dorefa-weights', 1); // k = 2
  const w = Float32Array.from(d.inputs[0]!.data);
  const got = quantizeDoReFaWeights(w, { bits: 2 }).values;
  d.outputs[0]!.data.forEach((v, i) => {
    if (got[i] !== Math.fround(v)) throw new Error(`quantizers/throughput: DoReFa mismatch at ${i}: ${got[i]} vs ${v}`);
  });
  const u = vectorCase('uniform', 0);
  const x = Float32Array.from(u.inputs[0]!.data);
  const codes = quantizeUniform(x, { bits: 2, scheme: 'affine' }).intCodes;
  u.outputs[1]!.data.forEach((v, i) => {
    if (codes[i] !== v) throw new Error(`quantizers/throughput: uniform mismatch at ${i}: ${codes[i]} vs ${v}`);
  });
}

export const suite: BenchSuite = {
  name: 'quantizers/throughput',
  description: 'core quantizers on 16M float32 values, time as a ratio to a Float32Array copy of the same data',
  async run({ quick, log }) {
    checkAgainstVectors();
    const n = quick ? 1 << 16 : 16 * 1024 * 1024;
    const rounds = quick ? 2 : 5;
    const x = new Float32Array(n);
    let s = 12345;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      x[i] = (s / 2 ** 32 - 0.5) * 4;
    }
    const shape = [n / 256, 256]; // 256 output channels, last axis (TF.js HWIO-like)
    const q8 = quantizeUniform(x, { bits: 8 });
    const cases: [string, () => unknown][] = [
      ['copy (Float32Array.slice)', () => x.slice()],
      ['quantizeBinary', () => quantizeBinary(x)],
      ['quantizeXnorWeights per channel', () => quantizeXnorWeights(x, { shape, axis: -1 })],
      ['quantizeDoReFaWeights k=2', () => quantizeDoReFaWeights(x, { bits: 2 })],
      ['quantizeDoReFaActivations k=2 clip', () => quantizeDoReFaActivations(x, { bits: 2 })],
      ['quantizeDoReFaActivations k=2 tanh', () => quantizeDoReFaActivations(x, { bits: 2, variant: 'tanh' })],
      ['quantizeUniform k=8 affine min/max', () => quantizeUniform(x, { bits: 8 })],
      ['quantizeUniform k=4 symmetric per channel', () => quantizeUniform(x, { bits: 4, scheme: 'symmetric', shape, axis: -1 })],
      ['quantizeUniform k=4 MSE (11-point grid)', () => quantizeUniform(x, { bits: 4, calibration: 'mse', mseSearch: { steps: 11 } })],
      ['quantizeLsq k=4', () => quantizeLsq(x, 0.05, { bits: 4 })],
      ['quantizeAdmmLevels c=4 (given step)', () => quantizeAdmmLevels(x, { clusters: 4, step: 0.5 })],
      ['dequantize (k=8 codes)', () => dequantize(q8)],
    ];
    const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
    for (const [, f] of cases) f(); // warm-up (JIT)
    for (let r = 0; r < rounds; r++) {
      for (const [name, f] of cases) {
        const t0 = performance.now();
        f();
        times.get(name)!.push(performance.now() - t0);
      }
      log(`round ${r + 1}/${rounds}`);
    }
    const copy = median(times.get(cases[0]![0])!);
    const rows = cases.map(([name]) => {
      const ms = median(times.get(name)!);
      return { quantizer: name, 'median ms': ms, 'M floats/s': n / 1e3 / ms, 'ratio to copy': ms / copy };
    });
    return {
      rows,
      notes: [`${n} float32 values (${(n * 4) / 2 ** 20} MiB), median of ${rounds} interleaved rounds after one warm-up`],
    };
  },
};
