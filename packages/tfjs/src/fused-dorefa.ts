// DoReFa quantizers as one forward and one backward kernel each. steDoReFaWeights / steDoReFaActivations
// (@quantprune/quantizers/tfjs) run Tanh and about 10 more TF.js ops forward and 12 backward per quantized tensor;
// on a ResNet-20 DoReFa W2A2 training step on wasm, Tanh alone was 9 % of the kernel time. Here plain loops read
// and write the backend's own memory (the cpu backend's arrays, the wasm heap); on wasm the element-wise passes of
// the tanh-normalised kernels run in WebAssembly SIMD instead (assembly/dorefa-tanh.ts, the same steps, with tanh
// in float32 lanes within 3 ulp).
//
// The tanh-normalised forward evaluates no tanh per element. Its code is a non-decreasing function of x:
// t = fround(Math.tanh(x)) is (fdlibm's error, < 1 ulp of a float64, is far below the change of tanh between
// neighbouring float32 inputs; checked for all 1.09·10^9 float32 values in [0, 10], and t is odd), and so is every
// float32 step after it. So the first float32 x of each code is found by bisection over the ordered float32 values
// (32 Math.tanh calls per code boundary), each element's code is a branch-free count of the boundaries at or below
// it, and max|t| = fround(Math.tanh(max|x|)). The values are bit-identical to the core quantizers and to the stock
// ops on the cpu backend, whose Tanh is fround(Math.tanh). wasm's Tanh (musl tanhf) differs from it by 1–2 ulp in
// about 30 % of values (1M uniform values in [−1, 1]); that moves a code where t lies within 2 ulp of a rounding
// boundary (rare: none in the random tensors of the tests; x = −0.80471897 at 2 bits is one), and there the fused
// kernels follow the core, the stock wasm ops do not.
//
// The backward needs t per element; the loops evaluate tanh in float64 (a table of 2^(j/32) and a degree-5 polynomial for
// expm1, relative error < 10^−12, 2× faster than Math.tanh here), rounds it to float32 and follows the stock ops'
// float32 steps (only Σ dy·t is summed in float64), so the gradient is the one autodiff of the stock ops gives
// within float32 rounding — including ties at the max, all-zero, tiny and NaN inputs.
import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc, KernelBackend, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { type BackendMemory, backendMemory } from './backend-memory.ts';
import { wasmTrainingModule } from './wasm-training-module.ts';
import { DOREFA_BITS, doReFaActivationLevels, doReFaWeightLevels, MIN_NORMAL_F32 } from '@quantprune/quantizers';

/** Tanh-normalised forward (weights, 'tanh' activations): input x; attr bits; outputs y and M = max|tanh(x)|. */
const TANH = 'QpDoReFaTanh';
/** Its backward: inputs dy, x, m (= M); output dx. */
const TANH_GRAD = 'QpDoReFaTanhGrad';
/** Clipped activations forward: input x; attrs bits, clipValue; output y. */
const CLIP = 'QpDoReFaClip';
/** Its backward: inputs dy, x; attr clipValue; output dx. */
const CLIP_GRAD = 'QpDoReFaClipGrad';

/** The backends with fused DoReFa kernels. */
export type FusedDoReFaBackend = 'wasm' | 'cpu';

/** Whether the backend's ClipByValue keeps −0 (cpu) or returns +0 (wasm): the one stock-kernel difference the clip kernel reproduces. */
const SIGNED_ZERO: Record<FusedDoReFaBackend, boolean> = { wasm: false, cpu: true };

const f32 = Math.fround;

/** Round half to even, as tf.round but +0 for −0 (Math.floor(s + 0.5) is exact for a float32 s; Math.round is 3× slower here). */
function roundHalfEven(s: number): number {
  const r = Math.floor(s + 0.5);
  return r - s === 0.5 && (r & 1) === 1 ? r - 1 : r;
}

/** max|x| over the whole tensor; NaN when x holds a NaN. Four running maxima (one made the loop 1.7× slower). */
function maxAbs(x: Float32Array): number {
  let [m0, m1, m2, m3] = [0, 0, 0, 0];
  const end = x.length & ~3;
  let i = 0;
  for (; i < end; i += 4) {
    m0 = Math.max(m0, Math.abs(x[i]!));
    m1 = Math.max(m1, Math.abs(x[i + 1]!));
    m2 = Math.max(m2, Math.abs(x[i + 2]!));
    m3 = Math.max(m3, Math.abs(x[i + 3]!));
  }
  for (; i < x.length; i++) m0 = Math.max(m0, Math.abs(x[i]!));
  return Math.max(m0, m1, m2, m3);
}

