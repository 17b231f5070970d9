import { packBinaryRows, packBitPlanes } from '@quantprune/formats';
import { WasmKernels } from '@quantprune/kernels';
import type { BenchSuite } from '../../harness.ts';
import { cpuFlags, FULL_ROUNDS, measure, ortSession, pairedRatio, ratioSpread, type TimedTask } from './measure.ts';
import { matMulModel } from './onnx-model.ts';

const rand = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => ((a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 2 ** 32);
};

/**
 * Binary GEMM (1 and 2 threads), A2W1, A2W2 and int8 GEMM in WebAssembly against onnxruntime-node's fp32 MatMul
 * (1 intra-op thread) on the same M×N×K, all in one process with data resident in each engine's memory.
 */
export const suite: BenchSuite = {
  name: 'kernels/gemm',
  description: 'binary / A2W1 / A2W2 / int8 GEMM (wasm SIMD) vs onnxruntime-node fp32 MatMul, 1024×1024×1024',
  async run({ quick, log }) {
    const [m, n, k] = quick ? [64, 64, 256] : [1024, 1024, 1024];
    const r = rand(1);
    const x = Float32Array.from({ length: m * k }, () => (r() < 0.5 ? -1 : 1));
    const wT = Float32Array.from({ length: n * k }, () => (r() < 0.5 ? -1 : 1)); // N×K (B transposed)
    const a = packBinaryRows(x, m, k);
    const b = packBinaryRows(wT, n, k);
    const aCodes = Uint8Array.from({ length: m * k }, () => Math.floor(r() * 4));
    const wCodes = Uint8Array.from({ length: n * k }, () => Math.floor(r() * 4));
    const a8 = Int8Array.from({ length: m * k }, () => Math.floor(r() * 256) - 128);
    const w8 = Int8Array.from({ length: n * k }, () => Math.floor(r() * 256) - 128);

    const one = await WasmKernels.create();
    const two = await WasmKernels.create({ threads: 2 });
    try {
      const bin1 = one.createBinaryGemm(b, m);
      const bin2 = two.createBinaryGemm(b, m);
      bin1.setA(a);
      bin2.setA(a);
      const a2w1 = one.createBitSerialGemm([b], m);
      const a2w2 = one.createBitSerialGemm(packBitPlanes(wCodes, 2, n, k), m);
      const act = packBitPlanes(aCodes, 2, m, k);
      a2w1.setActivations(act);
      a2w2.setActivations(act);
      const i8 = one.createInt8Gemm(w8, n, k, m);
      i8.setA(a8);

      // correctness before timing: ±1 dot products by plain arithmetic on sampled entries, 1 and 2 threads
      for (const plan of [bin1, bin2, a2w1, a2w2, i8]) plan.run();
      for (let s = 0; s < 64; s++) {
        const i = Math.floor(r() * m);
        const j = Math.floor(r() * n);
        let dot = 0;
        let dot2 = 0;
        let dot8 = 0;
        for (let t = 0; t < k; t++) {
          dot += x[i * k + t]! * wT[j * k + t]!;
          dot2 += aCodes[i * k + t]! * (2 * wCodes[j * k + t]! - 3); // levels ×3: a and 2w − 3
          dot8 += a8[i * k + t]! * w8[j * k + t]!;
        }
        let dot1 = 0; // A2W1: a · (±1)
        for (let t = 0; t < k; t++) dot1 += aCodes[i * k + t]! * wT[j * k + t]!;
        const got = [bin1.c[i * n + j], bin2.c[i * n + j], a2w2.c[i * n + j], a2w1.c[i * n + j], i8.c[i * n + j]];
        if (String(got) !== String([dot, dot, dot2, dot1, dot8])) throw new Error(`kernels/gemm: wrong result at ${i},${j}: ${String(got)} vs ${String([dot, dot, dot2, dot1, dot8])}`);
      }

      const tasks: TimedTask[] = [
        { name: 'binary 1 thread', fn: () => bin1.run() },
        { name: 'binary 2 threads', fn: () => bin2.run() },
        { name: 'A2W1', fn: () => a2w1.run() },
        { name: 'A2W2', fn: () => a2w2.run() },
        { name: 'int8', fn: () => i8.run() },
      ];
      let ortVersion = '-';
      if (!quick) {
        // fp32 MatMul of the same ±1 values: its sums are exact in fp32, so it must equal the binary result
        const bKn = new Float32Array(k * n);
        for (let j = 0; j < n; j++) for (let t = 0; t < k; t++) bKn[t * n + j] = wT[j * k + t]!;
        const ort = await ortSession(matMulModel(m, k, n, bKn));
        ortVersion = ort.version;
        const feeds = { A: ort.tensor(x, [m, k]) };
        const y = (await ort.run(feeds))['Y']!.data as Float32Array;
        for (let i = 0; i < m * n; i += 997) if (y[i] !== bin1.c[i]) throw new Error(`kernels/gemm: ORT MatMul differs at ${i}: ${y[i]} vs ${bin1.c[i]}`);
        tasks.push({ name: 'ORT fp32 MatMul', fn: () => ort.run(feeds) });
      }
      log(`measuring ${tasks.length} tasks`);
      const stats = await measure(tasks, quick ? { rounds: 1, time: 20, warmup: false } : FULL_ROUNDS);
      const s = (name: string) => stats.get(name)!;
      const ortStats = stats.get('ORT fp32 MatMul');
      const gops = (ms: number): number => (2 * m * n * k) / ms / 1e6;
      const rows = tasks.map((t) => ({
        case: t.name,
        'median ms': s(t.name).median,
        'p95 ms': s(t.name).p95,
        'G op/s': gops(s(t.name).median),
        'ORT ÷ this': ortStats ? pairedRatio(ortStats, s(t.name)) : '-',
        'per-round ratio': ortStats ? ratioSpread(ortStats, s(t.name)) : '-',
      }));
      const speedup = ortStats ? pairedRatio(ortStats, s('binary 1 thread')) : NaN;
      const threads = pairedRatio(s('binary 1 thread'), s('binary 2 threads'));
      const a2w2Ratio = pairedRatio(s('A2W2'), s('binary 1 thread'));
      const packedBytes = b.words.byteLength;
      return {
        rows,
        // the goals are about 1024³; quick mode's tiny shapes only check correctness
        goals: quick
          ? []
          : [
              { goal: `binary GEMM ${m}×${n}×${k} ≥ 2× ORT fp32 MatMul (1 thread): ${speedup.toFixed(2)}×`, met: speedup >= 2 },
              { goal: `A2W2 ÷ binary time ≤ 4.5: ${a2w2Ratio.toFixed(2)}`, met: a2w2Ratio <= 4.5 },
              { goal: `2 threads ÷ 1 thread ≥ 1.6×: ${threads.toFixed(2)}× (rounds ${ratioSpread(s('binary 1 thread'), s('binary 2 threads'))})`, met: threads >= 1.6 },
              { goal: `packed binary weights ≤ 1.02 × weights/8 bytes: ${packedBytes} B = ${(packedBytes / ((n * k) / 8)).toFixed(4)} ×`, met: packedBytes <= 1.02 * ((n * k) / 8) },
            ],
        notes: [
          `cpu flags: ${cpuFlags()}; onnxruntime-node ${ortVersion}; times are medians (and p95) over all tinybench samples of ${quick ? 1 : FULL_ROUNDS.rounds} interleaved rounds; ratios are medians of the per-round ratios`,
          '"per-round ratio" is the min–max of ORT ÷ this over the rounds: the noise of the shared machine',
          'G op/s counts 2·M·N·K binary (or int8) operations per second; data stays resident in wasm memory / ORT tensors',
        ],
      };
    } finally {
      await one.dispose();
      await two.dispose();
    }
  },
};
