import { DataError } from './errors.ts';

/** An unsigned-byte IDX array: its dimensions and its row-major data. */
export interface IdxArray {
  /** Dimensions from the header, e.g. `[60000, 28, 28]` for MNIST training images. */
  readonly dims: readonly number[];
  /** `dims` product bytes, row-major; a view into the bytes passed to {@link readIdx}. */
  readonly data: Uint8Array;
}

/** IDX type code of unsigned bytes, the only one the MNIST-family files use. */
const IDX_UBYTE = 0x08;
const IDX_TYPE_NAMES: Record<number, string> = { 0x09: 'int8', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

/**
 * Parses an IDX file (the format of MNIST and Fashion-MNIST, http://yann.lecun.com/exdb/mnist/): a 4-byte magic
 * `00 00 <type> <ndims>`, `ndims` big-endian uint32 dimensions, then the data. Only the unsigned-byte type (0x08)
 * is accepted, and the file must be exactly as long as its header says. Nothing is copied.
 *
 * @param bytes the whole (already decompressed) file.
 * @param file the file name, used in error messages.
 * @returns the dimensions and a view of the data.
 * @throws {DataError} on a wrong magic, another element type, a truncated header or a size mismatch.
 * @example
 * ```ts
 * const { dims, data } = readIdx(readFileSync('t10k-labels-idx1-ubyte'), 't10k-labels-idx1-ubyte');
 * // dims = [10000]; data[0] = 7
 * ```
 */
export function readIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) {
    throw new DataError(file, bytes.length, `truncated IDX file: ${bytes.length} bytes, the magic number alone needs 4; download the file again`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const got = `${hex(bytes[0]!)} ${hex(bytes[1]!)}`;
    throw new DataError(
      file,
      0,
      `wrong magic number: an IDX file starts with 00 00, got ${got}${got === '1f 8b' ? ' (a gzip file: name it *.gz)' : ''}; is this an MNIST-format file?`,
    );
  }
  const type = bytes[2]!;
  if (type !== IDX_UBYTE) {
    const name = IDX_TYPE_NAMES[type];
    throw new DataError(file, 2, `IDX element type 0x${hex(type)}${name ? ` (${name})` : ''} is not supported: image and label files use unsigned bytes (0x08)`);
  }
  const ndims = bytes[3]!;
  if (ndims === 0) throw new DataError(file, 3, 'IDX file declares 0 dimensions; the file is corrupt');
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new DataError(file, bytes.length, `truncated IDX header: ${ndims} dimensions need ${headerBytes} bytes, the file has ${bytes.length}; download the file again`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let elements = 1;
  for (let d = 0; d < ndims; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    elements *= n; // a double: exact up to 2^53, and any larger product fails the size check below anyway
  }
  const expected = headerBytes + elements;
  if (expected !== bytes.length) {
    const where = expected < bytes.length ? expected : bytes.length;
    throw new DataError(
      file,
      where,
      `IDX size mismatch: the header says ${dims.join(' × ')} = ${elements} data bytes after a ${headerBytes}-byte header (${expected} in all), the file has ${bytes.length}; ${expected > bytes.length ? 'the file is truncated: download it again' : 'trailing bytes: the file is corrupt'}`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}
