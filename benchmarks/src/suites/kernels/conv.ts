import { packConv2dWeightPlanes, packConv2dWeights, scaleBiasTransform, WasmKernels, type ConvStageTimes } from '@quantprune/kernels';
import { median, type BenchSuite } from '../../harness.ts';
import { cpuFlags, FULL_ROUNDS, measure, ortSession, pairedRatio, ratioSpread, type TimedTask } from './measure.ts';
import { convModel } from './onnx-model.ts';

const rand = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => ((a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 2 ** 32);
};

/** ResNet-18's 3×3 stride-1 layers: spatial size and channels (in = out). */
const SHAPES: readonly (readonly [number, number])[] = [
  [56, 64],
  [28, 128],
  [14, 256],
  [7, 512],
];

/**
 * Checks 32 random outputs of a 3×3, stride-1, zero-padded convolution (NHWC input `hw`²×`c`, OHWI weights, `c`
 * outputs) against a direct loop: `bias[n] + Σ term(input index, weight index)` over the taps inside the image.
 */
function checkSamples(what: string, out: Float32Array, hw: number, c: number, bias: Float32Array, term: (i: number, k: number) => number, r: () => number): void {
  for (let s = 0; s < 32; s++) {
    const [oy, ox, n] = [Math.floor(r() * hw), Math.floor(r() * hw), Math.floor(r() * c)];
    let acc = bias[n]!;
    for (let ky = 0; ky < 3; ky++) {
      for (let kx = 0; kx < 3; kx++) {
        const [iy, ix] = [oy + ky - 1, ox + kx - 1];
        if (iy < 0 || iy >= hw || ix < 0 || ix >= hw) continue;
        for (let ci = 0; ci < c; ci++) acc += term((iy * hw + ix) * c + ci, ((n * 3 + ky) * 3 + kx) * c + ci);
      }
    }
    if (out[(oy * hw + ox) * c + n] !== acc) throw new Error(`kernels/conv: ${what} wrong at ${oy},${ox},${n}: ${out[(oy * hw + ox) * c + n]} vs ${acc}`);
  }
}

/**
 * Binary 3×3 convolution (zero padding 1, exact; float NHWC in, float out through a fused per-channel
 * scale + bias) in WebAssembly against onnxruntime-node's fp32 Conv (NCHW, 1 intra-op thread) on ResNet-18's
 * layer shapes, plus the share of the non-GEMM stages (sign packing, im2col, padding correction + transform), and
 * the bit-serial A2W2 convolution (2-bit codes in, same fused transform) on the same shapes against the binary one.
 */