/** The float32 tanh of the cpu backend and the core quantizers. */
const tanh32 = (x: number): number => f32(Math.tanh(x));

const bits32 = new Float32Array(1);
const word32 = new Int32Array(bits32.buffer);

/** A float32 as an integer in the same order (−0 and +0 both 0); ±∞ are ∓/± 0x7f800000. */
function orderKey(v: number): number {
  bits32[0] = v;
  const w = word32[0]!;
  return w >= 0 ? w : -(w & 0x7fffffff);
}

/** The float32 of an {@link orderKey}. */
function fromOrderKey(k: number): number {
  word32[0] = k >= 0 ? k : -k | 0x80000000;
  return bits32[0]!;
}

/** The smallest float32 x in [lo, +∞] with `pred(x)`, for a predicate false below some x and true from there on (+∞ when none). */
function firstTrue(lo: number, pred: (x: number) => boolean): number {
  let a = orderKey(lo) - 1; // pred false at a (or a is below the range)
  let b = 0x7f800000; // +∞
  if (!pred(Infinity)) return Infinity;
  while (b - a > 1) {
    const mid = a + Math.floor((b - a) / 2);
    if (pred(fromOrderKey(mid))) b = mid;
    else a = mid;
  }
  return fromOrderKey(b);
}

/** The code k of t: round(n·(t/d + 1/2)) in the stock ops' float32 steps (d = 2·max(M, 2^−126)). */
function tanhCode(t: number, d: number, n: number): number {
  return roundHalfEven(f32(f32(f32(t / d) + 0.5) * n));
}

/** The levels and code boundaries of the tanh-normalised quantizer for M = max|tanh(x)| (not NaN). */
interface TanhCodes {
  readonly levels: Float32Array;
  /** bounds[k] = the first float32 x of code ≥ k (k = 1..n); bounds[0] is never read. */
  readonly bounds: Float64Array;
}

function tanhCodes(bigM: number, bits: number): TanhCodes {
  const d = 2 * Math.max(bigM, MIN_NORMAL_F32);
  const levels = doReFaWeightLevels(bits);
  const n = levels.length - 1;
  const bounds = new Float64Array(n + 1);
  for (let k = 1; k <= n; k++) bounds[k] = firstTrue(k === 1 ? -Infinity : bounds[k - 1]!, (v) => tanhCode(tanh32(v), d, n) >= k);
  return { levels, bounds };
}

/**
 * y = (2k − n)/n with k = round(n·(t/(2·max(M, 2^−126)) + 1/2)), t = tanh(x), M = max|t|, in the stock ops' float32
 * steps. k is counted as the number of code boundaries at or below x (see the file comment); writes M to `m`.
 */
function tanhForward(x: Float32Array, bits: number, y: Float32Array, m: Float32Array): void {
  const mx = maxAbs(x);
  if (mx !== mx) {
    m[0] = NaN;
    y.fill(NaN); // a NaN anywhere makes the max, and so every output, NaN
    return;
  }
  m[0] = tanh32(mx);
  const { levels, bounds } = tanhCodes(m[0]!, bits);
  if (bounds.length <= 4) codesUpTo3(x, bounds[1]!, bounds[2] ?? NaN, bounds[3] ?? NaN, levels, y);
  else codes(x, bounds, levels, y);
}

/** y = levels[number of bounds ≤ x] for 1 or 3 bounds (NaN pads: v ≥ NaN is false), without branches. */
function codesUpTo3(x: Float32Array, b1: number, b2: number, b3: number, levels: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    y[i] = levels[+(v >= b1) + +(v >= b2) + +(v >= b3)]!;
  }
}

/** y = levels[number of bounds ≤ x] by a branch-free binary search (2^bits codes; bounds[0] unused). 2× slower than {@link codesUpTo3}. */
function codes(x: Float32Array, bounds: Float64Array, levels: Float32Array, y: Float32Array): void {
  const top = bounds.length >> 1;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    let k = 0;
    for (let step = top; step > 0; step >>= 1) k += step * +(v >= bounds[k + step]!);
    y[i] = levels[k]!;
  }
}

