/**
 * Thrown when a dataset file or folder cannot be read: a missing file or folder, a truncated file, a wrong magic
 * number, a label out of range, a corrupt JPEG or a malformed ground-truth line. The message names the file, the
 * byte offset (when there is one) and what to do about it.
 *
 * @example
 * ```ts
 * try { loadCifar10({ dir: '/data/cifar-10-batches-bin', split: 'test' }); }
 * catch (e) { if (e instanceof DataError) console.error(e.file, e.offset, e.reason); }
 * ```
 */
export class DataError extends Error {
  /** The file or folder that could not be read. */
  readonly file: string;
  /** Byte offset in `file` where the problem was found, or `undefined` when it is not about a position in a file. */
  readonly offset: number | undefined;
  /** What is wrong and what to do, without the file name and offset. */
  readonly reason: string;

  /**
   * @param file the file or folder that could not be read.
   * @param offset byte offset of the problem in `file`, or `undefined`.
   * @param reason what is wrong and what to do.
   */
  constructor(file: string, offset: number | undefined, reason: string) {
    super(`${file}${offset === undefined ? '' : ` (at byte ${offset})`}: ${reason}`);
    this.name = 'DataError';
    this.file = file;
    this.offset = offset;
    this.reason = reason;
  }
}
