import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { FIXTURES } from './test-fixtures.ts';

const NOT_DATA = ['SHA256SUMS', 'README.md', 'make-fixtures.mjs'];

function dataFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .filter((f) => !NOT_DATA.includes(f))
    .sort();
}

function manifest(dir: string): Map<string, string> {
  const lines = readFileSync(join(dir, 'SHA256SUMS'), 'utf8').trimEnd().split('\n');
  return new Map(
    lines.map((line) => {
      const m = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line);
      if (!m) throw new Error(`SHA256SUMS: malformed line ${JSON.stringify(line)}`);
      return [m[2]!, m[1]!];
    }),
  );
}

it('datasets/fixtures/SHA256SUMS lists exactly the fixture files, with their hashes; all of them are tiny', () => {
  const sums = manifest(FIXTURES);
  const files = dataFiles(FIXTURES);
  expect([...sums.keys()].sort()).toEqual(files);
  let total = 0;
  for (const f of files) {
    const bytes = readFileSync(join(FIXTURES, f));
    total += bytes.length;
    expect(createHash('sha256').update(bytes).digest('hex'), f).toBe(sums.get(f));
  }
  expect(total).toBeLessThan(200_000);
});

it('make-fixtures.mjs regenerates the committed fixtures (gzip files compared after decompression)', () => {
  const out = mkdtempSync(join(tmpdir(), 'qp-fixtures-'));
  execFileSync(process.execPath, [join(FIXTURES, 'make-fixtures.mjs'), out], { stdio: 'pipe' });
  const files = dataFiles(out);
  expect(files).toEqual(dataFiles(FIXTURES));
  for (const f of files) {
    const fresh = readFileSync(join(out, f));
    const committed = readFileSync(join(FIXTURES, f));
    // gzip bytes may differ between zlib versions; their contents may not.
    if (f.endsWith('.gz')) expect(gunzipSync(fresh).equals(gunzipSync(committed)), f).toBe(true);
    else expect(fresh.equals(committed), f).toBe(true);
  }
});
