/**
 * Pure-TypeScript reference forward pass (inference mode): the oracle other engines (TF.js, ONNX export,
 * kernels) are tested against.
 *
 * Semantics, layer by layer (batch of `N` samples, NCHW, float64 accumulation, float32 results):
 * - `conv2d`: cross-correlation with zero padding, stride, dilation and groups, as `torch.nn.Conv2d`;
 * - `dense`: `y = W·x + b`;
 * - `batchnorm`: eval mode, `y = γ·(x − running_mean)/√(running_var + ε) + β` (γ = 1, β = 0 without affine);
 * - `relu`; `prelu` `x < 0 ? a·x : x` with one slope or one per channel; `hardtanh` clamps to [min, max];
 *   `sign`: −1 for x < 0, +1 for x ≥ 0 (sign(0) = +1, the 1-bit convention of the quantizers' default);
 * - `maxpool`: padding counts as −∞ (torch `MaxPool2d`); `avgpool`: padding counts as 0 and the divisor is
 *   always kh·kw (torch `AvgPool2d` with its default `count_include_pad=True`); both in floor mode;
 * - `globalavgpool`: mean over H×W, output `[C]`; `add`: element-wise sum; `flatten`: row-major `[C·H·W]`;
 * - `shortcut-pad`: `x[:, :, ::s, ::s]` with `before` zero channels in front and `after` behind.
 *
 * Compression annotations: the element `mask` zeroes the masked weights and the `channelMask` zeroes whole output
 * channels (their weights AND bias), so a masked conv/dense channel outputs exactly 0. A BatchNorm that follows
 * still adds its shift `β − γ·μ/√(var + ε)` to that channel — set β and μ of the channel to 0 if it must carry 0
 * (see {@link removeChannels}). Quantizer annotations (`weightQuantizer`, `activationQuantizer`) are IGNORED:
 * this is the float network; quantized engines are compared against it with quantized weights written in.
 */
import { inferShapes } from './shape-inference.ts';
import type { BatchNormLayer, Conv2dLayer, DenseLayer, Graph, Layer, PoolLayer, PreluLayer, ShortcutPadLayer } from './types.ts';
import { validateGraph } from './validate.ts';

/** Options of {@link forward}. */
export interface ForwardOptions {
  /**
   * When given, receives the output of EVERY layer by layer name (`batch × shape`, NCHW). Outputs may share
   * buffers (`flatten` returns its input's), so treat them as read-only.
   */
  readonly intermediates?: Map<string, Float32Array>;
}

/**
 * Runs the network on a batch (see this module's documentation for the exact semantics).
 *
 * @param graph - a valid graph (it is validated first)
 * @param input - `batch × inputShape` values, NCHW
 * @param batch - number of samples
 * @param options - `intermediates` to collect every layer's output
 * @returns the output layer's values, `batch × outputShape`
 * @throws GraphError for an invalid graph; RangeError when `batch` is not a positive integer or `input` has the
 *   wrong length; TypeError when `input` is not a Float32Array
 * @example
 * ```ts
 * const logits = forward(graph, images, 8); // 8 × 10 values for a CIFAR-10 model
 * ```
 */
