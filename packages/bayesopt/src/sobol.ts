// Sobol low-discrepancy sequence (Gray-code order, Antonov–Saleev) with Joe–Kuo direction numbers, optionally
// scrambled by a random linear matrix scramble plus a digital shift (Matoušek 1998; the scheme scipy.stats.qmc
// uses), which keeps the net property while removing the point at the origin.
import { JOE_KUO_ROWS } from './internal/joe-kuo.ts';
import type { Random } from './random.ts';

/** Largest dimension supported by {@link SobolSequence} (rows available in the bundled Joe–Kuo table). */
export const SOBOL_MAX_DIMENSION: number = JOE_KUO_ROWS.length + 1;

const BITS = 32;

/** Options of {@link SobolSequence}. */
export interface SobolOptions {
  /** Scramble with this generator (linear matrix scramble + digital shift). Omit for the plain sequence. */
  readonly rng?: Random | undefined;
}

function popcountParity(v: number): number {
  v ^= v >>> 16;
  v ^= v >>> 8;
  v ^= v >>> 4;
  v ^= v >>> 2;
  v ^= v >>> 1;
  return v & 1;
}

/** Direction numbers v_1 … v_32 of one dimension, scaled by 2^32 (v_k = m_k · 2^(32−k)). */
function directionNumbers(dim: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (dim === 0) {
    for (let k = 0; k < BITS; k++) v[k] = 2 ** (BITS - 1 - k);
    return v;
  }
  const row = JOE_KUO_ROWS[dim - 1]!;
  const s = row[0]!;
  const a = row[1]!;
  for (let k = 0; k < s && k < BITS; k++) v[k] = (row[2 + k]! * 2 ** (BITS - 1 - k)) >>> 0;
  // Recurrence of Bratley & Fox (1988): v_i = v_{i−s} ⊕ (v_{i−s} ≫ s) ⊕ ⊕_{k=1}^{s−1} a_k v_{i−k}.
  for (let i = s; i < BITS; i++) {
    let x = v[i - s]! ^ (v[i - s]! >>> s);
    for (let k = 1; k < s; k++) if ((a >>> (s - 1 - k)) & 1) x ^= v[i - k]!;
    v[i] = x >>> 0;
  }
  return v;
}

/**
 * A (possibly scrambled) Sobol sequence in [0, 1)^dimension, generated point by point.
 *
 * @example
 * ```ts
 * const s = new SobolSequence(2);
 * s.next(); s.next(); // Float64Array [0, 0], then [0.5, 0.5]
 * ```
 */
export class SobolSequence {
  /** Number of coordinates of each point. */
  readonly dimension: number;
  readonly #v: Uint32Array;
  readonly #shift: Uint32Array;
  readonly #x: Uint32Array;
  #index = 0;

  /**
   * @param dimension - an integer in [1, {@link SOBOL_MAX_DIMENSION}]
   * @param options - pass `rng` to scramble
   * @throws RangeError if `dimension` is out of range
   */
  constructor(dimension: number, options: SobolOptions = {}) {
    if (!Number.isInteger(dimension) || dimension < 1 || dimension > SOBOL_MAX_DIMENSION) {
      throw new RangeError(`SobolSequence: dimension must be an integer in [1, ${SOBOL_MAX_DIMENSION}], got ${dimension}`);
    }
    this.dimension = dimension;
    this.#v = new Uint32Array(dimension * BITS);
    this.#shift = new Uint32Array(dimension);
    this.#x = new Uint32Array(dimension);
    const rng = options.rng;
    for (let j = 0; j < dimension; j++) {
      const v = directionNumbers(j);
      if (rng) {
        // Lower-triangular random bit matrix with unit diagonal: output digit r (bit 31−r) is the parity of the
        // input digits c ≤ r selected by row r. Digits are most-significant first.
        const rows = new Uint32Array(BITS);
        for (let r = 0; r < BITS; r++) {
          const above = r === 0 ? 0 : (rng.nextUint32() & ~((2 ** (BITS - r)) - 1)) >>> 0; // random bits for c < r
          rows[r] = (above | 2 ** (BITS - 1 - r)) >>> 0;
        }
        for (let k = 0; k < BITS; k++) {
          let out = 0;
          for (let r = 0; r < BITS; r++) if (popcountParity(v[k]! & rows[r]!)) out |= 2 ** (BITS - 1 - r);
          v[k] = out >>> 0;
        }
        this.#shift[j] = rng.nextUint32();
      }
      this.#v.set(v, j * BITS);
    }
  }

  /** @returns the next point (a fresh array); the first point of the unscrambled sequence is the origin */
  next(): Float64Array {
    const out = new Float64Array(this.dimension);
    if (this.#index > 0) {
      // Gray code: point i differs from point i−1 by the direction number of the lowest zero bit of i−1.
      let c = 0;
      let i = this.#index - 1;
      while (i & 1) {
        i >>>= 1;
        c++;
      }
      if (c >= BITS) throw new RangeError('SobolSequence.next: more than 2^32 points requested');
      for (let j = 0; j < this.dimension; j++) this.#x[j] = this.#x[j]! ^ this.#v[j * BITS + c]!;
    }
    for (let j = 0; j < this.dimension; j++) out[j] = ((this.#x[j]! ^ this.#shift[j]!) >>> 0) / 4294967296;
    this.#index++;
    return out;
  }
}

/**
 * The first `n` points of a Sobol sequence.
 *
 * @param n - number of points (integer ≥ 0)
 * @param dimension - an integer in [1, {@link SOBOL_MAX_DIMENSION}]
 * @param options - pass `rng` to scramble
 * @returns `n` points in [0, 1)^dimension
 * @throws RangeError if `n` or `dimension` is invalid
 * @example
 * ```ts
 * sobolPoints(4, 2); // [0,0], [0.5,0.5], [0.75,0.25], [0.25,0.75]
 * ```
 */
export function sobolPoints(n: number, dimension: number, options: SobolOptions = {}): Float64Array[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`sobolPoints: n must be an integer ≥ 0, got ${n}`);
  const seq = new SobolSequence(dimension, options);
  const out: Float64Array[] = [];
  for (let i = 0; i < n; i++) out.push(seq.next());
  return out;
}