/** tanh64's table: EXP2[j + EXP2_OFFSET] = 2^(−j/32) for |j| ≤ 32·60 (2^±60 covers e^±40). */
const EXP2_OFFSET = 32 * 60;
const EXP2 = Float64Array.from({ length: 2 * EXP2_OFFSET + 1 }, (_, i) => 2 ** (-(i - EXP2_OFFSET) / 32));
const LN2_32 = Math.LN2 / 32;
const INV_LN2_32 = 32 / Math.LN2;

/**
 * tanh(v) in float64, relative error < 10^−12: expm1(−2v) = s·(e^−r − 1) + (s − 1) with 2v = j·ln2/32 + r,
 * |r| ≤ ln2/64, s = 2^(−j/32) from a table and e^−r − 1 by its Taylor polynomial to r^5; then
 * tanh(v) = −expm1(−2v)/(2 + expm1(−2v)). No cancellation for small |v| (j = 0: s − 1 = 0); ±∞ give ±1.
 */
function tanh64(v: number): number {
  const z = Math.max(-40, Math.min(2 * v, 40)); // tanh(±20) = ±1 in float64
  const j = Math.floor(z * INV_LN2_32 + 0.5);
  const r = z - j * LN2_32;
  const r2 = r * r;
  const s = EXP2[j + EXP2_OFFSET]!;
  const em1 = s * (r * (-1 + r / 2 + r2 * (-1 / 6 + r / 24 - r2 / 120))) + (s - 1);
  return -em1 / (2 + em1);
}

/**
 * dx of {@link tanhForward} as autodiff of steDoReFaWeights gives it, with g = 2·dy (the straight-through round)
 * and d = 2·max(M, 2^−126):
 *   dx = (g/d + ∂M·[|t| = M]·step(t)) · (1 − t²),  ∂M = −2·Σ(g·t)/d² · [M ≥ 2^−126]
 * where step(t) = 1 for t > 0, else −1 (tf.abs' gradient), every element equal to the max gets the whole ∂M
 * (tf.max's), and the floor takes none (tf.maximum's). |t| = M exactly where |x| ≥ the first float32 with
 * tanh = M. ∂M follows the stock float32 steps: d² underflows to 0 for M < 2^−76 and an all-zero input gives 0/0,
 * so ∂M is ±∞ or NaN and, as in the stock ops (∞·0 = NaN), so is every dx. The element-wise steps are rounded to
 * float32 as in the stock ops (1 − t² in float32 is off by up to 6·10^−8 where t is near ±1); float64 would make the
 * loop 25 % faster, but the BatchNorm backward of a ResNet amplifies such differences to ~10^−5 in some weight
 * gradients (wasm-kernels.test.ts).
 */
function tanhBackward(dy: Float32Array, x: Float32Array, bigM: number, dx: Float32Array): void {
  if (bigM !== bigM) {
    dx.fill(NaN);
    return;
  }
  const d = 2 * Math.max(bigM, MIN_NORMAL_F32);
  const atMax = firstTrue(0, (v) => tanh32(v) >= bigM);
  let sum = 0; // Σ dy·t
  const ties: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const g = dy[i]!;
    const v = x[i]!;
    const t = tanh64(v);
    sum += g * t;
    const t32 = f32(t);
    dx[i] = f32(f32(2 * g) / d) * f32(1 - f32(t32 * t32));
    if (Math.abs(v) >= atMax) ties.push(i);
  }
  const dMax = maxGradient(sum, bigM, d);
  if (dMax === 0) return;
  if (!Number.isFinite(dMax)) {
    nonFiniteMaxGradient(dy, x, d, dMax, atMax, dx);
    return;
  }
  const w = f32(1 - f32(bigM * bigM)); // where |t| = M
  for (const i of ties) dx[i] = f32(f32(f32(2 * dy[i]!) / d) + (x[i]! > 0 ? dMax : -dMax)) * w;
}

/** ∂M = −2·Σ(g·t)/d² · [M ≥ 2^−126] with g = 2·dy, in the stock ops' float32 steps (see {@link tanhBackward}). */
function maxGradient(sum: number, bigM: number, d: number): number {
  return f32(2 * -f32(f32(2 * sum) / f32(d * d))) * (bigM >= MIN_NORMAL_F32 ? 1 : 0);
}

/** dx when ∂M is ±∞ or NaN (M < 2^−76, all-zero input): every element gets ∞·0 or ∞·w, as in the stock ops. */
function nonFiniteMaxGradient(dy: Float32Array, x: Float32Array, d: number, dMax: number, atMax: number, dx: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const t32 = f32(tanh64(v));
    dx[i] = f32(f32(f32(2 * dy[i]!) / d) + dMax * (Math.abs(v) >= atMax ? 1 : 0) * (v > 0 ? 1 : -1)) * f32(1 - f32(t32 * t32));
  }
}