export function forward(graph: Graph, input: Float32Array, batch: number, options: ForwardOptions = {}): Float32Array {
  validateGraph(graph);
  if (!Number.isSafeInteger(batch) || batch <= 0) throw new RangeError(`forward: batch must be a positive integer, got ${batch}`);
  if (!(input instanceof Float32Array)) throw new TypeError('forward: input must be a Float32Array');
  const shapes = inferShapes(graph);
  const inputLayer = graph.layers.find((l) => l.kind === 'input')!;
  const perSample = size(shapes.get(inputLayer.name)!);
  if (input.length !== batch * perSample) {
    throw new RangeError(`forward: input has ${input.length} values but batch ${batch} × [${shapes.get(inputLayer.name)!.join(', ')}] needs ${batch * perSample}`);
  }
  const lastUse = new Map<string, number>();
  graph.layers.forEach((l, i) => l.inputs.forEach((name) => lastUse.set(name, i)));
  const keep = options.intermediates;
  const values = new Map<string, Float32Array>();
  graph.layers.forEach((layer, i) => {
    const ins = layer.inputs.map((name) => values.get(name)!);
    const inShapes = layer.inputs.map((name) => shapes.get(name)!);
    const out = layer.kind === 'input' ? input : run(layer, ins, inShapes, shapes.get(layer.name)!, batch);
    values.set(layer.name, out);
    keep?.set(layer.name, out);
    for (const name of layer.inputs) if (lastUse.get(name) === i && name !== graph.output) values.delete(name);
  });
  return values.get(graph.output)!;
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function run(layer: Layer, ins: Float32Array[], inShapes: (readonly number[])[], outShape: readonly number[], n: number): Float32Array {
  const x = ins[0]!;
  const inShape = inShapes[0]!;
  switch (layer.kind) {
    case 'conv2d':
      return conv2d(layer, x, n, inShape, outShape);
    case 'dense':
      return dense(layer, x, n);
    case 'batchnorm':
      return batchNorm(layer, x, n, inShape);
    case 'relu':
      return elementwise(x, (v) => (v > 0 ? v : 0));
    case 'prelu':
      return prelu(layer, x, n, inShape);
    case 'hardtanh': {
      const { min, max } = layer;
      return elementwise(x, (v) => (v < min ? min : v > max ? max : v));
    }
    case 'sign':
      return elementwise(x, (v) => (v < 0 ? -1 : 1));
    case 'maxpool':
    case 'avgpool':
      return pool(layer, x, n, inShape, outShape);
    case 'globalavgpool': {
      const [c, h, w] = inShape as [number, number, number];
      const out = new Float32Array(n * c);
      for (let p = 0; p < n * c; p++) {
        let s = 0;
        for (let j = p * h * w, end = j + h * w; j < end; j++) s += x[j]!;
        out[p] = s / (h * w);
      }
      return out;
    }
    case 'add': {
      const out = new Float64Array(x);
      for (const t of ins.slice(1)) for (let j = 0; j < out.length; j++) out[j]! += t[j]!;
      return Float32Array.from(out);
    }
    case 'flatten':
      return x;
    case 'shortcut-pad':
      return shortcutPad(layer, x, n, inShape, outShape);
    case 'input':
      return x;
  }
}

/** Weights with the element mask and the channel mask applied (a copy only when a mask is present). */
function effectiveWeights(layer: Conv2dLayer | DenseLayer): { w: Float32Array; b: Float32Array | undefined } {
  let w = layer.weight.data;
  let b = layer.bias?.data;
  const mask = layer.mask;
  const cm = layer.channelMask;
  if (mask !== undefined) w = w.map((v, i) => (mask[i] === 0 ? 0 : v));
  if (cm !== undefined && cm.includes(0)) {
    if (w === layer.weight.data) w = w.slice();
    if (b !== undefined) b = b.map((v, o) => (cm[o] === 0 ? 0 : v));
    const per = w.length / cm.length;
    cm.forEach((keep, o) => {
      if (keep === 0) w.fill(0, o * per, (o + 1) * per);
    });
  }
  return { w, b };
}

/**
 * Direct convolution without im2col, register-blocked.
 *
 * Per sample, the input is copied once into zero-padded planes split into stride phases (`phase (py, px)` holds
 * padded rows `py, py + s, …` and columns `px, px + s, …`). Every kernel tap (input channel, ky, kx) then reads one
 * phase plane with unit stride at a fixed offset, so an output channel is a sum over taps of `w · plane[off + j]`
 * with one contiguous `j` loop over a "wide" output (rows of the phase width; the extra columns are discarded).
 * The inner loop handles 4 output channels × 3 taps at once (12 weights in registers, 4 accumulator writes per
 * 12 multiply-adds); missing channels and taps get zero weights.
 */
function conv2d(layer: Conv2dLayer, x: Float32Array, n: number, inShape: readonly number[], outShape: readonly number[]): Float32Array {
  const [cin, h, w] = inShape as [number, number, number];
  const [cout, ho, wo] = outShape as [number, number, number];
  const [kh, kw] = layer.kernel;
  const [sh, sw] = layer.stride;
  const [dh, dw] = layer.dilation;
  const [pt, pb, pl, pr] = layer.padding;
  const groups = layer.groups;
  const cinG = cin / groups;
  const coutG = cout / groups;
  // Phase planes of the padded input: sh·sw phases per channel, each hq × wq.
  const hq = Math.ceil((h + pt + pb) / sh);
  const wq = Math.ceil((w + pl + pr) / sw);
  const phaseSize = hq * wq;
  const chanSize = sh * sw * phaseSize;
  const planes = new Float32Array(cin * chanSize);
  // Taps of one group, padded to a multiple of 3; offsets are relative to the group's first channel.
  const taps = cinG * kh * kw;
  const chunks = Math.ceil(taps / 3);
  const offsets = new Int32Array(chunks * 3);
  for (let ci = 0, t = 0; ci < cinG; ci++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++, t++) {
        const y = ky * dh;
        const xx = kx * dw;
        offsets[t] = ci * chanSize + ((y % sh) * sw + (xx % sw)) * phaseSize + Math.floor(y / sh) * wq + Math.floor(xx / sw);
      }
    }
  }
  const { w: weights, b: bias } = effectiveWeights(layer);
  // Packed weights: [group][block of 4 output channels][chunk][4 channels × 3 taps].
  const blocks = Math.ceil(coutG / 4);
  const packed = new Float64Array(groups * blocks * chunks * 12);
  for (let g = 0; g < groups; g++) {
    for (let oc = 0; oc < coutG; oc++) {
      const o = g * coutG + oc;
      for (let t = 0; t < taps; t++) {
        packed[((g * blocks + (oc >> 2)) * chunks + Math.floor(t / 3)) * 12 + (oc & 3) * 3 + (t % 3)] = weights[o * taps + t]!;
      }
    }
  }
  const run = (ho - 1) * wq + wo;
  const a0 = new Float64Array(run);
  const a1 = new Float64Array(run);
  const a2 = new Float64Array(run);
  const a3 = new Float64Array(run);
  const acc = [a0, a1, a2, a3];
  const out = new Float32Array(n * cout * ho * wo);
  for (let s = 0; s < n; s++) {
    for (let c = 0; c < cin; c++) {
      const src = (s * cin + c) * h * w;
      for (let y = 0; y < h; y++) {
        const py = y + pt;
        const rowBase = c * chanSize + (py % sh) * sw * phaseSize + Math.floor(py / sh) * wq;
        for (let xx = 0; xx < w; xx++) {
          const px = xx + pl;
          planes[rowBase + (px % sw) * phaseSize + Math.floor(px / sw)] = x[src + y * w + xx]!;
        }
      }
    }
    for (let g = 0; g < groups; g++) {
      const gBase = g * cinG * chanSize;
      for (let blk = 0; blk < blocks; blk++) {
        a0.fill(0);
        a1.fill(0);
        a2.fill(0);
        a3.fill(0);
        for (let ch = 0; ch < chunks; ch++) {
          const p = ((g * blocks + blk) * chunks + ch) * 12;
          const w00 = packed[p]!, w01 = packed[p + 1]!, w02 = packed[p + 2]!;
          const w10 = packed[p + 3]!, w11 = packed[p + 4]!, w12 = packed[p + 5]!;
          const w20 = packed[p + 6]!, w21 = packed[p + 7]!, w22 = packed[p + 8]!;
          const w30 = packed[p + 9]!, w31 = packed[p + 10]!, w32 = packed[p + 11]!;
          const o0 = gBase + offsets[ch * 3]!;
          const o1 = gBase + offsets[ch * 3 + 1]!;
          const o2 = gBase + offsets[ch * 3 + 2]!;
          for (let j = 0; j < run; j++) {
            const v0 = planes[o0 + j]!;
            const v1 = planes[o1 + j]!;
            const v2 = planes[o2 + j]!;
            a0[j]! += w00 * v0 + w01 * v1 + w02 * v2;
            a1[j]! += w10 * v0 + w11 * v1 + w12 * v2;
            a2[j]! += w20 * v0 + w21 * v1 + w22 * v2;
            a3[j]! += w30 * v0 + w31 * v1 + w32 * v2;
          }
        }
        for (let q = 0; q < 4 && blk * 4 + q < coutG; q++) {
          const o = g * coutG + blk * 4 + q;
          const b = bias === undefined ? 0 : bias[o]!;
          const a = acc[q]!;
          const dst = (s * cout + o) * ho * wo;
          for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) out[dst + oy * wo + ox] = a[oy * wq + ox]! + b;
        }
      }
    }
  }
  return out;
}

