import { basename } from 'node:path';
import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// When QUANTPRUNE_VITEST_JSON names a folder (set by .ci/run), every package also writes vitest's JSON
// report there, so CI can add up passed / failed / skipped tests over the whole workspace.
const jsonDir = process.env['QUANTPRUNE_VITEST_JSON'];
const reporters: (string | [string, Record<string, unknown>])[] = jsonDir
  ? ['default', ['json', { outputFile: `${jsonDir}/${basename(process.cwd())}.json` }]]
  : ['default'];

/**
 * The one vitest configuration every package extends: tests resolve workspace packages to their
 * TypeScript sources through the private `@quantprune/source` export condition, so no test needs a build.
 */
export const sharedConfig: ReturnType<typeof defineConfig> = defineConfig({
  ssr: { resolve: { conditions: ['@quantprune/source', ...defaultServerConditions] } },
  resolve: { conditions: ['@quantprune/source'] },
  test: {
    clearMocks: true,
    restoreMocks: true,
    testTimeout: 60_000,
    reporters,
  },
});
