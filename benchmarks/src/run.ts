// Runs the tracked benchmark suites: `npm run bench [-- filter...] [--quick]`.
// Every suite lives in src/suites/<package>/<case>.ts and exports `suite`; results go to
// results/<package>-<case>.json together with the machine they were measured on.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formatTable } from 'quantprune';
import { machineInfo, type BenchSuite } from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { quick: { type: 'boolean', default: false }, list: { type: 'boolean', default: false } },
});

const suitesDir = join(here, 'suites');
const files = readdirSync(suitesDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .sort();
const suites: BenchSuite[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(join(suitesDir, file)).href)) as { suite?: BenchSuite };
  if (mod.suite && (positionals.length === 0 || positionals.some((p) => mod.suite!.name.includes(p)))) suites.push(mod.suite);
}
if (values.list) {
  for (const s of suites) console.log(`${s.name}: ${s.description}`);
  process.exit(0);
}

const machine = machineInfo();
console.log(`machine: ${machine.cpu} (${machine.cores} cores, ${machine.flags.join(' ')}), node ${machine.node}`);
const resultsDir = join(here, '..', 'results');
mkdirSync(resultsDir, { recursive: true });
let unmet = 0;
for (const s of suites) {
  console.log(`\n## ${s.name}: ${s.description}`);
  const started = Date.now();
  const result = await s.run({ quick: values.quick, log: (line) => process.stderr.write(`  ${line}\n`) });
  console.log(formatTable(result.rows));
  for (const g of result.goals ?? []) {
    console.log(`${g.met ? 'MET  ' : 'UNMET'} ${g.goal}`);
    if (!g.met) unmet++;
  }
  for (const n of result.notes ?? []) console.log(`note: ${n}`);
  if (!values.quick) {
    const record = { suite: s.name, date: new Date().toISOString(), machine, wallSeconds: (Date.now() - started) / 1000, ...result };
    writeFileSync(join(resultsDir, `${s.name.replace('/', '-')}.json`), `${JSON.stringify(record, null, 2)}\n`);
  }
}
console.log(`\n${suites.length} suites, ${unmet} unmet goals`);
