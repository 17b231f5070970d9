// Shared pieces of the bayesopt suites: test functions with their known optima, random search as the floor, and
// a runner that records best-so-far trajectories for BO and random search over many seeds.
import { minimize, Random, type Point, type SearchSpace } from '@quantprune/bayesopt';
import { median } from '../../harness.ts';

export interface Problem {
  readonly name: string;
  readonly space: SearchSpace;
  readonly f: (p: Point) => number;
  /** A known minimiser and the minimum, checked before any timing (correctness first). */
  readonly argmin: Point;
  readonly min: number;
}

const box = (d: number, lower: number, upper: number): SearchSpace =>
  Object.fromEntries(Array.from({ length: d }, (_, j) => [`x${j}`, { type: 'continuous', lower, upper } as const]));
const vec = (p: Point, d: number): number[] => Array.from({ length: d }, (_, j) => p[`x${j}`] as number);

/** Branin–Hoo on [−5, 10] × [0, 15]; minimum 0.397887 at (π, 2.275) and two other points. */
export const branin: Problem = {
  name: 'Branin',
  space: { x0: { type: 'continuous', lower: -5, upper: 10 }, x1: { type: 'continuous', lower: 0, upper: 15 } },
  f: (p) => {
    const [x, y] = vec(p, 2) as [number, number];
    return (y - (5.1 / (4 * Math.PI ** 2)) * x * x + (5 / Math.PI) * x - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x) + 10;
  },
  argmin: { x0: Math.PI, x1: 2.275 },
  min: 0.397887,
};

const H6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H6_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((r) => r.map((v) => v * 1e-4));
const H6_ALPHA = [1, 1.2, 3, 3.2];

/** Hartmann-6 on [0, 1]^6; minimum −3.32237 (Surjanovic & Bingham, Virtual Library of Simulation Experiments). */
export const hartmann6: Problem = {
  name: 'Hartmann-6',
  space: box(6, 0, 1),
  f: (p) => {
    const x = vec(p, 6);
    let s = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += H6_A[i]![j]! * (x[j]! - H6_P[i]![j]!) ** 2;
      s += H6_ALPHA[i]! * Math.exp(-inner);
    }
    return -s;
  },
  argmin: { x0: 0.20169, x1: 0.150011, x2: 0.476874, x3: 0.275332, x4: 0.311652, x5: 0.6573 },
  min: -3.32237,
};

/** Ackley (a = 20, b = 0.2, c = 2π) on [−32.768, 32.768]^3; minimum 0 at the origin. */
export const ackley3: Problem = {
  name: 'Ackley-3',
  space: box(3, -32.768, 32.768),
  f: (p) => {
    const x = vec(p, 3);
    const s1 = x.reduce((s, v) => s + v * v, 0) / 3;
    const s2 = x.reduce((s, v) => s + Math.cos(2 * Math.PI * v), 0) / 3;
    return -20 * Math.exp(-0.2 * Math.sqrt(s1)) - Math.exp(s2) + 20 + Math.E;
  },
  argmin: { x0: 0, x1: 0, x2: 0 },
  min: 0,
};

/** Throws unless the problem evaluates to its published minimum at its published minimiser (to 1e-4). */
export function checkProblem(p: Problem): void {
  const v = p.f(p.argmin);
  if (!(Math.abs(v - p.min) < 1e-4)) throw new Error(`${p.name}: f(argmin) = ${v}, expected ${p.min}`);
}

/** Best-so-far values after each evaluation. */
export type Trajectory = number[];

export async function runBo(p: Problem, budget: number, seed: number): Promise<{ trajectory: Trajectory; seconds: number }> {
  const trajectory: Trajectory = [];
  const t0 = performance.now();
  await minimize(p.f, p.space, { budget, seed, onProgress: (i) => void trajectory.push(i.best?.y ?? Number.POSITIVE_INFINITY) });
  return { trajectory, seconds: (performance.now() - t0) / 1000 };
}

export function runRandom(p: Problem, budget: number, seed: number): Trajectory {
  const rng = new Random(1_000_003 + seed);
  const names = Object.keys(p.space);
  const trajectory: Trajectory = [];
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < budget; i++) {
    const x: Record<string, number> = {};
    for (const n of names) {
      const d = p.space[n]!;
      if (d.type !== 'continuous') throw new Error('runRandom: continuous spaces only');
      x[n] = d.lower + rng.next() * (d.upper - d.lower);
    }
    best = Math.min(best, p.f(x));
    trajectory.push(best);
  }
  return trajectory;
}

export interface Summary {
  median: number;
  mean: number;
  std: number;
  values: number[];
}

export function summarize(values: number[]): Summary {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return { median: median(values), mean, std, values };
}

/** Runs BO and random search for `seeds` seeds up to the largest budget and summarises the best value at each budget. */
export async function compare(
  p: Problem,
  budgets: number[],
  seeds: number,
  log: (line: string) => void,
): Promise<{ bo: Map<number, Summary>; random: Map<number, Summary>; seconds: number[] }> {
  checkProblem(p);
  const top = Math.max(...budgets);
  const boTraj: Trajectory[] = [];
  const rsTraj: Trajectory[] = [];
  const seconds: number[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const r = await runBo(p, top, seed);
    boTraj.push(r.trajectory);
    seconds.push(r.seconds);
    rsTraj.push(runRandom(p, top, seed));
    log(`${p.name} seed ${seed}: BO best ${r.trajectory.at(-1)!.toPrecision(7)} in ${r.seconds.toFixed(1)} s`);
  }
  const at = (ts: Trajectory[], b: number): Summary => summarize(ts.map((t) => t[b - 1]!));
  return {
    bo: new Map(budgets.map((b) => [b, at(boTraj, b)])),
    random: new Map(budgets.map((b) => [b, at(rsTraj, b)])),
    seconds,
  };
}

export function row(method: string, budget: number, s: Summary, extra: Record<string, string | number> = {}): Record<string, string | number> {
  return { method, budget, median: s.median, mean: s.mean, std: s.std, worst: Math.max(...s.values), ...extra };
}
