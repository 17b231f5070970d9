// BatchNorm training as one forward and one backward kernel (optionally with the ReLU after it). The broadcasting
// BatchNorm of batch-norm.ts runs about 15 element-wise and reduction kernels per layer and step (moments, sub,
// mul, add forward; their gradients and per-channel sums backward): about a fifth of a ResNet-20 training step on
// wasm (benchmarks/src/profile/tfjs-step-profile.ts). Here the forward reads x twice (statistics, then y) and the
// backward reads x, dy (and y for the ReLU mask) twice, over the backend's own memory: in WebAssembly SIMD on the
// wasm heap when the channel count is a multiple of 4 (assembly/batch-norm.ts: float32 lanes over blocks of 16 rows
// into float64 totals), in plain loops otherwise and on the cpu backend's arrays (float64 sums). Every value is
// shifted by its channel's first value, so E[x²] − E[x]² does not cancel when |mean| ≫ std.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelBackend, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { type BackendMemory, backendMemory } from './backend-memory.ts';
import { type WasmTrainingModule, wasmTrainingModule } from './wasm-training-module.ts';

/** Forward kernel: inputs x, gamma, beta; attrs eps, relu; outputs y, batch mean, biased batch variance. */
const FORWARD = 'QpBatchNormTrain';
/** Backward kernel: inputs dy, x, gamma, y, variance; attrs eps, relu; outputs dx, dγ, dβ. */
const BACKWARD = 'QpBatchNormTrainGrad';

/** The backends with a fused BatchNorm implementation. */
export type FusedBatchNormBackend = 'wasm' | 'cpu';

interface Attrs {
  readonly eps: number;
  /** max(y, 0) after the normalisation, and the matching mask on dy. */
  readonly relu: boolean;
}

// The loops walk 4 channels at a time down the rows (stride C) with their sums in local variables, then the
// remaining channels one at a time: sums kept in a Float64Array cost a load and a store per value, which made the
// statistics pass 3× slower (Node 20, 1M values, C = 16). The rows go in blocks of about BLOCK values, so that the
// C/4 walks over a block read it from cache (0–20 % faster than whole-tensor walks, most at C = 64).

/** Values per block: 16 KiB per array. */
const BLOCK = 4096;

/** Calls `f(start, end)` for consecutive blocks of whole rows of C values covering [0, n). */
function forBlocks(n: number, c: number, f: (start: number, end: number) => void): void {
  const step = c * Math.max(1, Math.floor(BLOCK / c));
  for (let start = 0; start < n; start += step) f(start, Math.min(n, start + step));
}

/** a[j..j+3] += v0..v3. */
function add4(a: Float64Array, j: number, v0: number, v1: number, v2: number, v3: number): void {
  a[j] = a[j]! + v0;
  a[j + 1] = a[j + 1]! + v1;
  a[j + 2] = a[j + 2]! + v2;
  a[j + 3] = a[j + 3]! + v3;
}

/** Adds Σ(x − k) and Σ(x − k)² over x[start, end) (rows of C) per channel, with k = `shift`. */
function shiftedSums(x: Float32Array, start: number, end: number, shift: Float64Array, sum: Float64Array, sumSq: Float64Array): void {
  const c = shift.length;
  let j = 0;
  for (; j + 4 <= c; j += 4) {
    const [k0, k1, k2, k3] = [shift[j]!, shift[j + 1]!, shift[j + 2]!, shift[j + 3]!];
    let [s0, s1, s2, s3, q0, q1, q2, q3] = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let i = start + j; i < end; i += c) {
      const d0 = x[i]! - k0;
      const d1 = x[i + 1]! - k1;
      const d2 = x[i + 2]! - k2;
      const d3 = x[i + 3]! - k3;
      s0 += d0;
      s1 += d1;
      s2 += d2;
      s3 += d3;
      q0 += d0 * d0;
      q1 += d1 * d1;
      q2 += d2 * d2;
      q3 += d3 * d3;
    }
    add4(sum, j, s0, s1, s2, s3);
    add4(sumSq, j, q0, q1, q2, q3);
  }
  for (; j < c; j++) {
    const k = shift[j]!;
    let [s0, q0] = [0, 0];
    for (let i = start + j; i < end; i += c) {
      const d = x[i]! - k;
      s0 += d;
      q0 += d * d;
    }
    sum[j] = sum[j]! + s0;
    sumSq[j] = sumSq[j]! + q0;
  }
}