function dense(layer: DenseLayer, x: Float32Array, n: number): Float32Array {
  const inF = layer.inFeatures;
  const outF = layer.outFeatures;
  const { w, b } = effectiveWeights(layer);
  const out = new Float32Array(n * outF);
  for (let s = 0; s < n; s++) {
    for (let o = 0; o < outF; o++) {
      let acc = b === undefined ? 0 : b[o]!;
      const row = o * inF;
      const xb = s * inF;
      for (let i = 0; i < inF; i++) acc += w[row + i]! * x[xb + i]!;
      out[s * outF + o] = acc;
    }
  }
  return out;
}

function elementwise(x: Float32Array, f: (v: number) => number): Float32Array {
  const out = new Float32Array(x.length);
  for (let j = 0; j < x.length; j++) out[j] = f(x[j]!);
  return out;
}

function perChannel(x: Float32Array, n: number, inShape: readonly number[], f: (c: number, v: number) => number): Float32Array {
  const c = inShape[0]!;
  const spatial = size(inShape) / c;
  const out = new Float32Array(x.length);
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < c; ch++) {
      const base = (s * c + ch) * spatial;
      for (let j = base; j < base + spatial; j++) out[j] = f(ch, x[j]!);
    }
  }
  return out;
}

function batchNorm(layer: BatchNormLayer, x: Float32Array, n: number, inShape: readonly number[]): Float32Array {
  const c = layer.channels;
  const scale = new Float64Array(c);
  const shift = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    const gamma = layer.weight?.data[ch] ?? 1;
    const beta = layer.bias?.data[ch] ?? 0;
    scale[ch] = gamma / Math.sqrt(layer.runningVar.data[ch]! + layer.eps);
    shift[ch] = beta - scale[ch]! * layer.runningMean.data[ch]!;
  }
  return perChannel(x, n, inShape, (ch, v) => v * scale[ch]! + shift[ch]!);
}

