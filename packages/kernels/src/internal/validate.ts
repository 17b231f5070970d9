import type { PackedBinaryMatrix } from '@quantprune/formats';

/** Throws RangeError unless `m` is a consistent packed matrix (integer sizes, enough words per row and in total). */
export function checkPacked(fn: string, name: string, m: PackedBinaryMatrix): void {
  const ok = (x: number): boolean => Number.isInteger(x) && x >= 0;
  if (!ok(m.rows) || !ok(m.cols) || !ok(m.wordsPerRow)) {
    throw new RangeError(`${fn}: ${name} must have non-negative integer rows, cols and wordsPerRow, got ${m.rows}, ${m.cols}, ${m.wordsPerRow}`);
  }
  if (m.wordsPerRow < Math.ceil(m.cols / 32)) {
    throw new RangeError(`${fn}: ${name}.wordsPerRow ${m.wordsPerRow} is less than ⌈cols/32⌉ = ${Math.ceil(m.cols / 32)}`);
  }
  if (m.words.length < m.rows * m.wordsPerRow) {
    throw new RangeError(`${fn}: ${name}.words has ${m.words.length} words, rows·wordsPerRow needs ${m.rows * m.wordsPerRow}`);
  }
}

/** Throws RangeError unless `x` is an integer ≥ `min`. */
export function checkInt(fn: string, name: string, x: number, min: number): void {
  if (!Number.isInteger(x) || x < min) throw new RangeError(`${fn}: ${name} must be an integer ≥ ${min}, got ${x}`);
}

/** Throws RangeError unless `values.length === expected`. */
export function checkLength(fn: string, name: string, length: number, expected: number): void {
  if (length !== expected) throw new RangeError(`${fn}: ${name} must have ${expected} elements, got ${length}`);
}

/** Throws RangeError unless every plane is a consistent packed matrix of the same shape as the first. */
export function checkPlanes(fn: string, name: string, planes: readonly PackedBinaryMatrix[]): void {
  const first = planes[0];
  planes.forEach((p, i) => {
    checkPacked(fn, `${name}[${i}]`, p);
    if (p.rows !== first!.rows || p.cols !== first!.cols) throw new RangeError(`${fn}: ${name}[${i}] is ${p.rows}×${p.cols}, ${name}[0] is ${first!.rows}×${first!.cols}`);
  });
}