/**
 * y = (x − k)·a + b per channel over [start, end), k = `shift`, then max(·, 0) when `relu` ((v + |v|)/2: exact,
 * branch-free, +0 for v ≤ 0).
 */
function affine(x: Float32Array, start: number, end: number, shift: Float64Array, a: Float64Array, b: Float64Array, relu: boolean, y: Float32Array): void {
  const c = a.length;
  let j = 0;
  for (; j + 4 <= c; j += 4) {
    const [k0, k1, k2, k3] = [shift[j]!, shift[j + 1]!, shift[j + 2]!, shift[j + 3]!];
    const [a0, a1, a2, a3, b0, b1, b2, b3] = [a[j]!, a[j + 1]!, a[j + 2]!, a[j + 3]!, b[j]!, b[j + 1]!, b[j + 2]!, b[j + 3]!];
    for (let i = start + j; i < end; i += c) {
      const v0 = (x[i]! - k0) * a0 + b0;
      const v1 = (x[i + 1]! - k1) * a1 + b1;
      const v2 = (x[i + 2]! - k2) * a2 + b2;
      const v3 = (x[i + 3]! - k3) * a3 + b3;
      y[i] = relu ? (v0 + Math.abs(v0)) * 0.5 : v0;
      y[i + 1] = relu ? (v1 + Math.abs(v1)) * 0.5 : v1;
      y[i + 2] = relu ? (v2 + Math.abs(v2)) * 0.5 : v2;
      y[i + 3] = relu ? (v3 + Math.abs(v3)) * 0.5 : v3;
    }
  }
  for (; j < c; j++) {
    const [k0, a0, b0] = [shift[j]!, a[j]!, b[j]!];
    for (let i = start + j; i < end; i += c) {
      const v = (x[i]! - k0) * a0 + b0;
      y[i] = relu ? (v + Math.abs(v)) * 0.5 : v;
    }
  }
}

/**
 * g = dy·[y > 0] (the gradient through the fused ReLU), from y's bits: y ≥ +0 after the fused ReLU, so y > 0 ⇔
 * bits > 0 ⇔ (0 − bits) >>> 31 = 1 (0 − bits, not −bits: −0 is not an int32). A ternary `y > 0 ? dy : 0`
 * mispredicts on half the values and took twice as long.
 */
function reluMask(dy: Float32Array, yBits: Int32Array, g: Float32Array): void {
  for (let i = 0; i < g.length; i++) g[i] = dy[i]! * ((0 - yBits[i]!) >>> 31);
}

/** Adds, per channel over [start, end): Σ(x − k), Σg and Σg·(x − k), with k = `shift`. */
function gradientSums(g: Float32Array, x: Float32Array, start: number, end: number, shift: Float64Array, sums: { x: Float64Array; g: Float64Array; gx: Float64Array }): void {
  const c = shift.length;
  let j = 0;
  for (; j + 4 <= c; j += 4) {
    const [k0, k1, k2, k3] = [shift[j]!, shift[j + 1]!, shift[j + 2]!, shift[j + 3]!];
    let [x0, x1, x2, x3, g0, g1, g2, g3, h0, h1, h2, h3] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    for (let i = start + j; i < end; i += c) {
      const e0 = g[i]!;
      const e1 = g[i + 1]!;
      const e2 = g[i + 2]!;
      const e3 = g[i + 3]!;
      const d0 = x[i]! - k0;
      const d1 = x[i + 1]! - k1;
      const d2 = x[i + 2]! - k2;
      const d3 = x[i + 3]! - k3;
      x0 += d0;
      x1 += d1;
      x2 += d2;
      x3 += d3;
      g0 += e0;
      g1 += e1;
      g2 += e2;
      g3 += e3;
      h0 += e0 * d0;
      h1 += e1 * d1;
      h2 += e2 * d2;
      h3 += e3 * d3;
    }
    add4(sums.x, j, x0, x1, x2, x3);
    add4(sums.g, j, g0, g1, g2, g3);
    add4(sums.gx, j, h0, h1, h2, h3);
  }
  for (; j < c; j++) {
    const k = shift[j]!;
    let [x0, g0, h0] = [0, 0, 0];
    for (let i = start + j; i < end; i += c) {
      const e = g[i]!;
      const d = x[i]! - k;
      x0 += d;
      g0 += e;
      h0 += e * d;
    }
    sums.x[j] = sums.x[j]! + x0;
    sums.g[j] = sums.g[j]! + g0;
    sums.gx[j] = sums.gx[j]! + h0;
  }
}

