// The fused DoReFa kernels against the straight-through TF.js ops they replace (steDoReFaWeights /
// steDoReFaActivations on the same backend): forward bit for bit (on wasm, except where its Tanh is not the
// core's), gradients within float32 rounding, including ties at the max, saturated tanh, all-zero, tiny and NaN
// inputs; the core quantizers; the dispatch of compileGraph's dorefa quantizers; leaks and argument errors.
import * as tf from '@tensorflow/tfjs-core';
import { GraphBuilder, type Conv2dLayer, type QuantizerSpec } from '@quantprune/graph';
import { quantizeDoReFaActivations, quantizeDoReFaWeights } from '@quantprune/quantizers';
import { steDoReFaActivations, steDoReFaWeights } from '@quantprune/quantizers/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileGraph } from './compile.ts';
import { registerConvGradientKernels, unregisterConvGradientKernels } from './conv-gradients.ts';
import { fusedDoReFa, hasFusedDoReFaKernels, registerFusedDoReFaKernels, unregisterFusedDoReFaKernels, type FusedDoReFaOptions } from './fused-dorefa.ts';
import { BACKENDS, randomArray, relativeError, rng, useBackend } from './test-backends.ts';

/** Gradients: float32 outputs of float64 arithmetic here, of float32 ops there (sums in float32 on wasm). */
const GRAD_TOL = 1e-5;

type Quantizer = (x: tf.Tensor) => tf.Tensor;

/** One quantizer configuration: the stock op and the fused options that must match it. */
interface Case {
  readonly name: string;
  readonly stock: (bits: number) => Quantizer;
  readonly fused: (bits: number) => FusedDoReFaOptions;
  /** The core quantizer (Float32Array) of the same configuration. */
  readonly core: (x: Float32Array, bits: number) => Float32Array;
}

const CASES: readonly Case[] = [
  {
    name: 'weights',
    stock: (bits) => (x) => steDoReFaWeights(x, { bits }),
    fused: (bits) => ({ bits, weights: true }),
    core: (x, bits) => quantizeDoReFaWeights(x, { bits }).values,
  },
  {
    name: "activations 'tanh'",
    stock: (bits) => (x) => steDoReFaActivations(x, { bits, variant: 'tanh' }),
    fused: (bits) => ({ bits, variant: 'tanh' }),
    core: (x, bits) => quantizeDoReFaActivations(x, { bits, variant: 'tanh' }).values,
  },
  {
    name: "activations 'clip', α = 1",
    stock: (bits) => (x) => steDoReFaActivations(x, { bits }),
    fused: (bits) => ({ bits }),
    core: (x, bits) => quantizeDoReFaActivations(x, { bits }).values,
  },
  {
    name: "activations 'clip', α = 2.4",
    stock: (bits) => (x) => steDoReFaActivations(x, { bits, variant: 'clip', clipValue: 2.4 }),
    fused: (bits) => ({ bits, variant: 'clip', clipValue: 2.4 }),
    core: (x, bits) => quantizeDoReFaActivations(x, { bits, clipValue: 2.4 }).values,
  },
];

interface Result {
  y: Float32Array;
  dx: Float32Array;
}

/** y = q(x) and d(Σ y·r)/dx. */
function run(q: Quantizer, x: Float32Array, shape: number[], r: Float32Array): Result {
  const xt = tf.tensor(x, shape);
  const rt = tf.tensor(r, shape);
  let y: tf.Tensor | undefined;
  const dx = tf.grad((v: tf.Tensor) => {
    y = tf.keep(q(v));
    return tf.sum(tf.mul(y, rt));
  })(xt);
  const out = { y: y!.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array };
  tf.dispose([xt, rt, y!, dx]);
  return out;
}

/** Indices where a and b differ in bits (NaN matches NaN, whatever its payload), at most `limit`. */
function bitMismatches(a: Float32Array, b: Float32Array, limit = 5): number[] {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const out: number[] = [];
  for (let i = 0; i < b.length && out.length < limit; i++) {
    const same = Number.isNaN(b[i]!) ? Number.isNaN(a[i]!) : ua[i] === ub[i];
    if (!same) out.push(i);
  }
  return out;
}

/** The first mismatches of {@link bitMismatches}, printed. */
function describeMismatches(a: Float32Array, b: Float32Array): string[] {
  return bitMismatches(a, b).map((i) => `[${i}]: ${a[i]} vs ${b[i]}`);
}

