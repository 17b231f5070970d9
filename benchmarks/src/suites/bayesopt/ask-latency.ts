// Wall time of one ask() with 200 observations in 20 dimensions (the per-layer pruning use case's scale).
import { BayesianOptimizer, type Point, type SearchSpace } from '@quantprune/bayesopt';
import type { BenchSuite } from '../../harness.ts';
import { median } from '../../harness.ts';

const D = 20;
const space: SearchSpace = Object.fromEntries(Array.from({ length: D }, (_, j) => [`x${j}`, { type: 'continuous', lower: -5, upper: 5 } as const]));
// Styblinski–Tang, minimum −39.16617·D at x_j = −2.903534.
const f = (p: Point): number => {
  let s = 0;
  for (let j = 0; j < D; j++) {
    const x = p[`x${j}`] as number;
    s += 0.5 * (x ** 4 - 16 * x * x + 5 * x);
  }
  return s;
};

export const suite: BenchSuite = {
  name: 'bayesopt/ask-latency',
  description: 'wall time of ask() in 20 dimensions with 200 observations (default options), goal < 1 s',
  async run({ quick, log }) {
    const observations = quick ? 30 : 200;
    const asks = quick ? 2 : 10;
    if (Math.abs(f(Object.fromEntries(Array.from({ length: D }, (_, j) => [`x${j}`, -2.903534]))) + 39.16617 * D) > 1e-3 * D) {
      throw new Error('ask-latency: Styblinski–Tang check failed');
    }
    // The first 200 points are the Sobol design (fast to produce); then time consecutive model-based asks.
    const opt = new BayesianOptimizer(space, { seed: 1, initialPoints: observations });
    for (let i = 0; i < observations; i++) {
      const p = opt.ask();
      opt.tell(p, f(p));
    }
    const ms: number[] = [];
    for (let k = 0; k < asks; k++) {
      const t0 = performance.now();
      const p = opt.ask();
      ms.push(performance.now() - t0);
      opt.tell(p, f(p));
      log(`ask ${k + 1} at ${observations + k} observations: ${ms.at(-1)!.toFixed(0)} ms`);
    }
    const med = median(ms);
    const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
    return {
      rows: [{ dimensions: D, observations, asks, 'median ms': med, 'mean ms': mean, 'max ms': Math.max(...ms), 'min ms': Math.min(...ms) }],
      goals: [
        { goal: `median ask() < 1000 ms at ${observations} observations in ${D}-D (got ${med.toFixed(0)} ms)`, met: med < 1000 },
        { goal: `mean ask() < 1000 ms (got ${mean.toFixed(0)} ms; hyper-parameter restarts run on every 5th fit)`, met: mean < 1000 },
      ],
    };
  },
};
