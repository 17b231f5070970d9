// Compiles assembly/ with AssemblyScript into wasm/kernels.wasm (own memory) and wasm/kernels-shared.wasm
// (shared memory, for the worker-thread path). Run by `npm run build:wasm`, `build`, `test` and turbo's
// `transit` task (so packages that run the kernels in their tests find the module).
//
// The output is a pure function of the sources, the asc version (pinned) and the flags below. A stamp with the
// SHA-256 of all three skips the compile when nothing changed (`--force` recompiles). Each file is written
// to a temporary name and renamed, so a concurrent reader never sees a partial file.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'wasm');
const common = ['assembly/index.ts', '--baseDir', root, '-O3', '--runtime', 'stub', '--noAssert', '--enable', 'simd', '--importMemory'];
const targets = [
  { file: 'kernels.wasm', flags: [] },
  // 32768 pages = 2 GiB: the ceiling of the shared memory, which cannot grow past its declared maximum.
  { file: 'kernels-shared.wasm', flags: ['--enable', 'threads', '--sharedMemory', '--maximumMemory', '32768'] },
];

const hash = createHash('sha256').update(asc.version).update(JSON.stringify([common.slice(3), targets]));
for (const f of readdirSync(join(root, 'assembly')).sort()) hash.update(f).update(readFileSync(join(root, 'assembly', f)));
const stamp = hash.digest('hex');
const stampFile = join(outDir, 'build.sha256');
const upToDate = targets.every((t) => existsSync(join(outDir, t.file))) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
if (upToDate && !process.argv.includes('--force')) {
  console.log('build-wasm: wasm/ is up to date');
  process.exit(0);
}

mkdirSync(outDir, { recursive: true });
for (const { file, flags } of targets) {
  let binary = null;
  const { error, stderr } = await asc.main([...common, ...flags, '--outFile', file], {
    writeFile(name, contents) {
      if (name === file) binary = contents;
    },
  });
  if (error || binary === null) {
    process.stderr.write(stderr.toString());
    throw new Error(`build-wasm: asc failed for ${file}: ${error?.message ?? 'no binary emitted'}`);
  }
  const tmp = join(outDir, `.${file}.${process.pid}.tmp`);
  writeFileSync(tmp, binary);
  renameSync(tmp, join(outDir, file));
  console.log(`build-wasm: wasm/${file} ${binary.length} bytes`);
}
writeFileSync(stampFile, stamp);
