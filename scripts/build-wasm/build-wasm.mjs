// Compiles a package's assembly/ sources with AssemblyScript (kernels: wasm/*.wasm; tfjs: an embedded module).
//
// The outputs are a pure function of the sources, the asc version (pinned by the calling package) and the
// flags. A stamp with the SHA-256 of all three skips the compile when nothing changed (`--force` on the command
// line recompiles). Each output is written to a temporary name and renamed, so a concurrent reader never sees a
// partial file.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import asc from 'assemblyscript/asc';

/** Flags of every build: optimised, no runtime (the modules allocate nothing), SIMD, memory from the host. */
const COMMON = ['-O3', '--runtime', 'stub', '--noAssert', '--enable', 'simd', '--importMemory'];

/**
 * @param {object} options
 * @param {string} options.root - the package directory
 * @param {string} options.entry - the entry file, relative to root (its directory is hashed)
 * @param {{ name: string, flags: string[] }[]} options.targets - one module per target, with extra asc flags
 * @param {string} options.stamp - the stamp file, relative to root
 * @param {Record<string, (binaries: Record<string, Uint8Array>) => string | Uint8Array>} options.outputs - the files
 *   to write (paths relative to root), each made from the compiled modules by target name
 */
export async function buildWasm({ root, entry, targets, stamp, outputs }) {
  const sourceDir = join(root, dirname(entry));
  const hash = createHash('sha256').update(asc.version).update(JSON.stringify([COMMON, targets]));
  for (const f of readdirSync(sourceDir).sort()) hash.update(f).update(readFileSync(join(sourceDir, f)));
  const digest = hash.digest('hex');
  const stampFile = join(root, stamp);
  const expected = Object.keys(outputs);
  const upToDate = expected.every((f) => existsSync(join(root, f))) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === digest;
  if (upToDate && !process.argv.includes('--force')) {
    console.log(`build-wasm: ${expected.join(', ')} up to date`);
    return;
  }

  const binaries = {};
  for (const { name, flags } of targets) {
    let binary = null;
    const { error, stderr } = await asc.main([entry, '--baseDir', root, ...COMMON, ...flags, '--outFile', name], {
      writeFile(file, contents) {
        if (file === name) binary = contents;
      },
    });
    if (error || binary === null) {
      process.stderr.write(stderr.toString());
      throw new Error(`build-wasm: asc failed for ${name}: ${error?.message ?? 'no binary emitted'}`);
    }
    binaries[name] = binary;
  }
  for (const [file, make] of Object.entries(outputs)) {
    const contents = make(binaries);
    const path = join(root, file);
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, contents);
    renameSync(tmp, path);
    console.log(`build-wasm: ${file} ${contents.length} ${typeof contents === 'string' ? 'chars' : 'bytes'}`);
  }
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, digest);
}
