/**
 * Per-output-channel float transform `y = f32(C)·scale + bias` (float32 multiply, then float32 add), e.g. the
 * XNOR-Net scale α with a folded batch norm.
 */
export interface ScaleBiasTransform {
  readonly kind: 'scale-bias';
  readonly scale: Float32Array;
  readonly bias: Float32Array;
}

/**
 * Per-output-channel binarization straight into packed bits (the next binary layer's input):
 * bit = `(C < threshold) XOR flip`, bit 1 meaning −1. Build it with {@link thresholdTransform}.
 */
export interface ThresholdTransform {
  readonly kind: 'threshold';
  readonly threshold: Int32Array;
  /** 1 where the comparison is inverted (negative scale), else 0. */
  readonly flip: Uint8Array;
}

/** An output transform fused after a GEMM or convolution. */
export type OutputTransform = ScaleBiasTransform | ThresholdTransform;

/** Batch-norm parameters per channel (inference form). */
export interface BatchNormParams {
  readonly gamma: ArrayLike<number>;
  readonly beta: ArrayLike<number>;
  readonly mean: ArrayLike<number>;
  readonly variance: ArrayLike<number>;
  /** @default 1e-3 (Keras/Larq) */
  readonly epsilon?: number;
}

/** A per-channel affine map `y = scale·C + bias` in float64. */
export interface AffineMap {
  readonly scale: Float64Array;
  readonly bias: Float64Array;
}

/**
 * Builds a {@link ScaleBiasTransform} (values are rounded to float32).
 *
 * @param scale - one multiplier per output channel
 * @param bias - one offset per output channel
 * @returns the transform
 * @throws RangeError when the lengths differ or are 0
 */
export function scaleBiasTransform(scale: ArrayLike<number>, bias: ArrayLike<number>): ScaleBiasTransform {
  checkChannels('scaleBiasTransform', scale.length, bias.length);
  return { kind: 'scale-bias', scale: Float32Array.from(scale), bias: Float32Array.from(bias) };
}

/**
 * Folds a batch norm that follows `y = preScale·C + preBias` into one affine map:
 * `BN(y) = scale·C + bias` with `scale = γ·preScale/√(σ²+ε)` and `bias = γ·(preBias − μ)/√(σ²+ε) + β`.
 *
 * @param bn - batch-norm parameters, one entry per channel
 * @param preScale - per-channel (or one) scale applied to the integer result first @default 1
 * @param preBias - per-channel (or one) bias added before the batch norm @default 0
 * @returns the folded map in float64
 * @throws RangeError when the parameter lengths differ, or a variance + ε is not positive
 */
export function foldBatchNorm(bn: BatchNormParams, preScale: number | ArrayLike<number> = 1, preBias: number | ArrayLike<number> = 0): AffineMap {
  const n = bn.gamma.length;
  for (const [name, arr] of [['beta', bn.beta], ['mean', bn.mean], ['variance', bn.variance]] as const) {
    if (arr.length !== n) throw new RangeError(`foldBatchNorm: ${name} has ${arr.length} entries, gamma has ${n}`);
  }
  const at = (v: number | ArrayLike<number>, name: string, i: number): number => {
    if (typeof v === 'number') return v;
    if (v.length !== n) throw new RangeError(`foldBatchNorm: ${name} has ${v.length} entries, gamma has ${n}`);
    return v[i]!;
  };
  const eps = bn.epsilon ?? 1e-3;
  const scale = new Float64Array(n);
  const bias = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = bn.variance[i]! + eps;
    if (!(v > 0)) throw new RangeError(`foldBatchNorm: variance[${i}] + epsilon must be positive, got ${v}`);
    const g = bn.gamma[i]! / Math.sqrt(v);
    scale[i] = g * at(preScale, 'preScale', i);
    bias[i] = g * (at(preBias, 'preBias', i) - bn.mean[i]!) + bn.beta[i]!;
  }
  return { scale, bias };
}

/**
 * Turns the sign of a per-channel affine map into an integer threshold: for every int32 C,
 * `(C < threshold) XOR flip` equals `scale·C + bias < 0` evaluated in float64 (so sign(0) = +1). The
 * threshold is found by rounding `−bias/scale` and then checked against the float64 expression, so the
 * equivalence is exact, not approximate. A zero or NaN scale gives a constant bit.
 *
 * @param scale - per-channel multiplier of the integer result
 * @param bias - per-channel offset
 * @returns the threshold transform
 * @throws RangeError when the lengths differ or are 0
 * @example
 * ```ts
 * const { scale, bias } = foldBatchNorm(bn, alpha);
 * const t = thresholdTransform(scale, bias); // the output bits feed the next binary convolution
 * ```
 */
export function thresholdTransform(scale: ArrayLike<number>, bias: ArrayLike<number>): ThresholdTransform {
  checkChannels('thresholdTransform', scale.length, bias.length);
  const n = scale.length;
  const threshold = new Int32Array(n);
  const flip = new Uint8Array(n);
  const LO = -(2 ** 31);
  const HI = 2 ** 31 - 1;
  for (let i = 0; i < n; i++) {
    const a = scale[i]!;
    const b = bias[i]!;
    const neg = (c: number): boolean => a * c + b < 0;
    if (!(a > 0 || a < 0) || !Number.isFinite(b)) {
      // constant: (C < LO) is false for every int32 C, so the bit is `flip`
      threshold[i] = LO;
      flip[i] = neg(0) ? 1 : 0;
      continue;
    }
    // a > 0: bit = C < T with T the smallest C where a·C + b ≥ 0; a < 0: bit = !(C < T), T the smallest C
    // where a·C + b < 0. In both cases `below(C)` is what (C < T) must say.
    const below = a > 0 ? neg : (c: number): boolean => !neg(c);
    const t0 = -b / a;
    let t = a > 0 ? Math.ceil(t0) : Math.floor(t0) + 1;
    if (t <= LO) t = LO;
    else if (t >= HI) t = HI;
    else {
      while (t > LO && !below(t - 1)) t--;
      while (t < HI && below(t)) t++;
    }
    threshold[i] = t;
    flip[i] = a > 0 ? 0 : 1;
  }
  return { kind: 'threshold', threshold, flip };
}

function checkChannels(fn: string, a: number, b: number): void {
  if (a === 0 || a !== b) throw new RangeError(`${fn}: scale and bias need the same positive length, got ${a} and ${b}`);
}

/** Throws RangeError unless the transform has one entry per output channel. */
export function checkTransform(fn: string, t: OutputTransform, channels: number): void {
  const [a, b] = t.kind === 'scale-bias' ? [t.scale.length, t.bias.length] : [t.threshold.length, t.flip.length];
  if (a !== channels || b !== channels) {
    throw new RangeError(`${fn}: the ${t.kind} transform has ${a}/${b} entries, expected one per output channel (${channels})`);
  }
}
