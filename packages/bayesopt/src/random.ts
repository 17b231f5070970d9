// Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna, https://prng.di.unimi.it/) seeded through
// splitmix32, so a run is reproducible from one integer and its state is four uint32 values that survive JSON.

/** The four 32-bit words of a {@link Random} generator, as plain numbers so that they survive `JSON.stringify`. */
export type RandomState = readonly [number, number, number, number];

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/**
 * A small, fast, seeded generator (xoshiro128**). Not cryptographic.
 *
 * @example
 * ```ts
 * const rng = new Random(42);
 * rng.next(); // a float in [0, 1), the same on every run and platform
 * ```
 */
export class Random {
  #s0 = 0;
  #s1 = 0;
  #s2 = 0;
  #s3 = 0;

  /**
   * @param seed - any finite number; non-integers and negatives are hashed, so every seed is usable
   * @throws RangeError if `seed` is not finite
   */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Random: seed must be a finite number, got ${String(seed)}`);
    // splitmix32 over the low and high words of the seed fills the state; it never yields all zeros in practice,
    // and an all-zero state (the one forbidden state) is patched below.
    let h = (Math.trunc(seed) ^ Math.imul(Math.trunc(seed / 4294967296), 0x9e3779b1)) >>> 0;
    const frac = seed - Math.trunc(seed);
    if (frac !== 0) h = (h ^ Math.imul(Math.floor(frac * 4294967296), 0x85ebca6b)) >>> 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      h = (h + 0x9e3779b9) | 0;
      let z = h;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      words.push((z ^ (z >>> 15)) >>> 0);
    }
    this.#set(words[0]!, words[1]!, words[2]!, words[3]!);
  }

  /**
   * A generator that continues exactly where the one that produced `state` stopped.
   *
   * @param state - from {@link Random.state}
   * @returns the restored generator
   * @throws RangeError if `state` is not four uint32 values
   */
  static fromState(state: RandomState): Random {
    if (!Array.isArray(state) || state.length !== 4 || !state.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
      throw new RangeError(`Random.fromState: state must be four uint32 values, got ${JSON.stringify(state)}`);
    }
    const r = new Random(0);
    r.#set(state[0], state[1], state[2], state[3]);
    return r;
  }

  #set(a: number, b: number, c: number, d: number): void {
    this.#s0 = a >>> 0;
    this.#s1 = b >>> 0;
    this.#s2 = c >>> 0;
    this.#s3 = d >>> 0;
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /** @returns the generator state (copy), for JSON checkpoints */
  state(): RandomState {
    return [this.#s0, this.#s1, this.#s2, this.#s3];
  }

  /** @returns a uniformly distributed unsigned 32-bit integer */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#s1, 5), 7), 9) >>> 0;
    const t = this.#s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    this.#s0 >>>= 0;
    this.#s1 >>>= 0;
    this.#s2 >>>= 0;
    this.#s3 >>>= 0;
    return result;
  }

  /** @returns a float in [0, 1) with 53 random bits */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * @param n - exclusive upper bound, an integer ≥ 1
   * @returns an integer in [0, n)
   */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.next() * n));
  }

  /** @returns a standard normal variate (Box–Muller, one value per call) */
  normal(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}