/** a equals b: the same NaN and ±∞ positions, and the finite values within `tol` (∞-norm relative error). */
function expectClose(a: Float32Array, b: Float32Array, tol: number, what: string): void {
  expect(a.length).toBe(b.length);
  const finite: [number[], number[]] = [[], []];
  for (let i = 0; i < b.length; i++) {
    if (Number.isFinite(b[i]!)) {
      finite[0].push(a[i]!);
      finite[1].push(b[i]!);
    } else {
      expect(a[i], `${what} [${i}]`).toBe(b[i]); // toBe: Object.is, NaN equals NaN
    }
  }
  expect(relativeError(finite[0], finite[1]), what).toBeLessThanOrEqual(tol);
}

/** Indices where the backend's Tanh differs from the core's fround(Math.tanh(x)) (wasm: musl tanhf). */
function tanhDiffers(x: Float32Array): Set<number> {
  const t = tf.tidy(() => tf.tanh(tf.tensor1d(x)).dataSync());
  return new Set(Array.from(x.keys()).filter((i) => t[i] !== Math.fround(Math.tanh(x[i]!)) && !Number.isNaN(x[i]!)));
}

/**
 * Fused against stock on the same input and upstream gradient. The forward is bit for bit except, for the tanh
 * variants, at elements where the backend's Tanh is not the core's (the fused kernels follow the core).
 */
function compare(c: Case, bits: number, x: Float32Array, shape: number[], r: Float32Array): { fused: Result; stock: Result } {
  const fused = run((v) => fusedDoReFa(v, c.fused(bits)), x, shape, r);
  const stock = run(c.stock(bits), x, shape, r);
  const what = `${c.name}, ${bits} bits`;
  const mismatches = bitMismatches(fused.y, stock.y, x.length);
  const explained = c.name.includes('clip') ? new Set<number>() : tanhDiffers(x);
  expect(mismatches.filter((i) => !explained.has(i)).map((i) => `[${i}]: ${fused.y[i]} vs ${stock.y[i]}`), `forward, ${what}`).toEqual([]);
  expectClose(fused.dx, stock.dx, GRAD_TOL, `gradient, ${what}`);
  return { fused, stock };
}

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