/** The largest code count the SIMD forward takes (bits ≤ 4); more codes use {@link codes}. */
const SIMD_MAX_BOUNDS = 15;

/** {@link tanhForward} with the element-wise passes in WebAssembly SIMD on the wasm heap. */
function tanhForwardWasm(backend: KernelBackend, mem: BackendMemory, x: TensorInfo, bits: number, y: TensorInfo, m: TensorInfo): void {
  const wasm = wasmTrainingModule(backend);
  const size = mem.view(x).length;
  const mx = wasm.kernels.maxAbs(wasm.offset(x), size);
  if (mx !== mx) {
    mem.view(m)[0] = NaN;
    mem.view(y).fill(NaN);
    return;
  }
  const bigM = tanh32(mx);
  mem.view(m)[0] = bigM;
  const { levels, bounds } = tanhCodes(bigM, bits);
  const count = bounds.length - 1;
  if (count > SIMD_MAX_BOUNDS) {
    codes(mem.view(x), bounds, levels, mem.view(y));
    return;
  }
  const table = wasm.scratch(2 * count + 1); // bounds, then levels
  const view = table.view();
  view.set(bounds.subarray(1));
  view.set(levels, count);
  wasm.kernels.doReFaCodes(wasm.offset(x), size, table.at, table.at + 4 * count, count, wasm.offset(y));
  table.free();
}

/** {@link tanhBackward} with the element-wise passes in WebAssembly SIMD on the wasm heap. */
function tanhBackwardWasm(backend: KernelBackend, mem: BackendMemory, dy: TensorInfo, x: TensorInfo, bigM: number, dx: TensorInfo): void {
  if (bigM !== bigM) {
    mem.view(dx).fill(NaN);
    return;
  }
  const wasm = wasmTrainingModule(backend);
  const size = mem.view(x).length;
  const d = 2 * Math.max(bigM, MIN_NORMAL_F32);
  const sum = wasm.kernels.doReFaTanhGrad(wasm.offset(dy), wasm.offset(x), size, d, wasm.offset(dx));
  const dMax = maxGradient(sum, bigM, d);
  if (dMax === 0) return;
  const atMax = firstTrue(0, (v) => tanh32(v) >= bigM);
  if (Number.isFinite(dMax)) {
    wasm.kernels.doReFaTanhTies(wasm.offset(dy), wasm.offset(x), size, atMax, dMax, d, f32(1 - f32(bigM * bigM)), wasm.offset(dx));
  } else {
    nonFiniteMaxGradient(mem.view(dy), mem.view(x), d, dMax, atMax, mem.view(dx));
  }
}

/**
 * y = α·round(n·clip(x/α, 0, 1))/n (α = 1 skips the division and the product, as steDoReFaActivations does), NaN
 * kept (keepNaN). The cpu backend's ClipByValue returns −0 for −0 (`signedZero`), wasm's clamp +0.
 */
function clipForward(x: Float32Array, bits: number, alpha: number, signedZero: boolean, y: Float32Array): void {
  const unit = doReFaActivationLevels(bits);
  const n = unit.length - 1;
  const levels = alpha === 1 ? unit : unit.map((l) => l * alpha); // float32 products, as the core's level table
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v !== v) {
      y[i] = v;
      continue;
    }
    const u = alpha === 1 ? v : f32(v / alpha);
    const c = u > 1 ? 1 : u < 0 ? 0 : u;
    y[i] = c === 0 && signedZero ? c : levels[roundHalfEven(f32(c * n))]!;
  }
}

/** dx = dy·[0 ≤ x ∧ x/α ≤ 1] as a product (∞·0 = NaN, as tf.mul). */
function clipBackward(dy: Float32Array, x: Float32Array, alpha: number, dx: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    dx[i] = dy[i]! * (v >= 0 && (alpha === 1 ? v : f32(v / alpha)) <= 1 ? 1 : 0);
  }
}

interface TanhAttrs {
  readonly bits: number;
}
interface ClipAttrs {
  readonly bits: number;
  readonly clipValue: number;
}