/** dx = s·g + p·(x − k) + q per channel over [start, end), k = `shift` (dx may be g). */
function inputGradient(g: Float32Array, x: Float32Array, start: number, end: number, shift: Float64Array, co: GradCoefficients, dx: Float32Array): void {
  const { s, p, q } = co;
  const c = s.length;
  let j = 0;
  for (; j + 4 <= c; j += 4) {
    const [k0, k1, k2, k3, s0, s1, s2, s3] = [shift[j]!, shift[j + 1]!, shift[j + 2]!, shift[j + 3]!, s[j]!, s[j + 1]!, s[j + 2]!, s[j + 3]!];
    const [p0, p1, p2, p3, q0, q1, q2, q3] = [p[j]!, p[j + 1]!, p[j + 2]!, p[j + 3]!, q[j]!, q[j + 1]!, q[j + 2]!, q[j + 3]!];
    for (let i = start + j; i < end; i += c) {
      dx[i] = s0 * g[i]! + p0 * (x[i]! - k0) + q0;
      dx[i + 1] = s1 * g[i + 1]! + p1 * (x[i + 1]! - k1) + q1;
      dx[i + 2] = s2 * g[i + 2]! + p2 * (x[i + 2]! - k2) + q2;
      dx[i + 3] = s3 * g[i + 3]! + p3 * (x[i + 3]! - k3) + q3;
    }
  }
  for (; j < c; j++) {
    const [k0, s0, p0, q0] = [shift[j]!, s[j]!, p[j]!, q[j]!];
    for (let i = start + j; i < end; i += c) dx[i] = s0 * g[i]! + p0 * (x[i]! - k0) + q0;
  }
}

/** y = d·a + b with d = x − k: the forward's per-channel coefficients. */
interface AffineCoefficients {
  readonly a: Float64Array;
  readonly b: Float64Array;
}

/**
 * Mean and biased variance (written to `mean`, `variance`) and the affine coefficients, per channel, from the
 * shifted sums Σd and Σd² (d = x − k) over m rows: a = γ/√(σ² + ε), b = β − a·Σd/m.
 */
function affineCoefficients(shift: ArrayLike<number>, sum: ArrayLike<number>, sumSq: ArrayLike<number>, m: number, gamma: Float32Array, beta: Float32Array, eps: number, mean: Float32Array, variance: Float32Array): AffineCoefficients {
  const c = gamma.length;
  const a = new Float64Array(c);
  const b = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const d = sum[j]! / m;
    mean[j] = shift[j]! + d;
    variance[j] = Math.max(0, sumSq[j]! / m - d * d);
    a[j] = gamma[j]! / Math.sqrt(variance[j]! + eps);
    b[j] = beta[j]! - d * a[j]!;
  }
  return { a, b };
}

/** dx = s·g + p·d + q with d = x − k: the backward's per-channel coefficients. */
interface GradCoefficients {
  readonly s: Float64Array;
  readonly p: Float64Array;
  readonly q: Float64Array;
}

/**
 * dγ and dβ (written to `dGamma`, `dBeta`) and the input-gradient coefficients, per channel, from Σd, Σg and Σg·d
 * over m rows. With x̂ = (x − μ)/√(σ² + ε) and x − μ = d − Σd/m: dβ = Σg, dγ = Σg·x̂,
 * dx = s·(g − dβ/m − x̂·dγ/m) with s = γ/√(σ² + ε), i.e. p = −s·dγ/(m·√(σ² + ε)) and q = −s·dβ/m − p·Σd/m.
 */
