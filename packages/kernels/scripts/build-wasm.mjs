// Compiles assembly/ into wasm/kernels.wasm (own memory) and wasm/kernels-shared.wasm (shared memory, for the
// worker-thread path). Run by `npm run build:wasm`, `build`, `test` and turbo's `transit` task (so packages that
// run the kernels in their tests find the module). `--force` recompiles.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWasm } from '@quantprune/build-wasm';

await buildWasm({
  root: join(dirname(fileURLToPath(import.meta.url)), '..'),
  entry: 'assembly/index.ts',
  targets: [
    { name: 'kernels.wasm', flags: [] },
    // 32768 pages = 2 GiB: the ceiling of the shared memory, which cannot grow past its declared maximum.
    { name: 'kernels-shared.wasm', flags: ['--enable', 'threads', '--sharedMemory', '--maximumMemory', '32768'] },
  ],
  stamp: 'wasm/build.sha256',
  outputs: {
    'wasm/kernels.wasm': (binaries) => binaries['kernels.wasm'],
    'wasm/kernels-shared.wasm': (binaries) => binaries['kernels-shared.wasm'],
  },
});
