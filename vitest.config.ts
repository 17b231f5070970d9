import { defineConfig } from 'vitest/config';

// Local watch mode over every package (`npm run test:watch`). CI runs each package's own
// `vitest run` through turbo, so this file only serves the hybrid local workflow.
export default defineConfig({
  test: { projects: ['packages/*', 'benchmarks'] },
});
