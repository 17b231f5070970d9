import { cpus, arch, platform } from 'node:os';
import { readFileSync } from 'node:fs';

/** One benchmark suite: a file under `src/suites/<package>/<case>.ts` exporting `suite`. */
export interface BenchSuite {
  /** `<package>/<case>`, e.g. `formats/pack-bits`. */
  readonly name: string;
  /** One sentence: what is measured and against which reference. */
  readonly description: string;
  /** Runs the suite and returns its result rows (one per case). `quick` shrinks sizes for smoke tests. */
  run(options: SuiteOptions): Promise<SuiteResult>;
}

export interface SuiteOptions {
  /** Small sizes and few iterations: used by the harness's own tests, never for recorded numbers. */
  readonly quick: boolean;
  /** Writes a progress line (the harness prints it to stderr). */
  readonly log: (line: string) => void;
}

export interface SuiteResult {
  /** Table rows; every value a string or a number. */
  readonly rows: Record<string, string | number>[];
  /** Goals checked by the suite, e.g. `{ goal: 'pack 1-bit ≥ 0.5× copy', met: true }`. */
  readonly goals?: { goal: string; met: boolean }[];
  /** Free-form notes printed under the table. */
  readonly notes?: string[];
}

/** What machine and software a result was measured on (recorded with every result). */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly flags: string[];
  readonly node: string;
  readonly platform: string;
}

export function machineInfo(): MachineInfo {
  let flags: string[] = [];
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const line = info.split('\n').find((l) => l.startsWith('flags'));
    const wanted = ['sse4_1', 'sse4_2', 'avx', 'avx2', 'avx512f', 'popcnt', 'bmi2', 'fma'];
    flags = line ? line.split(':')[1]!.trim().split(' ').filter((f) => wanted.includes(f)) : [];
  } catch {
    // not Linux: flags stay unknown
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    flags,
    node: process.version,
    platform: `${platform()}-${arch()}`,
  };
}

/** Median of a list of numbers (the list is not modified). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile q ∈ [0, 1] of a list of numbers. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('quantile: empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
