// Helper module of the kernels suites (no `suite` export): interleaved tinybench rounds, ORT sessions, and the
// CPU details recorded with every result.
import { readFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import { median, quantile } from '../../harness.ts';

/** A timed function (sync kernels, or async ORT runs). */
export interface TimedTask {
  readonly name: string;
  readonly fn: () => unknown;
}

/** Statistics of one task over all rounds. */
export interface TaskStats {
  /** Median of all samples (ms). */
  readonly median: number;
  /** 95th percentile of all samples (ms). */
  readonly p95: number;
  /** Median of each round (ms), to judge the noise between rounds. */
  readonly rounds: number[];
}

/**
 * Runs all tasks in `rounds` tinybench rounds (every round runs each task for `time` ms, in order), so a
 * change in the background load hits all tasks alike. Returns per-task medians and p95 over all samples.
 */
export async function measure(tasks: readonly TimedTask[], options: { rounds: number; time: number; warmup: boolean }): Promise<Map<string, TaskStats>> {
  const samples = new Map<string, number[]>(tasks.map((t) => [t.name, []]));
  const rounds = new Map<string, number[]>(tasks.map((t) => [t.name, []]));
  for (let r = 0; r < options.rounds; r++) {
    const bench = new Bench({ time: options.time, iterations: 3, warmup: options.warmup && r === 0, retainSamples: true });
    for (const t of tasks) bench.add(t.name, t.fn);
    await bench.run();
    for (const t of tasks) {
      const s = [...((bench.getTask(t.name)?.result as { latency?: { samples?: number[] } } | undefined)?.latency?.samples ?? [])];
      if (s.length === 0) throw new Error(`measure: task ${t.name} produced no samples`);
      samples.get(t.name)!.push(...s);
      rounds.get(t.name)!.push(median(s));
    }
  }
  return new Map(tasks.map((t) => [t.name, { median: median(samples.get(t.name)!), p95: quantile(samples.get(t.name)!, 0.95), rounds: rounds.get(t.name)! }]));
}

/**
 * The ratio a/b as the median of the per-round ratios. Each round times both tasks within a few hundred
 * milliseconds of each other, so pairing by round cancels much of the drift of a shared machine's speed that a
 * ratio of overall medians absorbs. On this VM, two idle runs of 5 long rounds gave ORT ÷ binary conv 1.64 and
 * 2.35 on 56²×64 (ratio of overall medians); two runs of 15 short rounds, paired, gave 2.09 and 1.97.
 */
export function pairedRatio(a: TaskStats, b: TaskStats): number {
  return median(a.rounds.map((x, i) => x / b.rounds[i]!));
}

/** The rounds of a full (not quick) kernels measurement: many short interleaved rounds for paired ratios. */
export const FULL_ROUNDS: { readonly rounds: number; readonly time: number; readonly warmup: boolean } = { rounds: 15, time: 200, warmup: true };

/** Range of the per-round ratios a/b as "min–max", the noise of a ratio between rounds. */
export function ratioSpread(a: TaskStats, b: TaskStats): string {
  const r = a.rounds.map((x, i) => x / b.rounds[i]!);
  return `${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)}`;
}

/** CPU flags that matter for these kernels (popcount, AVX-512 variants ORT's MLAS and V8 may use). */
export function cpuFlags(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags')) ?? '';
    const wanted = /^(popcnt|sse4_2|avx|avx2|fma|avx512f|avx512bw|avx512vl|avx512_vnni|avx512_bitalg|avx512_vpopcntdq|avx_vnni|amx_tile)$/;
    return line.split(':')[1]!.trim().split(' ').filter((f) => wanted.test(f)).join(' ');
  } catch {
    return 'unknown';
  }
}

/** An onnxruntime-node session with one intra-op thread, sequential execution and all graph optimizations. */
export async function ortSession(model: Uint8Array): Promise<{ run: (feeds: Record<string, unknown>) => Promise<Record<string, { data: unknown }>>; version: string; tensor: (data: Float32Array, dims: number[]) => unknown }> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  return {
    run: (feeds) => session.run(feeds as never) as never,
    version: ort.env.versions.node ?? 'unknown',
    tensor: (data, dims) => new ort.Tensor('float32', data, dims),
  };
}
