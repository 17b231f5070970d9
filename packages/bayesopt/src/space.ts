// Search spaces: named continuous, integer and categorical dimensions, and their encodings. Two encodings are used
// internally: the "unit" encoding (one coordinate in [0, 1) per dimension, used to draw designs and candidates) and
// the "feature" encoding the Gaussian process sees (continuous/integer → [0, 1], categorical → one-hot).

/** A value of one parameter. */
export type ParameterValue = number | string | boolean;

/** A point of a search space: one value per dimension name. */
export type Point = Readonly<Record<string, ParameterValue>>;

/** A real-valued dimension in [lower, upper]; with `log: true` it is searched on a log scale (lower > 0). */
export interface ContinuousDimension {
  readonly type: 'continuous';
  readonly lower: number;
  readonly upper: number;
  /** @default false */
  readonly log?: boolean | undefined;
}

/** An integer dimension in [lower, upper] (both integers); with `log: true` searched on a log scale (lower ≥ 1). */
export interface IntegerDimension {
  readonly type: 'integer';
  readonly lower: number;
  readonly upper: number;
  /** @default false */
  readonly log?: boolean | undefined;
}

/** An unordered choice among a non-empty list of distinct values. */
export interface CategoricalDimension {
  readonly type: 'categorical';
  readonly choices: readonly ParameterValue[];
}

/** One dimension of a {@link SearchSpace}. */
export type Dimension = ContinuousDimension | IntegerDimension | CategoricalDimension;

/** A search space: dimension name → dimension. Dimensions are ordered as `Object.keys` orders the names. */
export type SearchSpace = Readonly<Record<string, Dimension>>;

/**
 * Checks a search space and returns it frozen with its dimensions in a fixed order.
 *
 * @param space - the space to check
 * @param caller - the public function name used at the start of error messages
 * @returns the dimension names in encoding order
 * @throws RangeError naming the offending dimension and value (lower ≥ upper, empty categorical, …)
 * @example
 * ```ts
 * validateSpace({ x: { type: 'continuous', lower: 0, upper: 1 } }); // ['x']
 * ```
 */
export function validateSpace(space: SearchSpace, caller = 'validateSpace'): string[] {
  if (space === null || typeof space !== 'object' || Array.isArray(space)) {
    throw new TypeError(`${caller}: space must be an object mapping names to dimensions, got ${String(space)}`);
  }
  const names = Object.keys(space);
  if (names.length === 0) throw new RangeError(`${caller}: space must have at least one dimension, got {}`);
  for (const name of names) {
    const d = space[name]!;
    const where = `space.${name}`;
    if (d === null || typeof d !== 'object') throw new TypeError(`${caller}: ${where} must be a dimension object, got ${String(d)}`);
    if (d.type === 'categorical') {
      if (!Array.isArray(d.choices) || d.choices.length === 0) {
        throw new RangeError(`${caller}: ${where}.choices must be a non-empty array, got ${JSON.stringify(d.choices)}`);
      }
      if (new Set(d.choices).size !== d.choices.length) {
        throw new RangeError(`${caller}: ${where}.choices must be distinct, got ${JSON.stringify(d.choices)}`);
      }
      for (const c of d.choices) {
        if (!['string', 'number', 'boolean'].includes(typeof c) || (typeof c === 'number' && !Number.isFinite(c))) {
          throw new RangeError(`${caller}: ${where}.choices must hold strings, finite numbers or booleans, got ${String(c)}`);
        }
      }
    } else if (d.type === 'continuous' || d.type === 'integer') {
      const { lower, upper } = d;
      if (typeof lower !== 'number' || !Number.isFinite(lower)) throw new RangeError(`${caller}: ${where}.lower must be a finite number, got ${String(lower)}`);
      if (typeof upper !== 'number' || !Number.isFinite(upper)) throw new RangeError(`${caller}: ${where}.upper must be a finite number, got ${String(upper)}`);
      if (!(lower < upper)) throw new RangeError(`${caller}: ${where}.lower must be < upper, got lower=${lower}, upper=${upper}`);
      if (d.type === 'integer' && (!Number.isInteger(lower) || !Number.isInteger(upper))) {
        throw new RangeError(`${caller}: ${where} bounds must be integers, got lower=${lower}, upper=${upper}`);
      }
      if (d.log && !(lower > 0)) throw new RangeError(`${caller}: ${where}.lower must be > 0 on a log scale, got ${lower}`);
    } else {
      throw new RangeError(`${caller}: ${where}.type must be 'continuous', 'integer' or 'categorical', got ${String((d as { type?: unknown }).type)}`);
    }
  }
  return names;
}

/** A validated space with its encodings (internal to the optimizer, exported for tests and advanced use). */
export class EncodedSpace {
  /** The space as given. */
  readonly space: SearchSpace;
  /** Dimension names in encoding order. */
  readonly names: readonly string[];
  /** Number of dimensions (length of the unit encoding). */
  readonly size: number;
  /** Number of GP input features (categoricals count one per choice). */
  readonly featureSize: number;
  /** Feature offset of each dimension. */
  readonly offsets: readonly number[];
  /** Feature indices of continuous dimensions (the ones refined by gradient steps). */
  readonly continuousFeatures: readonly number[];

