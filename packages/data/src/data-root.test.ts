import { afterEach, expect, it, vi } from 'vitest';
import { dataRoot } from './data-root.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

it('dataRoot reads QUANTPRUNE_DATA_DIR; unset or empty is undefined', () => {
  vi.stubEnv('QUANTPRUNE_DATA_DIR', '/data');
  expect(dataRoot()).toBe('/data');
  vi.stubEnv('QUANTPRUNE_DATA_DIR', '');
  expect(dataRoot()).toBeUndefined();
  vi.stubEnv('QUANTPRUNE_DATA_DIR', undefined);
  expect(dataRoot()).toBeUndefined();
});