function prelu(layer: PreluLayer, x: Float32Array, n: number, inShape: readonly number[]): Float32Array {
  const a = layer.weight.data;
  const shared = a.length === 1;
  return perChannel(x, n, inShape, (ch, v) => (v < 0 ? v * a[shared ? 0 : ch]! : v));
}

function pool(layer: PoolLayer, x: Float32Array, n: number, inShape: readonly number[], outShape: readonly number[]): Float32Array {
  const [c, h, w] = inShape as [number, number, number];
  const [, ho, wo] = outShape as [number, number, number];
  const [kh, kw] = layer.kernel;
  const [sh, sw] = layer.stride;
  const [pt, , pl] = layer.padding;
  const isMax = layer.kind === 'maxpool';
  const out = new Float32Array(n * c * ho * wo);
  for (let p = 0; p < n * c; p++) {
    const src = p * h * w;
    for (let oy = 0; oy < ho; oy++) {
      const y0 = oy * sh - pt;
      const ya = Math.max(0, y0);
      const yb = Math.min(h, y0 + kh);
      for (let ox = 0; ox < wo; ox++) {
        const x0 = ox * sw - pl;
        const xa = Math.max(0, x0);
        const xb = Math.min(w, x0 + kw);
        let acc = isMax ? -Infinity : 0;
        for (let y = ya; y < yb; y++) {
          for (let xx = xa; xx < xb; xx++) {
            const v = x[src + y * w + xx]!;
            if (isMax) {
              if (v > acc || Number.isNaN(v)) acc = v;
            } else acc += v;
          }
        }
        out[(p * ho + oy) * wo + ox] = isMax ? acc : acc / (kh * kw);
      }
    }
  }
  return out;
}

function shortcutPad(layer: ShortcutPadLayer, x: Float32Array, n: number, inShape: readonly number[], outShape: readonly number[]): Float32Array {
  const [c, h, w] = inShape as [number, number, number];
  const [co, ho, wo] = outShape as [number, number, number];
  const s = layer.stride;
  const out = new Float32Array(n * co * ho * wo);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const src = (b * c + ch) * h * w;
      const dst = (b * co + layer.before + ch) * ho * wo;
      for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) out[dst + oy * wo + ox] = x[src + oy * s * w + ox * s]!;
    }
  }
  return out;
}