  /**
   * @param space - the search space
   * @param caller - the public function name used in error messages
   * @throws RangeError if the space is invalid (see {@link validateSpace})
   */
  constructor(space: SearchSpace, caller = 'EncodedSpace') {
    this.names = validateSpace(space, caller);
    this.space = space;
    this.size = this.names.length;
    const offsets: number[] = [];
    const cont: number[] = [];
    let f = 0;
    for (const name of this.names) {
      const d = space[name]!;
      offsets.push(f);
      if (d.type === 'categorical') f += d.choices.length;
      else {
        if (d.type === 'continuous') cont.push(f);
        f += 1;
      }
    }
    this.featureSize = f;
    this.offsets = offsets;
    this.continuousFeatures = cont;
  }

  /**
   * Maps a point of [0, 1)^size to a point of the space (integers and categories uniformly by stratum).
   *
   * @param u - unit coordinates, one per dimension
   * @returns the point
   */
  fromUnit(u: ArrayLike<number>): Point {
    const p: Record<string, ParameterValue> = {};
    for (let j = 0; j < this.size; j++) {
      const name = this.names[j]!;
      const d = this.space[name]!;
      const t = Math.min(Math.max(u[j]!, 0), 1);
      if (d.type === 'categorical') p[name] = d.choices[Math.min(d.choices.length - 1, Math.floor(t * d.choices.length))]!;
      else if (d.type === 'continuous') p[name] = scaleFromUnit(d, t);
      else if (d.log) p[name] = Math.min(d.upper, Math.max(d.lower, Math.round(scaleFromUnit(d, t))));
      else p[name] = Math.min(d.upper, d.lower + Math.floor(t * (d.upper - d.lower + 1)));
    }
    return p;
  }

  /**
   * Writes the GP features of a point.
   *
   * @param p - a valid point (see {@link EncodedSpace.checkPoint})
   * @param out - receives `featureSize` values starting at `offset`
   * @param offset - first index written
   */
  toFeatures(p: Point, out: Float64Array, offset = 0): void {
    for (let j = 0; j < this.size; j++) {
      const name = this.names[j]!;
      const d = this.space[name]!;
      const o = offset + this.offsets[j]!;
      const v = p[name]!;
      if (d.type === 'categorical') {
        for (let k = 0; k < d.choices.length; k++) out[o + k] = d.choices[k] === v ? 1 : 0;
      } else {
        out[o] = scaleToUnit(d, v as number);
      }
    }
  }

  /**
   * The point nearest to a feature vector (continuous values clipped, integers rounded, categories by arg-max).
   *
   * @param f - `featureSize` values
   * @param offset - index of the first feature in `f`
   * @returns the point
   */
  fromFeatures(f: ArrayLike<number>, offset = 0): Point {
    const p: Record<string, ParameterValue> = {};
    for (let j = 0; j < this.size; j++) {
      const name = this.names[j]!;
      const d = this.space[name]!;
      const o = offset + this.offsets[j]!;
      if (d.type === 'categorical') {
        let best = 0;
        for (let k = 1; k < d.choices.length; k++) if (f[o + k]! > f[o + best]!) best = k;
        p[name] = d.choices[best]!;
      } else {
        const v = scaleFromUnit(d, Math.min(Math.max(f[o]!, 0), 1));
        p[name] = d.type === 'integer' ? Math.min(d.upper, Math.max(d.lower, Math.round(v))) : Math.min(d.upper, Math.max(d.lower, v));
      }
    }
    return p;
  }

  /**
   * Checks that a point has a valid value for every dimension.
   *
   * @param p - the point
   * @param caller - the public function name used in error messages
   * @returns a copy holding exactly the space's names, in encoding order
   * @throws RangeError naming the dimension and the value when a value is missing, out of bounds or not a choice
   */
  checkPoint(p: Point, caller: string): Point {
    if (p === null || typeof p !== 'object') throw new TypeError(`${caller}: point must be an object, got ${String(p)}`);
    const out: Record<string, ParameterValue> = {};
    for (const name of this.names) {
      const d = this.space[name]!;
      const v = p[name];
      if (d.type === 'categorical') {
        if (v === undefined || !d.choices.includes(v)) {
          throw new RangeError(`${caller}: ${name} must be one of ${JSON.stringify(d.choices)}, got ${JSON.stringify(v)}`);
        }
      } else if (typeof v !== 'number' || !Number.isFinite(v) || v < d.lower || v > d.upper || (d.type === 'integer' && !Number.isInteger(v))) {
        throw new RangeError(`${caller}: ${name} must be ${d.type === 'integer' ? 'an integer' : 'a number'} in [${d.lower}, ${d.upper}], got ${JSON.stringify(v)}`);
      }
      out[name] = v;
    }
    return out;
  }
}

function scaleToUnit(d: ContinuousDimension | IntegerDimension, v: number): number {
  if (d.log) return (Math.log(v) - Math.log(d.lower)) / (Math.log(d.upper) - Math.log(d.lower));
  return (v - d.lower) / (d.upper - d.lower);
}

function scaleFromUnit(d: ContinuousDimension | IntegerDimension, t: number): number {
  if (t <= 0) return d.lower; // exact bounds, not exp(log(lower)) ≠ lower
  if (t >= 1) return d.upper;
  const v = d.log
    ? Math.exp(Math.log(d.lower) + t * (Math.log(d.upper) - Math.log(d.lower)))
    : d.lower + t * (d.upper - d.lower);
  return Math.min(d.upper, Math.max(d.lower, v));
}