describe.each(BACKENDS)('fused DoReFa on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    registerFusedDoReFaKernels(backend);
  });
  afterAll(() => unregisterFusedDoReFaKernels(backend));

  describe.each(CASES)('$name', (c) => {
    it.each([
      [[4, 6, 6, 8], 1],
      [[4, 6, 6, 8], 2],
      [[4, 6, 6, 8], 4],
      [[24, 10], 1],
      [[24, 10], 2],
      [[24, 10], 4],
      [[5, 7, 3], 2], // 105 values: the wasm SIMD passes' scalar tail
    ])('%j, %i bits: forward bit for bit, gradient within 1e-5', (shape, bits) => {
      const rand = rng(7 + bits);
      compare(c, bits, randomArray(size(shape), rand, -3, 3), shape, randomArray(size(shape), rand));
    });

    it('ties at the max |tanh| (equal magnitudes of both signs, saturated tanh) and values on rounding boundaries', () => {
      const shape = [6, 40];
      const rand = rng(3);
      const moderate = randomArray(size(shape), rand, -2, 2);
      for (const i of [0, 17, 99]) moderate[i] = 2.5;
      for (const i of [5, 180]) moderate[i] = -2.5;
      // |x| ≥ 10: tanh(x) = ±1 in float32, so every such element ties at the max; 0: n·u = n/2, a rounding tie of
      // the tanh variants (n odd); 0.5 and 1.5: ties of the clip variants at 1 and 2 bits
      const saturated = randomArray(size(shape), rand, -3, 3).map((v, i) => (i % 7 === 0 ? 12 * Math.sign(v) : i % 11 === 0 ? 0.5 : i % 13 === 0 ? 1.5 : i % 17 === 0 ? 0 : v));
      for (const x of [moderate, saturated]) {
        for (const bits of [1, 2, 4]) compare(c, bits, x, shape, randomArray(size(shape), rand, -1, 1));
      }
    });

    it('all-zero, tiny and negative-zero inputs: the same values, NaN and ±∞ as the stock ops', () => {
      const shape = [3, 5, 4];
      const rand = rng(11);
      const r = randomArray(size(shape), rand);
      // all zero: the stock tanh gradient is 0/0 = NaN everywhere (d² = (2·2^−126)² underflows)
      const zero = compare(c, 2, new Float32Array(size(shape)), shape, r);
      if (c.name.includes('clip')) expect(zero.stock.dx.every((v) => !Number.isNaN(v))).toBe(true);
      else expect(zero.stock.dx.every((v) => Number.isNaN(v))).toBe(true);
      // |x| ~ 1e-30 (tanh variants): d² underflows, the max elements get ±∞ and the others ∞·0 = NaN
      compare(c, 2, randomArray(size(shape), rand, -1e-30, 1e-30), shape, r);
      // −0 and tiny negatives: the sign of a zero output follows the backend's ClipByValue
      compare(c, 3, randomArray(size(shape), rand, -1, 1).map((v, i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? -1e-40 : v)), shape, r);
    });

    it('NaN inputs give what the stock ops give (tanh: NaN everywhere, clip: NaN where x is NaN)', () => {
      const shape = [5, 8];
      const rand = rng(13);
      const x = randomArray(size(shape), rand, -2, 2);
      x[3] = NaN;
      x[21] = NaN;
      const { fused } = compare(c, 2, x, shape, randomArray(size(shape), rand));
      const nan = Array.from(fused.y, (v) => Number.isNaN(v));
      expect(nan.filter(Boolean)).toHaveLength(c.name.includes('clip') ? 2 : size(shape));
    });

    it('forward equals the core quantizer bit for bit', () => {
      for (const bits of [1, 2, 3, 4, 8]) {
        const x = randomArray(2000, rng(bits), -3, 3);
        x[0] = 0; // a zero, and an exact clip tie: 0.5·3 = 1.5
        x[1] = 0.5;
        const { y } = run((v) => fusedDoReFa(v, c.fused(bits)), x, [2000], new Float32Array(2000));
        expect(describeMismatches(y, c.core(x, bits)), `${bits} bits`).toEqual([]);
      }
    });

    it('leaks no tensors, forward and backward, with and without a tape', () => {
      const x = tf.tensor(randomArray(60, rng(5)), [3, 20]);
      const before = tf.memory().numTensors;
      const grad = tf.grad((v: tf.Tensor) => tf.sum(fusedDoReFa(v, c.fused(2))))(x);
      tf.dispose(grad);
      tf.dispose(fusedDoReFa(x, c.fused(2)));
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    });
  });

  it("tanh is the core's fround(Math.tanh): where wasm's tanhf rounds to another code, the stock wasm ops differ", () => {
    // tanh(−0.80471897) ≈ −2/3, the 2-bit boundary between −1 and −1/3 when max|tanh| = 1 (tanh(12) = 1 in float32):
    // Math.tanh gives −0.66666669 → −1 (the core and the cpu backend), wasm's tanhf −0.66666663 → −1/3 (found by a
    // scan of ±2000 ulp around atanh(2/3) on tfjs-backend-wasm 4.22.0)
    const x = new Float32Array([12, -0.8047189712524414]);
    const { y } = run((v) => fusedDoReFa(v, { bits: 2, weights: true }), x, [2], new Float32Array(2));
    expect(Array.from(y)).toEqual([1, -1]);
    expect(Array.from(quantizeDoReFaWeights(x, { bits: 2 }).values)).toEqual([1, -1]);
    const stock = run((v) => steDoReFaWeights(v, { bits: 2 }), x, [2], new Float32Array(2)).y;
    expect(Array.from(stock)).toEqual([1, backend === 'wasm' ? Math.fround(-1 / 3) : -1]);
  });

  it('runs one kernel forward and one backward instead of the composition', async () => {
    const x = tf.tensor(randomArray(64, rng(2)), [4, 16]);
    const names = async (opts: FusedDoReFaOptions): Promise<string[]> =>
      (await tf.profile(() => tf.dispose(tf.grad((v: tf.Tensor) => tf.sum(fusedDoReFa(v, opts)))(x)))).kernels.map((k) => k.name).filter((n) => n.startsWith('QpDoReFa') || n === 'Tanh');
    expect(await names({ bits: 2, weights: true })).toEqual(['QpDoReFaTanh', 'QpDoReFaTanhGrad']);
    expect(await names({ bits: 2, clipValue: 0.8 })).toEqual(['QpDoReFaClip', 'QpDoReFaClipGrad']);
    x.dispose();
  });

  it('register and unregister are idempotent; without the kernels fusedDoReFa throws', () => {
    registerFusedDoReFaKernels(backend);
    expect(hasFusedDoReFaKernels()).toBe(true);
    unregisterFusedDoReFaKernels(backend);
    unregisterFusedDoReFaKernels(backend);
    expect(hasFusedDoReFaKernels()).toBe(false);
    const x = tf.tensor1d([0.5, -1]);
    expect(() => fusedDoReFa(x, { bits: 2 })).toThrow(/not registered for backend/);
    registerFusedDoReFaKernels(backend);
    const y = fusedDoReFa(x, { bits: 2, weights: true });
    expect(Array.from(y.dataSync())).toEqual([Math.fround(1 / 3), -1]); // levels −1, −1/3, 1/3, 1
    tf.dispose([x, y]);
  });

  it('rejects bad arguments naming the function and value', () => {
    const x = tf.tensor1d([0.5]);
    expect(() => fusedDoReFa(x, { bits: 0 })).toThrow(/fusedDoReFa: bits must be an integer in \[1, 8\], got 0/);
    expect(() => fusedDoReFa(x, { bits: 2.5 })).toThrow(/bits/);
    expect(() => fusedDoReFa(x, { bits: 2, variant: 'sigmoid' as 'clip' })).toThrow(/variant must be 'clip' or 'tanh', got sigmoid/);
    expect(() => fusedDoReFa(x, { bits: 2, variant: 'tanh', clipValue: 2 })).toThrow(/clipValue applies to the 'clip' variant only/);
    expect(() => fusedDoReFa(x, { bits: 2, clipValue: -1 })).toThrow(/clipValue must be finite and > 0, got -1/);
    expect(() => fusedDoReFa(x, { bits: 2, weights: true, variant: 'tanh' })).toThrow(/weights takes no variant or clipValue/);
    const [empty, ints] = [tf.tensor1d([]), tf.tensor1d([1], 'int32')];
    expect(() => fusedDoReFa(empty, { bits: 2 })).toThrow(/x must not be empty/);
    expect(() => fusedDoReFa(ints, { bits: 2 })).toThrow(/dtype float32, got int32/);
    expect(() => registerFusedDoReFaKernels('webgl' as 'cpu')).toThrow(/backend must be 'wasm' or 'cpu', got "webgl"/);
    tf.dispose([x, empty, ints]);
  });

  describe('compileGraph dorefa quantizers', () => {
    beforeAll(() => registerConvGradientKernels(backend)); // wasm has no stock Conv2DBackpropFilter
    afterAll(() => unregisterConvGradientKernels(backend));

    /** conv (W, A quantized) → flatten, batch 3 of [3, 8, 8]. */
    function model(w: QuantizerSpec, a: QuantizerSpec): { loss: () => tf.Scalar; variables: tf.Variable[]; dispose: () => void } {
      const b = new GraphBuilder('one-conv', { seed: 4 });
      b.flatten('flatten', b.conv2d('layer', b.input([3, 8, 8]), { inChannels: 3, outChannels: 5, kernel: 3, padding: 1, bias: true }));
      const graph = b.build();
      const layer = graph.layers.find((l) => l.name === 'layer') as Conv2dLayer;
      layer.weightQuantizer = w;
      layer.activationQuantizer = a;
      const compiled = compileGraph(graph);
      const x = tf.tensor4d(randomArray(3 * 192, rng(8), -2, 2), [3, 8, 8, 3]);
      const r = tf.tensor(randomArray(3 * 320, rng(9)), [3, 320]);
      return {
        loss: () => tf.sum(tf.mul(compiled.apply(x, true), r)),
        variables: compiled.trainableVariables as tf.Variable[],
        dispose: () => {
          compiled.dispose();
          tf.dispose([x, r]);
        },
      };
    }

    it.each([
      ['W2A2, tanh activations', { name: 'dorefa', bits: 2 }, { name: 'dorefa', bits: 2, options: { variant: 'tanh' } }, 'QpDoReFaTanh'],
      ['W3A3, clip activations α = 0.7', { name: 'dorefa', bits: 3 }, { name: 'dorefa', bits: 3, options: { variant: 'clip', clipValue: 0.7 } }, 'QpDoReFaClip'],
    ] as const)('%s: the fused kernels run when registered, with the same output and gradients', async (_name, w, a, kernel) => {
      const m = model(w, a);
      const step = (): { loss: number; grads: Float32Array[] } => {
        const { value, grads } = tf.variableGrads(m.loss, m.variables);
        const out = { loss: value.dataSync()[0]!, grads: m.variables.map((v) => grads[v.name]!.dataSync() as Float32Array) };
        tf.dispose([value, ...Object.values(grads)]);
        return out;
      };
      const kernels = async (): Promise<string[]> => (await tf.profile(() => void step())).kernels.map((k) => k.name);
      expect(hasFusedDoReFaKernels()).toBe(true);
      expect(await kernels()).toContain(kernel);
      const fused = step();
      unregisterFusedDoReFaKernels(backend);
      try {
        expect(await kernels()).not.toContain(kernel);
        const stock = step();
        // the same quantized operands (on wasm unless its Tanh moves a code), the same kernels after them
        expect(Math.abs(fused.loss - stock.loss)).toBeLessThanOrEqual(1e-6 * Math.abs(stock.loss));
        fused.grads.forEach((g, i) => expect(relativeError(g, stock.grads[i]!), m.variables[i]!.name).toBeLessThanOrEqual(GRAD_TOL));
      } finally {
        registerFusedDoReFaKernels(backend);
        m.dispose();
      }
    });
  });
});