function gradCoefficients(sumD: ArrayLike<number>, sumG: ArrayLike<number>, sumGD: ArrayLike<number>, m: number, gamma: Float32Array, variance: Float32Array, eps: number, dGamma: Float32Array, dBeta: Float32Array): GradCoefficients {
  const c = gamma.length;
  const s = new Float64Array(c);
  const p = new Float64Array(c);
  const q = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const inv = 1 / Math.sqrt(variance[j]! + eps);
    const d = sumD[j]! / m;
    const sumGXhat = (sumGD[j]! - d * sumG[j]!) * inv;
    dBeta[j] = sumG[j]!;
    dGamma[j] = sumGXhat;
    s[j] = gamma[j]! * inv;
    p[j] = (-s[j]! * inv * sumGXhat) / m;
    q[j] = (-s[j]! * sumG[j]!) / m - d * p[j]!;
  }
  return { s, p, q };
}

/**
 * Batch statistics and the normalised output of `x` read as [n/C, C]: mean and biased variance (float64 sums of
 * x − x[c], written as float32), then y = (x − μ)·γ/√(σ² + ε) + β, clamped at 0 when `relu`.
 */
function forward(x: Float32Array, gamma: Float32Array, beta: Float32Array, attrs: Attrs, y: Float32Array, mean: Float32Array, variance: Float32Array): void {
  const c = gamma.length;
  const shift = Float64Array.from(x.subarray(0, c));
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  forBlocks(x.length, c, (start, end) => shiftedSums(x, start, end, shift, sum, sumSq));
  const { a, b } = affineCoefficients(shift, sum, sumSq, x.length / c, gamma, beta, attrs.eps, mean, variance);
  forBlocks(x.length, c, (start, end) => affine(x, start, end, shift, a, b, attrs.relu, y));
}

/**
 * Gradients of {@link forward} with respect to x, γ and β (mean and variance count as constants: they only feed
 * the running statistics), with g = dy masked by y > 0 when `relu` (see {@link gradCoefficients}). μ is summed
 * again here, in float64 as in the forward: the float32 μ would shift x̂ by up to ulp(μ)/2σ, which is large when
 * |μ| ≫ σ.
 */
function backward(dy: Float32Array, x: Float32Array, gamma: Float32Array, y: Float32Array, variance: Float32Array, attrs: Attrs, dx: Float32Array, dGamma: Float32Array, dBeta: Float32Array): void {
  const c = gamma.length;
  let g = dy;
  if (attrs.relu) {
    reluMask(dy, new Int32Array(y.buffer, y.byteOffset, y.length), dx); // dx holds g until the last pass
    g = dx;
  }
  const shift = Float64Array.from(x.subarray(0, c));
  const sums = { x: new Float64Array(c), g: new Float64Array(c), gx: new Float64Array(c) };
  forBlocks(x.length, c, (start, end) => gradientSums(g, x, start, end, shift, sums));
  const co = gradCoefficients(sums.x, sums.g, sums.gx, x.length / c, gamma, variance, attrs.eps, dGamma, dBeta);
  forBlocks(x.length, c, (start, end) => inputGradient(g, x, start, end, shift, co, dx));
}

/**
 * Scratch on the wasm heap for the SIMD passes: `sums` float64 values, then `coefficients` float32 values (8-byte
 * aligned whatever the allocator's alignment). `free()` returns it.
 */
function wasmScratch(wasm: WasmTrainingModule, sums: number, coefficients: number) {
  const buffer = wasm.scratch(2 * sums + coefficients + 1);
  const sumsAt = (buffer.at + 7) & ~7;
  const coefficientsAt = sumsAt + 8 * sums;
  return {
    sumsAt,
    coefficientsAt,
    /** Views of the sums and coefficients (take them after every allocation). */
    views(): { sums: Float64Array; coefficients: Float32Array } {
      const heap = buffer.view().buffer;
      return { sums: new Float64Array(heap, sumsAt, sums), coefficients: new Float32Array(heap, coefficientsAt, coefficients) };
    },
    free: buffer.free,
  };
}

