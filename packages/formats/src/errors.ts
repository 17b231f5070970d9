/**
 * Thrown when bytes handed to a decoder are not a valid encoding: truncated, corrupted or hostile input.
 * `offset` is the byte offset (from the start of the buffer given to the decoder) where the problem was found.
 *
 * @example
 * ```ts
 * try { decodeContainer(bytes); } catch (e) { if (e instanceof FormatError) console.error(e.offset, e.reason); }
 * ```
 */
export class FormatError extends Error {
  /** What is wrong, without the offset, e.g. `"header CRC mismatch"`. */
  readonly reason: string;
  /** Byte offset in the decoded buffer where the problem was found. */
  readonly offset: number;

  constructor(reason: string, offset: number) {
    super(`${reason} (at byte ${offset})`);
    this.name = 'FormatError';
    this.reason = reason;
    this.offset = offset;
  }
}