export const suite: BenchSuite = {
  name: 'kernels/conv',
  description: 'binary 3×3 conv pad 1 (wasm SIMD, float in/out) vs onnxruntime-node fp32 Conv on 56²×64 … 7²×512; A2W2 conv ÷ binary conv',
  async run({ quick, log }) {
    const shapes = quick ? ([[8, 32]] as const) : SHAPES;
    const wasm = await WasmKernels.create();
    const rows: Record<string, string | number>[] = [];
    const goals: { goal: string; met: boolean }[] = [];
    let ortVersion = '-';
    try {
      for (const [hw, c] of shapes) {
        const r = rand(hw * 1000 + c);
        const options = { inputShape: [1, hw, hw, c], outChannels: c, kernelSize: 3, padding: 1 } as const;
        // ±1 inputs and weights so that the fp32 baseline computes the same integers; bias integral so the sums
        // plus bias are exact in both engines
        const x = Float32Array.from({ length: hw * hw * c }, () => (r() < 0.5 ? -1 : 1)); // NHWC
        const w = Float32Array.from({ length: c * 9 * c }, () => (r() < 0.5 ? -1 : 1)); // OHWI
        const scale = new Float32Array(c).fill(1);
        const bias = Float32Array.from({ length: c }, () => Math.floor(r() * 20) - 10);
        const transform = scaleBiasTransform(scale, bias);
        const packed = packConv2dWeights(w, [c, 3, 3, c]);
        const plan = wasm.createBinaryConv2d(packed, { ...options, transform });
        plan.input.set(x);
        plan.run();
        const out = plan.output as Float32Array;

        // correctness: sampled outputs against a direct float convolution with zero padding
        checkSamples(`${hw}²×${c}`, out, hw, c, bias, (i, k) => x[i]! * w[k]!, r);

        // A2W2: activation codes 0..3 (levels c/3), DoReFa weight codes 0..3 (levels 2c/3 − 1), same transform;
        // the sums are in level units ×9, checked against a direct loop over the integer levels c and 2c − 3
        const codes = Uint8Array.from({ length: hw * hw * c }, () => Math.floor(r() * 4));
        const wCodes = Uint8Array.from({ length: c * 9 * c }, () => Math.floor(r() * 4));
        const a2w2 = wasm.createBitSerialConv2d(packConv2dWeightPlanes(wCodes, [c, 3, 3, c], 2), { ...options, transform });
        a2w2.input.set(codes);
        a2w2.run();
        const out2 = a2w2.output as Float32Array;
        checkSamples(`A2W2 ${hw}²×${c}`, out2, hw, c, bias, (i, k) => codes[i]! * (2 * wCodes[k]! - 3), r);

        const tasks: TimedTask[] = [
          { name: 'binary', fn: () => plan.run() },
          { name: 'A2W2', fn: () => a2w2.run() },
          { name: 'binary + copies', fn: () => (plan.input.set(x), plan.run(), (plan.output as Float32Array).slice()) },
        ];
        if (!quick) {
          const xNchw = new Float32Array(c * hw * hw);
          for (let p = 0; p < hw * hw; p++) for (let ci = 0; ci < c; ci++) xNchw[ci * hw * hw + p] = x[p * c + ci]!;
          const wOihw = new Float32Array(c * c * 9);
          for (let o = 0; o < c; o++) for (let t = 0; t < 9; t++) for (let ci = 0; ci < c; ci++) wOihw[(o * c + ci) * 9 + t] = w[(o * 9 + t) * c + ci]!;
          const ort = await ortSession(convModel(c, hw, hw, c, 3, 1, wOihw, bias));
          ortVersion = ort.version;
          const feeds = { X: ort.tensor(xNchw, [1, c, hw, hw]) };
          const y = (await ort.run(feeds))['Y']!.data as Float32Array;
          const out = plan.output as Float32Array; // a fresh view: creating the A2W2 plan may have grown the memory
          for (let i = 0; i < y.length; i += 101) {
            const [ch, p] = [Math.floor(i / (hw * hw)), i % (hw * hw)];
            if (y[i] !== out[p * c + ch]) throw new Error(`kernels/conv: ORT Conv differs at ${i}: ${y[i]} vs ${out[p * c + ch]}`);
          }
          tasks.push({ name: 'ORT fp32 Conv', fn: () => ort.run(feeds) });
        }
        log(`${hw}²×${c}: measuring`);
        const stats = await measure(tasks, quick ? { rounds: 1, time: 20, warmup: false } : FULL_ROUNDS);
        const profiles: ConvStageTimes[] = [];
        for (let i = 0; i < (quick ? 5 : 300); i++) profiles.push(plan.profile());
        const stage = (key: keyof ConvStageTimes): number => median(profiles.map((p) => p[key]));
        const [pack, im2col, gemm, output] = [stage('pack'), stage('im2col'), stage('gemm'), stage('output')];
        const share = (pack + im2col + output) / (pack + im2col + gemm + output);
        const bin = stats.get('binary')!;
        const ortStats = stats.get('ORT fp32 Conv');
        const speedup = ortStats ? pairedRatio(ortStats, bin) : NaN;
        const weightBytes = packed.words.byteLength;
        rows.push({
          layer: `${hw}²×${c}`,
          'binary ms': bin.median,
          'binary p95': bin.p95,
          'with copies ms': stats.get('binary + copies')!.median,
          'ORT ms': ortStats?.median ?? '-',
          'ORT p95': ortStats?.p95 ?? '-',
          'ORT ÷ binary': ortStats ? speedup : '-',
          'per-round ratio': ortStats ? ratioSpread(ortStats, bin) : '-',
          'A2W2 ms': stats.get('A2W2')!.median,
          'A2W2 ÷ binary': pairedRatio(stats.get('A2W2')!, bin),
          'pack ms': pack,
          'im2col ms': im2col,
          'gemm ms': gemm,
          'output ms': output,
          'non-GEMM share': `${(100 * share).toFixed(1)} %`,
          'weight bytes': weightBytes,
          '÷ (weights/8)': weightBytes / ((c * 9 * c) / 8),
        });
        if (!quick) {
          goals.push({ goal: `${hw}²×${c}: binary conv ≥ 2× ORT fp32 Conv: ${speedup.toFixed(2)}×`, met: speedup >= 2 });
          goals.push({ goal: `${hw}²×${c}: packing + im2col + output transform ≤ 30 % of binary conv time: ${(100 * share).toFixed(1)} %`, met: share <= 0.3 });
          goals.push({ goal: `${hw}²×${c}: packed weights ≤ 1.02 × weights/8: ${(weightBytes / ((c * 9 * c) / 8)).toFixed(4)} ×`, met: weightBytes <= 1.02 * ((c * 9 * c) / 8) });
        }
        plan.dispose();
        a2w2.dispose();
      }
    } finally {
      await wasm.dispose();
    }
    return {
      rows,
      goals,
      notes: [
        `cpu flags: ${cpuFlags()}; onnxruntime-node ${ortVersion}; medians and p95 over all samples of ${quick ? 1 : FULL_ROUNDS.rounds} interleaved tinybench rounds; ratios are medians of the per-round ratios`,
        '"binary" runs with input and output resident in wasm memory (as between layers); "with copies" adds copying the float input in and the output out',
        '"A2W2" is the bit-serial convolution (activation codes in, fused scale + bias out) on the same shape, resident like "binary"',
        'stage times are medians of 300 profiled runs; "output" = zero-padding correction of border pixels + scale-bias transform',
      ],
    };
  },
};