/** {@link forward} as the SIMD passes of assembly/batch-norm.ts on the wasm heap (c a multiple of 4). */
function forwardWasm(backend: KernelBackend, mem: BackendMemory, x: TensorInfo, gamma: TensorInfo, beta: TensorInfo, attrs: Attrs, [y, mean, variance]: readonly TensorInfo[]): void {
  const wasm = wasmTrainingModule(backend);
  const c = gamma.shape[0]!;
  const m = mem.view(x).length / c;
  const scratch = wasmScratch(wasm, 2 * c, 2 * c);
  wasm.kernels.batchNormStats(wasm.offset(x), m, c, scratch.sumsAt);
  const { sums, coefficients } = scratch.views();
  const { a, b } = affineCoefficients(mem.view(x), sums, sums.subarray(c), m, mem.view(gamma), mem.view(beta), attrs.eps, mem.view(mean!), mem.view(variance!));
  coefficients.set(a);
  coefficients.set(b, c);
  wasm.kernels.batchNormAffine(wasm.offset(x), m, c, scratch.coefficientsAt, scratch.coefficientsAt + 4 * c, attrs.relu ? 1 : 0, wasm.offset(y!));
  scratch.free();
}

/** {@link backward} as the SIMD passes of assembly/batch-norm.ts on the wasm heap (c a multiple of 4). */
function backwardWasm(backend: KernelBackend, mem: BackendMemory, dy: TensorInfo, x: TensorInfo, gamma: TensorInfo, y: TensorInfo, variance: TensorInfo, attrs: Attrs, [dx, dGamma, dBeta]: readonly TensorInfo[]): void {
  const wasm = wasmTrainingModule(backend);
  const c = gamma.shape[0]!;
  const m = mem.view(x).length / c;
  const scratch = wasmScratch(wasm, 3 * c, 3 * c);
  const [xAt, dxAt] = [wasm.offset(x), wasm.offset(dx!)];
  wasm.kernels.batchNormGradSums(wasm.offset(dy), wasm.offset(y), attrs.relu ? 1 : 0, xAt, m, c, dxAt, scratch.sumsAt);
  const { sums, coefficients } = scratch.views();
  const co = gradCoefficients(sums, sums.subarray(c), sums.subarray(2 * c), m, mem.view(gamma), mem.view(variance), attrs.eps, mem.view(dGamma!), mem.view(dBeta!));
  coefficients.set(co.s);
  coefficients.set(co.p, c);
  coefficients.set(co.q, 2 * c);
  const at = scratch.coefficientsAt;
  wasm.kernels.batchNormInputGrad(attrs.relu ? dxAt : wasm.offset(dy), xAt, m, c, at, at + 4 * c, at + 8 * c, dxAt);
  scratch.free();
}

/** Whether the SIMD passes serve this call: the wasm backend and a channel count that is a multiple of 4. */
const useSimd = (name: FusedBatchNormBackend, c: number): boolean => name === 'wasm' && c % 4 === 0;

function forwardKernel(name: FusedBatchNormBackend): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
    const mem = backendMemory(name, backend as KernelBackend);
    const c = gamma.shape[0]!;
    const outs = [mem.alloc([...x.shape]), mem.alloc([c]), mem.alloc([c])] as const;
    if (useSimd(name, c)) {
      forwardWasm(backend as KernelBackend, mem, x, gamma, beta, attrs as unknown as Attrs, outs);
    } else {
      // views only after every allocation: growing the wasm heap detaches earlier views
      forward(mem.view(x), mem.view(gamma), mem.view(beta), attrs as unknown as Attrs, mem.view(outs[0]), mem.view(outs[1]), mem.view(outs[2]));
    }
    return [...outs];
  };
}

function backwardKernel(name: FusedBatchNormBackend): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, x, gamma, y, variance } = inputs as Record<'dy' | 'x' | 'gamma' | 'y' | 'variance', TensorInfo>;
    const mem = backendMemory(name, backend as KernelBackend);
    const c = gamma.shape[0]!;
    const outs = [mem.alloc([...x.shape]), mem.alloc([c]), mem.alloc([c])] as const;
    if (useSimd(name, c)) {
      backwardWasm(backend as KernelBackend, mem, dy, x, gamma, y, variance, attrs as unknown as Attrs, outs);
    } else {
      const v = mem.view;
      backward(v(dy), v(x), v(gamma), v(y), v(variance), attrs as unknown as Attrs, v(outs[0]), v(outs[1]), v(outs[2]));
    }
    return [...outs];
  };
}

