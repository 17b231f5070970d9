#!/usr/bin/env node
// Runs the built CLI; inside the quantprune repository (no build yet) it runs the TypeScript sources instead.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/bin.js', import.meta.url);
if (existsSync(fileURLToPath(built))) {
  await import(built.href);
} else {
  const source = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
  const child = spawnSync(process.execPath, ['--conditions=@quantprune/source', '--import', 'tsx', source, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}
