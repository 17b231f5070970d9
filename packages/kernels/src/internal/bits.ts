/** Number of set bits of a 32-bit integer (SWAR). */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Mask of the data bits of the last word of a `bits`-bit row segment (all ones when `bits` is a multiple of 32). */
export function lastWordMask(bits: number): number {
  const r = bits & 31;
  return r === 0 ? 0xffffffff : (1 << r) - 1;
}