function kernels(name: FusedDoReFaBackend): Record<typeof TANH | typeof TANH_GRAD | typeof CLIP | typeof CLIP_GRAD, KernelFunc> {
  return {
    [TANH]: ({ inputs, backend, attrs }) => {
      const mem = backendMemory(name, backend as KernelBackend);
      const { x } = inputs as { x: TensorInfo };
      const { bits } = attrs as unknown as TanhAttrs;
      const y = mem.alloc([...x.shape]);
      const m = mem.alloc([]);
      // views only after every allocation: growing the wasm heap detaches earlier views
      if (name === 'wasm') tanhForwardWasm(backend as KernelBackend, mem, x, bits, y, m);
      else tanhForward(mem.view(x), bits, mem.view(y), mem.view(m));
      return [y, m];
    },
    [TANH_GRAD]: ({ inputs, backend }) => {
      const mem = backendMemory(name, backend as KernelBackend);
      const { dy, x, m } = inputs as Record<'dy' | 'x' | 'm', TensorInfo>;
      const dx = mem.alloc([...x.shape]);
      if (name === 'wasm') tanhBackwardWasm(backend as KernelBackend, mem, dy, x, mem.view(m)[0]!, dx);
      else tanhBackward(mem.view(dy), mem.view(x), mem.view(m)[0]!, mem.view(dx));
      return dx;
    },
    [CLIP]: ({ inputs, backend, attrs }) => {
      const mem = backendMemory(name, backend as KernelBackend);
      const { x } = inputs as { x: TensorInfo };
      const { bits, clipValue } = attrs as unknown as ClipAttrs;
      const y = mem.alloc([...x.shape]);
      clipForward(mem.view(x), bits, clipValue, SIGNED_ZERO[name], mem.view(y));
      return y;
    },
    [CLIP_GRAD]: ({ inputs, backend, attrs }) => {
      const mem = backendMemory(name, backend as KernelBackend);
      const { dy, x } = inputs as Record<'dy' | 'x', TensorInfo>;
      const dx = mem.alloc([...x.shape]);
      clipBackward(mem.view(dy), mem.view(x), (attrs as unknown as ClipAttrs).clipValue, mem.view(dx));
      return dx;
    },
  };
}

/**
 * Registers the fused DoReFa kernels (tanh-normalised and clipped, forward and backward) for `backend`.
 * {@link fusedDoReFa} needs them; `compileGraph`'s `dorefa` quantizers use them whenever they are registered for
 * the active backend. Registering twice is a no-op. Nothing is registered on import.
 *
 * @param backend - `'wasm'` or `'cpu'`
 * @throws RangeError for another backend name; Error when that backend is not registered (import
 *   @tensorflow/tfjs-backend-wasm or -cpu first)
 * @example
 * ```ts
 * await import('@tensorflow/tfjs-backend-wasm');
 * registerFusedDoReFaKernels('wasm');
 * ```
 */
export function registerFusedDoReFaKernels(backend: FusedDoReFaBackend): void {
  if (backend !== 'wasm' && backend !== 'cpu') throw new RangeError(`registerFusedDoReFaKernels: backend must be 'wasm' or 'cpu', got ${JSON.stringify(backend)}`);
  if (tf.getKernel(TANH, backend)) return;
  if (!tf.findBackendFactory(backend)) throw new Error(`registerFusedDoReFaKernels: import @tensorflow/tfjs-backend-${backend} first (no ${backend} backend is registered)`);
  for (const [kernelName, kernelFunc] of Object.entries(kernels(backend))) tf.registerKernel({ kernelName, backendName: backend, kernelFunc });
}

/**
 * Removes the kernels of {@link registerFusedDoReFaKernels} for `backend`; the `dorefa` quantizers of
 * `compileGraph` fall back to the straight-through TF.js ops. No-op when not registered.
 *
 * @param backend - `'wasm'` or `'cpu'`
 */
export function unregisterFusedDoReFaKernels(backend: FusedDoReFaBackend): void {
  if (!tf.getKernel(TANH, backend)) return;
  for (const kernelName of [TANH, TANH_GRAD, CLIP, CLIP_GRAD]) tf.unregisterKernel(kernelName, backend);
}

/** Whether the fused DoReFa kernels are registered for the active backend (then {@link fusedDoReFa} runs). */
export function hasFusedDoReFaKernels(): boolean {
  return tf.getKernel(TANH, tf.getBackend()) !== undefined;
}