const gradient: GradConfig = {
  kernelName: FORWARD,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [true, false, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy] = dys as tf.Tensor[];
    const [x, gamma, y, variance] = saved;
    const [dx, dGamma, dBeta] = tf.engine().runKernel(BACKWARD, { dy: dy!, x: x!, gamma: gamma!, y: y!, variance: variance! }, attrs as NamedAttrMap) as tf.Tensor[];
    return { x: () => dx!, gamma: () => dGamma!, beta: () => dBeta! };
  },
};

/** Backends whose fused kernels this module registered. */
const registered = new Set<FusedBatchNormBackend>();

/**
 * Registers the fused BatchNorm training kernels (forward and backward) for `backend`, and their gradient.
 * `batchNorm` uses them in training mode whenever they are registered for the active backend.
 * Registering twice is a no-op.
 *
 * @param backend - `'wasm'` or `'cpu'`
 * @throws RangeError for another backend name; Error when that backend's kernels are not registered (import
 *   @tensorflow/tfjs-backend-wasm or -cpu first)
 * @example
 * ```ts
 * await import('@tensorflow/tfjs-backend-cpu');
 * registerFusedBatchNormKernels('cpu');
 * ```
 */
export function registerFusedBatchNormKernels(backend: FusedBatchNormBackend): void {
  if (backend !== 'wasm' && backend !== 'cpu') throw new RangeError(`registerFusedBatchNormKernels: backend must be 'wasm' or 'cpu', got ${JSON.stringify(backend)}`);
  if (registered.has(backend)) return;
  if (!tf.getKernel('Reshape', backend)) {
    throw new Error(`registerFusedBatchNormKernels: import @tensorflow/tfjs-backend-${backend} first (no ${backend} kernels are registered)`);
  }
  tf.registerKernel({ kernelName: FORWARD, backendName: backend, kernelFunc: forwardKernel(backend) });
  tf.registerKernel({ kernelName: BACKWARD, backendName: backend, kernelFunc: backwardKernel(backend) });
  if (registered.size === 0) tf.registerGradient(gradient);
  registered.add(backend);
}

/**
 * Removes the kernels of {@link registerFusedBatchNormKernels} for `backend` (and the gradient with the last
 * backend); `batchNorm` falls back to its broadcasting ops. No-op when not registered.
 *
 * @param backend - `'wasm'` or `'cpu'`
 */
export function unregisterFusedBatchNormKernels(backend: FusedBatchNormBackend): void {
  if (!registered.delete(backend)) return;
  tf.unregisterKernel(FORWARD, backend);
  tf.unregisterKernel(BACKWARD, backend);
  if (registered.size === 0) tf.unregisterGradient(FORWARD);
}

/** Whether {@link fusedBatchNormTrain} can run on `x` on the active backend (float32, kernels registered). */
export function hasFusedBatchNorm(x: tf.Tensor): boolean {
  return x.dtype === 'float32' && x.rank >= 2 && tf.getKernel(FORWARD, tf.getBackend()) !== undefined;
}

/**
 * BatchNorm in training mode over the last axis of `x` as one kernel: batch mean μ and biased variance σ²,
 * y = (x − μ)·γ/√(σ² + ε) + β, then max(y, 0) when `relu`. Differentiable with respect to x, γ and β (one
 * backward kernel); μ and σ² are returned for the running statistics and are not differentiated.
 *
 * @param x - float32 activations, rank ≥ 2, channels last (`[N, H, W, C]` or `[N, C]`)
 * @param gamma - γ, `[C]`
 * @param beta - β, `[C]`
 * @param eps - ε added to σ²
 * @param relu - fuse a ReLU after the normalisation
 * @returns y (shape of x), μ and σ² (`[C]`)
 * @throws RangeError when the shapes disagree; Error when the kernels are not registered for the active backend
 *   (check {@link hasFusedBatchNorm})
 */
export function fusedBatchNormTrain(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number, relu: boolean): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const c = x.shape[x.rank - 1];
  if (x.rank < 2 || gamma.shape[0] !== c || beta.shape[0] !== c) {
    throw new RangeError(`fusedBatchNormTrain: x must be [..., C] with rank ≥ 2 and gamma, beta [C], got [${x.shape.join(', ')}], [${gamma.shape.join(', ')}], [${beta.shape.join(', ')}]`);
  }
  const [y, mean, variance] = tf.engine().runKernel(FORWARD, { x, gamma, beta }, { eps, relu }) as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
  return { y, mean, variance };
}
