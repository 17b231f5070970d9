// Branin, 50 evaluations, 20 seeds: GP-BO (defaults: Matern-5/2, log-EI, Sobol design) against random search.
import type { BenchSuite } from '../../harness.ts';
import { branin, compare, row } from './problems.ts';

export const suite: BenchSuite = {
  name: 'bayesopt/branin',
  description: 'Branin-Hoo, best value after 50 evaluations over 20 seeds, GP-BO vs random search (optimum 0.397887)',
  async run({ quick, log }) {
    const budget = quick ? 12 : 50;
    const seeds = quick ? 1 : 20;
    const r = await compare(branin, [budget], seeds, log);
    const bo = r.bo.get(budget)!;
    const rs = r.random.get(budget)!;
    const within = bo.values.filter((v) => v <= 0.4).length / bo.values.length;
    return {
      rows: [
        row('gp-bo', budget, bo, { 'share ≤ 0.40': within, 's/run': r.seconds.reduce((a, b) => a + b, 0) / seeds }),
        row('random', budget, rs, { 'share ≤ 0.40': rs.values.filter((v) => v <= 0.4).length / seeds }),
      ],
      // Goals only mean something at the full budgets and seed counts.
      goals: quick ? [] : [
        { goal: `median best ≤ 0.3985 at ${budget} evaluations (got ${bo.median.toPrecision(6)})`, met: bo.median <= 0.3985 },
        { goal: `≥ 90% of seeds ≤ 0.40 (got ${(within * 100).toFixed(0)}%)`, met: within >= 0.9 },
        { goal: `beats random search (median ${bo.median.toPrecision(4)} vs ${rs.median.toPrecision(4)})`, met: bo.median < rs.median },
      ],
      notes: quick ? ['quick smoke run: goals are checked in full runs only'] : ['reference: scikit-optimize gp_minimize reaches 0.398 ± 0.000 in 200 calls'],
    };
  },
};