/** Options of {@link fusedDoReFa}. */
export interface FusedDoReFaOptions {
  /** Bit-width k in [1, 8]. */
  readonly bits: number;
  /** The weight quantizer (steDoReFaWeights); `variant` and `clipValue` must then be absent. @default false */
  readonly weights?: boolean;
  /** Activations: `'clip'` α·round_k(clip(x/α, 0, 1)) or `'tanh'` (the weight formula). @default 'clip' */
  readonly variant?: 'clip' | 'tanh';
  /** `'clip'` only: α, finite and > 0 (rounded to float32). @default 1 */
  readonly clipValue?: number;
}

/**
 * DoReFa k-bit quantization of `x` with a straight-through round, as one kernel forward and one backward: the
 * values of quantizeDoReFaWeights (`weights: true`) or quantizeDoReFaActivations bit for bit, which are those of
 * steDoReFaWeights / steDoReFaActivations on the cpu backend (on wasm too, except where wasm's Tanh, 1–2 ulp off,
 * moves a code), and the gradient autodiff of the ste ops gives, within float32 rounding. Differentiable with
 * respect to x. NaN inputs give what the ste ops give.
 *
 * @param x - float32, any shape, not empty
 * @param options - `bits`, and `weights` or the activation `variant` and `clipValue`
 * @returns the quantized tensor (shape of x)
 * @throws RangeError for a bad bit-width, variant or clip value, an empty or non-float32 tensor; Error when the
 *   kernels are not registered for the active backend (see {@link hasFusedDoReFaKernels})
 * @example
 * ```ts
 * registerFusedDoReFaKernels('cpu');
 * fusedDoReFa(tf.tensor1d([0.05, -0.4, 1.2]), { bits: 2, weights: true }); // [0.3333333, -0.3333333, 1]
 * ```
 */
export function fusedDoReFa<T extends Tensor>(x: T, options: FusedDoReFaOptions): T {
  const fn = 'fusedDoReFa';
  const { bits, weights = false, variant = weights ? 'tanh' : 'clip', clipValue } = options;
  if (!Number.isInteger(bits) || bits < DOREFA_BITS.min || bits > DOREFA_BITS.max) {
    throw new RangeError(`${fn}: bits must be an integer in [${DOREFA_BITS.min}, ${DOREFA_BITS.max}], got ${String(bits)}`);
  }
  if (variant !== 'clip' && variant !== 'tanh') throw new RangeError(`${fn}: variant must be 'clip' or 'tanh', got ${String(variant)}`);
  if (weights && (options.variant !== undefined || clipValue !== undefined)) throw new RangeError(`${fn}: weights takes no variant or clipValue, got variant ${String(options.variant)}, clipValue ${String(clipValue)}`);
  if (clipValue !== undefined && variant !== 'clip') throw new RangeError(`${fn}: clipValue applies to the 'clip' variant only, got variant '${variant}'`);
  if (clipValue !== undefined && !(clipValue > 0 && Number.isFinite(clipValue))) throw new RangeError(`${fn}: clipValue must be finite and > 0, got ${clipValue}`);
  if (x.size === 0) throw new RangeError(`${fn}: x must not be empty, got shape [${x.shape.join(', ')}]`);
  if (x.dtype !== 'float32') throw new RangeError(`${fn}: x must have dtype float32, got ${x.dtype}`);
  if (!hasFusedDoReFaKernels()) throw new Error(`${fn}: the fused DoReFa kernels are not registered for backend '${tf.getBackend()}' (call registerFusedDoReFaKernels)`);
  const engine = tf.engine();
  if (variant === 'tanh') {
    const attrs: NamedAttrMap = { bits };
    const op = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
      const v = args[0] as Tensor;
      const [y, m] = engine.runKernel(TANH, { x: v }, attrs) as Tensor[];
      (args[1] as GradSaveFunc)([v, m!]);
      return { value: y!, gradFunc: (dy: Tensor, [xs, ms]: Tensor[]) => engine.runKernel(TANH_GRAD, { dy, x: xs!, m: ms! }, {}) as Tensor };
    });
    return op(x) as T;
  }
  const attrs: NamedAttrMap = { bits, clipValue: f32(clipValue ?? 1) };
  const op = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const v = args[0] as Tensor;
    (args[1] as GradSaveFunc)([v]);
    return { value: engine.runKernel(CLIP, { x: v }, attrs) as Tensor, gradFunc: (dy: Tensor, [xs]: Tensor[]) => engine.runKernel(CLIP_GRAD, { dy, x: xs! }, attrs) as Tensor };
  });
  return op(x) as T;
}
