// Ackley-3, 64 evaluations, 20 seeds: GP-BO against random search.
import type { BenchSuite } from '../../harness.ts';
import { ackley3, compare, row } from './problems.ts';

export const suite: BenchSuite = {
  name: 'bayesopt/ackley3',
  description: 'Ackley on [−32.768, 32.768]^3, mean best after 64 evaluations over 20 seeds, GP-BO vs random search (optimum 0)',
  async run({ quick, log }) {
    const budget = quick ? 12 : 64;
    const seeds = quick ? 1 : 20;
    const r = await compare(ackley3, [budget], seeds, log);
    const bo = r.bo.get(budget)!;
    const rs = r.random.get(budget)!;
    return {
      rows: [row('gp-bo', budget, bo, { 's/run': r.seconds.reduce((a, b) => a + b, 0) / seeds }), row('random', budget, rs)],
      // Goals only mean something at the full budgets and seed counts.
      goals: quick ? [] : [
        { goal: `mean best ≤ 2.0 at ${budget} evaluations (got ${bo.mean.toPrecision(4)})`, met: bo.mean <= 2 },
        { goal: `stretch: mean best ≤ 0.5 (got ${bo.mean.toPrecision(4)})`, met: bo.mean <= 0.5 },
        { goal: `beats random search (mean ${bo.mean.toPrecision(4)} vs ${rs.mean.toPrecision(4)})`, met: bo.mean < rs.mean },
      ],
      notes: quick ? ['quick smoke run: goals are checked in full runs only'] : ['reference (2017 comparison): GPyOpt 0.061, gp 1.985'],
    };
  },
};
