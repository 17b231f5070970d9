// Argument checks shared by every quantizer. Messages follow the house style:
// `<function>: <argument> <constraint>, got <value>`.

/** Throws a RangeError unless `bits` is an integer in [min, max]. */
export function checkBits(fn: string, bits: number, min: number, max: number): void {
  if (!Number.isInteger(bits) || bits < min || bits > max) {
    throw new RangeError(`${fn}: bits must be an integer in [${min}, ${max}], got ${String(bits)}`);
  }
}

/** Throws a RangeError when `x` has no element. */
export function checkNonEmpty(fn: string, name: string, x: ArrayLike<number>): void {
  if (x.length === 0) throw new RangeError(`${fn}: ${name} must not be empty, got length 0`);
}

/** Throws a RangeError at the first NaN in `x` (index and value named in the message). */
export function checkNoNaN(fn: string, name: string, x: ArrayLike<number>): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v !== v) throw new RangeError(`${fn}: ${name} must not contain NaN, got NaN at index ${i}`);
  }
}

/** Throws a RangeError at the first non-finite value (NaN or ±Infinity) in `x`. */
export function checkFinite(fn: string, name: string, x: ArrayLike<number>): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`${fn}: ${name} must be finite, got ${String(v)} at index ${i}`);
  }
}

/** Throws a RangeError unless `a` has `expected` elements; `why` says where the count comes from. */
export function checkLength(fn: string, name: string, a: ArrayLike<number>, expected: number, why: string): void {
  if (a.length !== expected) {
    throw new RangeError(`${fn}: ${name} must have ${expected} elements (${why}), got ${a.length}`);
  }
}

/**
 * Validates `clipValue` and returns α as float32 (1 when absent), the value a TF.js scalar holds.
 *
 * @param fn - the calling function, for messages
 * @param variant - the activation variant (α belongs to 'clip')
 * @param clipValue - the option as given
 * @returns α
 * @throws RangeError when α is not finite and > 0, or is given with 'tanh'
 */
export function checkClipValue(fn: string, variant: string, clipValue: number | undefined): number {
  if (clipValue === undefined) return 1;
  if (variant !== 'clip') throw new RangeError(`${fn}: clipValue applies to the 'clip' variant only, got variant '${variant}'`);
  if (!(clipValue > 0 && Number.isFinite(clipValue))) throw new RangeError(`${fn}: clipValue must be finite and > 0, got ${clipValue}`);
  return Math.fround(clipValue);
}
