/**
 * The folder holding the user's datasets, from the environment variable `QUANTPRUNE_DATA_DIR`
 * (`.ci/run` sets it to `../shared/datasets` when that folder exists).
 *
 * @returns the folder, or `undefined` when the variable is unset or empty.
 * @example
 * ```ts
 * const root = dataRoot();
 * if (root) loadCifar10({ files: [join(root, 'cifar10/test_batch_first1000.bin')], split: 'test' });
 * ```
 */
export function dataRoot(): string | undefined {
  const dir = process.env['QUANTPRUNE_DATA_DIR'];
  return dir === undefined || dir === '' ? undefined : dir;
}
