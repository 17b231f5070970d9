// The npm registry mirror of this workplace serves only the Linux builds of turbo's per-platform binaries
// (@turbo/darwin-*, @turbo/windows-* answer 404), so `npm install` writes a package-lock.json without them and
// `npm ci` then refuses the lock as out of sync ("Missing: @turbo/darwin-64@ from lock file"). This adds the
// missing optional entries — platform-gated by os/cpu, so they are never installed on Linux — and is idempotent.
// Run after `npm install` changes the lock (`.ci/run` runs it before `npm ci`).
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const turbo = lock.packages['node_modules/turbo'];
let added = 0;
for (const [name, version] of Object.entries(turbo?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const [, os, arch] = /@turbo\/(\w+)-(\w+)$/.exec(name) ?? [];
  lock.packages[key] = {
    version,
    cpu: [arch === '64' ? 'x64' : arch],
    dev: true,
    license: 'MIT',
    optional: true,
    os: [os === 'windows' ? 'win32' : os],
  };
  added++;
}
if (added > 0) {
  lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`complete-lock: added ${added} platform-gated turbo entries to package-lock.json`);
}
