/** Throws `RangeError("<fn>: bits must be an integer in [1, 8], got <bits>")` unless 1 ≤ bits ≤ 8. */
export function checkBits(fn: string, bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > 8) throw new RangeError(`${fn}: bits must be an integer in [1, 8], got ${bits}`);
}

/** Rounds `n` up to a multiple of `to`. */
export function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Number of elements of a shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
