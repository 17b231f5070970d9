import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { median, quantile, type BenchSuite } from './harness.ts';

// Every tracked suite runs in quick mode: it must check its own correctness and return rows.
const dir = fileURLToPath(new URL('./suites', import.meta.url));
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

for (const file of files) {
  it(`suite ${file} runs in quick mode`, async () => {
    const { suite } = (await import(pathToFileURL(join(dir, file)).href)) as { suite?: BenchSuite };
    if (!suite) return; // a helper module shared by suites
    const result = await suite.run({ quick: true, log: () => {} });
    expect(result.rows.length).toBeGreaterThan(0);
  }, 120_000);
}

it('median and quantile', () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(quantile([0, 10], 0.95)).toBeCloseTo(9.5, 12);
});
