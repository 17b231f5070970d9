// Compiles an IR graph into TF.js computations whose variables hold the IR's weights.
import * as tf from '@tensorflow/tfjs-core';
import { inferShapes, paramNames, getParam, setParam, validateGraph } from '@quantprune/graph';
import type { BatchNormLayer, Conv2dLayer, DenseLayer, Graph, Layer, PoolLayer, ShortcutPadLayer } from '@quantprune/graph';
import { batchNorm, type BatchNormState } from './batch-norm.ts';
import { steBinary } from '@quantprune/quantizers/tfjs';
import { quantizerOp, type QuantizerOp } from './quantizer-ops.ts';
import { winogradConv2dOp } from './winograd-conv2d.ts';

/** Options of {@link compileGraph}. */
export interface CompileOptions {
  /** Apply the graph's quantizer annotations (quantization-aware training). @default true */
  readonly qat?: boolean;
}

/** Options of {@link CompiledModel.apply}. */
export interface ApplyOptions {
  /** Training mode only: the BatchNorm running-stat momentum of this call, in (0, 1]. @default each layer's */
  readonly batchNormMomentum?: number;
  /**
   * Called with the input of every conv/dense layer that has an activation quantizer annotation, before the
   * quantizer (whether or not the model applies it), inside the call's tidy: read it, do not keep it.
   * For calibration (see `calibrateActivationClips`).
   */
  readonly inspectQuantizerInput?: (layer: string, input: tf.Tensor) => void;
}

/** A graph compiled to TF.js (see {@link compileGraph}). */
export interface CompiledModel {
  /** The graph it was compiled from (its tensors change only through {@link CompiledModel.writeToGraph}). */
  readonly graph: Graph;
  /**
   * Runs the network. In training mode BatchNorm uses batch statistics and updates its running statistics.
   * @param x - a batch in NHWC (`[N, H, W, C]` for an input `[C, H, W]`) or `[N, F]` for an input `[F]`
   * @param training - batch statistics and running-stat updates (true) or inference (false)
   * @param options - `batchNormMomentum`: in training mode, the momentum of this call's running-stat update
   *   instead of each layer's own (1/i on the i-th batch gives the plain average of i batches);
   *   `inspectQuantizerInput`: a hook that sees each activation quantizer's input (calibration)
   * @returns the output layer's values `[N, classes]`
   */
  apply(x: tf.Tensor4D | tf.Tensor2D, training: boolean, options?: ApplyOptions): tf.Tensor2D;
  /** Variables an optimiser updates: weights, biases, BN γ/β, PReLU slopes, LSQ steps. */
  readonly trainableVariables: readonly tf.Variable[];
  /** Every variable by torch-style parameter name (BN running statistics included, non-trainable). */
  readonly variableByParam: ReadonlyMap<string, tf.Variable>;
  /** Parameter name of each variable, by `variable.name` (the keys of `tf.variableGrads`). */
  readonly paramByVariableName: ReadonlyMap<string, string>;
  /** The current parameters in the IR's layout, by torch name (LSQ steps, not IR parameters, excluded). */
  readWeights(): Map<string, Float32Array>;
  /** Overwrites the named parameters (IR layout); masked entries are re-zeroed. */
  writeWeights(weights: ReadonlyMap<string, Float32Array>): void;
  /** Copies the current parameters into `graph` (its tensors get new buffers). */
  writeToGraph(): void;
  /** Re-zeroes masked weights and biases (call after an optimiser update). */
  applyMasks(): void;
  /**
   * Multiplies the gradients of masked parameters by their masks. Keys are variable names; replaced tensors
   * are disposed and the returned map holds the new ones.
   */
  maskGradients(grads: tf.NamedTensorMap): tf.NamedTensorMap;
  /** Frees all variables and constants. */
  dispose(): void;
}

type Act = tf.Tensor; // NHWC (rank 4) or [N, F] (rank 2)

let nextModelId = 0;

/** conv OIHW → HWIO and back; dense [out, in] ↔ [in, out]. */
const TO_TF = { conv: [2, 3, 1, 0], dense: [1, 0] } as const;
const TO_IR = { conv: [3, 2, 0, 1], dense: [1, 0] } as const;

/** Per-parameter layout conversion between the IR and TF.js. */
interface ParamSlot {
  readonly variable: tf.Variable;
  /** IR shape. */
  readonly shape: readonly number[];
  /** Permutation IR → TF.js (undefined: same layout). */
  readonly toTf?: readonly number[];
  readonly toIr?: readonly number[];
  /** 0/1 mask in the TF.js layout (element mask × channel mask), when any entry is masked. */
  readonly mask?: tf.Tensor;
  /** The same mask as booleans (for `where`, which gives +0 where `mul` would give −0). */
  readonly keep?: tf.Tensor;
}

/**
 * Compiles an IR graph into TF.js computations whose variables are the IR's parameters (NHWC activations,
 * HWIO conv filters, `[in, out]` dense weights; layouts converted on read and write).
 *
 * Semantics match the reference `forward` of @quantprune/graph: conv2d with stride, explicit padding, dilation
 * (a zero-dilated filter, so gradients work) and groups (split per group); dense; BatchNorm (see
 * {@link batchNorm}); relu, prelu, hardtanh; sign (sign(0) = +1, straight-through hardtanh gradient so that it
 * trains); max pooling with −∞ padding and average pooling counting the zero padding (torch defaults);
 * global average pooling; add; flatten in torch's C·H·W order (NHWC is transposed first, so dense weights
 * from torch fit); the option-A shortcut pad. The output layer must be rank 2.
 *
 * Compression annotations: weights are used as `Q(w ⊙ m) ⊙ m` (m = element mask × channel mask, Q the
 * weight quantizer when `qat`), so masked weights are exactly zero and get zero gradient; masked output
 * channels also get a zero bias. Activation quantizers apply to the layer's input. LSQ steps are extra
 * trainable variables (not IR parameters).
 *
 * @param graph - a valid graph (validated here)
 * @param options - `qat` (default true)
 * @returns the compiled model; dispose it when done
 * @throws GraphError for an invalid graph; RangeError for a graph whose output is not rank 2 or for a bad
 *   quantizer annotation
 * @example
 * ```ts
 * await initBackend();
 * const model = compileGraph(applyPrecision(createModel('lenet5'), 'bnn'));
 * const logits = model.apply(tf.zeros([8, 28, 28, 1]), false); // [8, 10]
 * ```
 */
export function compileGraph(graph: Graph, options: CompileOptions = {}): CompiledModel {
  validateGraph(graph);
  const qat = options.qat ?? true;
  const shapes = inferShapes(graph);
  const outShape = shapes.get(graph.output)!;
  if (outShape.length !== 1) {
    throw new RangeError(`compileGraph: the output layer "${graph.output}" of "${graph.name}" must give one vector per sample, got shape [${outShape.join(', ')}]`);
  }
  const prefix = `qp${nextModelId++}/`;
  const slots = new Map<string, ParamSlot>();
  const steps: tf.Variable[] = [];
  const constants: tf.Tensor[] = [];

  const layerByName = new Map(graph.layers.map((l) => [l.name, l]));
  const slotOfTensor = new Map<object, ParamSlot>(); // tied parameters (one Tensor under two names) share a variable
  for (const param of paramNames(graph)) {
    const t = getParam(graph, param);
    const tied = slotOfTensor.get(t);
    if (tied) {
      slots.set(param, tied);
      continue;
    }
    const layer = layerByName.get(param.slice(0, param.lastIndexOf('.')))!;
    const weighted = layer.kind === 'conv2d' || layer.kind === 'dense' ? layer : undefined;
    const isWeight = param.endsWith('.weight');
    const layout = weighted && isWeight ? (weighted.kind === 'conv2d' ? 'conv' : 'dense') : undefined;
    const trainable = !param.endsWith('.running_mean') && !param.endsWith('.running_var');
    const initial = tf.tidy(() => {
      const v = tf.tensor(t.data, [...t.shape], 'float32');
      return layout ? tf.transpose(v, [...TO_TF[layout]]) : v;
    });
    const variable = tf.variable(initial, trainable, prefix + param);
    initial.dispose();
    const mask = weighted ? maskOf(weighted, isWeight, layout) : undefined;
    const keep = mask ? tf.cast(mask, 'bool') : undefined;
    if (mask && keep) constants.push(mask, keep);
    const slot: ParamSlot = { variable, shape: t.shape, ...(layout ? { toTf: TO_TF[layout], toIr: TO_IR[layout] } : {}), ...(mask ? { mask, keep } : {}) };
    slots.set(param, slot);
    slotOfTensor.set(t, slot);
  }

  const v = (param: string): tf.Variable => slots.get(param)!.variable;
  const quantizers = new Map<string, QuantizerOp>();
  if (qat) {
    try {
      for (const layer of graph.layers) {
        if (layer.kind !== 'conv2d' && layer.kind !== 'dense') continue;
        const site = layer.kind === 'conv2d' ? 'conv-weight' : 'dense-weight';
        for (const [key, spec, where] of [['w', layer.weightQuantizer, site], ['a', layer.activationQuantizer, 'activation']] as const) {
          if (!spec) continue;
          const op = quantizerOp(spec, where, key === 'w' ? layer.weight.data : undefined, `${prefix}${layer.name}.${key === 'w' ? 'weight' : 'input'}_quantizer`);
          if (op.step) steps.push(op.step);
          quantizers.set(`${layer.name}/${key}`, op);
        }
      }
    } catch (error) {
      tf.dispose([...[...slotOfTensor.values()].map((s) => s.variable), ...steps, ...constants]);
      throw error;
    }
  }

  /** The effective weight or bias: Q(w ⊙ m) ⊙ m. */
  const effective = (param: string, quantize: QuantizerOp | undefined): tf.Tensor => {
    const { variable, mask } = slots.get(param)!;
    let w: tf.Tensor = mask ? tf.mul(variable, mask) : variable;
    if (quantize) {
      w = quantize(w);
      if (mask) w = tf.mul(w, mask);
    }
    return w;
  };

  // bn → relu where the relu is the BatchNorm's only consumer: the BatchNorm applies the relu (one fused kernel)
  const fusedRelus = new Set<string>();
  const reluAfter = new Set<string>();
  for (const l of graph.layers) {
    const bn = l.kind === 'relu' ? layerByName.get(l.inputs[0]!) : undefined;
    if (bn?.kind === 'batchnorm' && bn.name !== graph.output && graph.layers.filter((c) => c.inputs.includes(bn.name)).length === 1) {
      fusedRelus.add(l.name);
      reluAfter.add(bn.name);
    }
  }

  const runLayer = (layer: Layer, ins: Act[], training: boolean, options: ApplyOptions): Act => {
    const x = ins[0]!;
    switch (layer.kind) {
      case 'input':
        return x;
      case 'conv2d':
      case 'dense': {
        if (layer.activationQuantizer) options.inspectQuantizerInput?.(layer.name, x);
        const qa = quantizers.get(`${layer.name}/a`);
        const input = qa ? qa(x) : x;
        const w = effective(`${layer.name}.weight`, quantizers.get(`${layer.name}/w`));
        let y = layer.kind === 'conv2d' ? conv2d(layer, input as tf.Tensor4D, w as tf.Tensor4D, quantizers.size === 0) : tf.matMul(input as tf.Tensor2D, w as tf.Tensor2D);
        if (layer.bias) y = tf.add(y, effective(`${layer.name}.bias`, undefined));
        return y;
      }
      case 'batchnorm':
        return batchNorm(x, { ...bnState(layer, v), ...(options.batchNormMomentum !== undefined ? { momentum: options.batchNormMomentum } : {}) }, training, { relu: reluAfter.has(layer.name) });
      case 'relu':
        return fusedRelus.has(layer.name) ? x : tf.relu(x);
      case 'prelu':
        return tf.prelu(x, v(`${layer.name}.weight`));
      case 'hardtanh':
        return tf.clipByValue(x, layer.min, layer.max);
      case 'sign':
        return steBinary(x, { signOfZero: 1, gate: 'hardtanh' }); // forward as the reference; trainable gradient
      case 'maxpool':
      case 'avgpool':
        return pool(layer, x as tf.Tensor4D);
      case 'globalavgpool':
        return tf.mean(x, [1, 2]);
      case 'add':
        return ins.length === 2 ? tf.add(x, ins[1]!) : tf.addN(ins);
      case 'flatten':
        return x.rank === 4 ? tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [x.shape[0]!, -1]) : x;
      case 'shortcut-pad':
        return shortcutPad(layer, x as tf.Tensor4D);
    }
  };

  const inputLayer = graph.layers.find((l) => l.kind === 'input')!;
  const inShape = shapes.get(inputLayer.name)!;
  const expected = inShape.length === 3 ? [inShape[1], inShape[2], inShape[0]] : [...inShape];
  const lastUse = new Map<string, number>();
  graph.layers.forEach((l, i) => l.inputs.forEach((name) => lastUse.set(name, i)));

  const model: CompiledModel = {
    graph,
    apply(x, training, options = {}) {
      const bnMomentum = options.batchNormMomentum;
      if (bnMomentum !== undefined && !(bnMomentum > 0 && bnMomentum <= 1)) {
        throw new RangeError(`CompiledModel.apply: batchNormMomentum must be in (0, 1], got ${bnMomentum}`);
      }
      if (x.rank !== expected.length + 1 || expected.some((d, i) => x.shape[i + 1] !== d)) {
        throw new RangeError(`CompiledModel.apply: "${graph.name}" takes [N, ${expected.join(', ')}] (NHWC), got [${x.shape.join(', ')}]`);
      }
      return tf.tidy(() => {
        const values = new Map<string, Act>();
        graph.layers.forEach((layer, i) => {
          values.set(layer.name, layer.kind === 'input' ? x : runLayer(layer, layer.inputs.map((n) => values.get(n)!), training, options));
          for (const name of layer.inputs) if (lastUse.get(name) === i && name !== graph.output) values.delete(name);
        });
        return values.get(graph.output)! as tf.Tensor2D;
      });
    },
    trainableVariables: [...[...slotOfTensor.values()].map((s) => s.variable).filter((w) => w.trainable), ...steps],
    variableByParam: new Map([...slots].map(([p, s]) => [p, s.variable])),
    paramByVariableName: new Map([...slots].reverse().map(([p, s]) => [s.variable.name, p])), // a tied variable: its first name
    readWeights() {
      const out = new Map<string, Float32Array>();
      for (const [param, s] of slots) {
        out.set(param, tf.tidy(() => (s.toIr ? tf.transpose(s.variable, [...s.toIr]) : s.variable).dataSync() as Float32Array).slice());
      }
      return out;
    },
    writeWeights(weights) {
      for (const [param, data] of weights) {
        const s = slots.get(param);
        if (!s) throw new RangeError(`CompiledModel.writeWeights: "${graph.name}" has no parameter "${param}"`);
        const n = s.shape.reduce((a, b) => a * b, 1);
        if (!(data instanceof Float32Array) || data.length !== n) {
          throw new RangeError(`CompiledModel.writeWeights: "${param}" needs a Float32Array of ${n} values (shape [${s.shape.join(', ')}]), got ${data instanceof Float32Array ? data.length : typeof data}`);
        }
      }
      tf.tidy(() => {
        for (const [param, data] of weights) {
          const s = slots.get(param)!;
          let t: tf.Tensor = tf.tensor(data, [...s.shape], 'float32');
          if (s.toTf) t = tf.transpose(t, [...s.toTf]);
          s.variable.assign(s.keep ? tf.where(s.keep, t, tf.zerosLike(t)) : t);
        }
      });
    },
    writeToGraph() {
      for (const [param, data] of model.readWeights()) setParam(graph, param, data);
    },
    applyMasks() {
      tf.tidy(() => {
        for (const s of slotOfTensor.values()) if (s.keep) s.variable.assign(tf.where(s.keep, s.variable, tf.zerosLike(s.variable)));
      });
    },
    maskGradients(grads) {
      const out: tf.NamedTensorMap = { ...grads };
      for (const [name, g] of Object.entries(grads)) {
        const mask = slots.get(model.paramByVariableName.get(name) ?? '')?.mask;
        if (!mask) continue;
        out[name] = tf.mul(g, mask);
        g.dispose();
      }
      return out;
    },
    dispose() {
      tf.dispose([...[...slotOfTensor.values()].map((s) => s.variable), ...steps, ...constants]);
    },
  };
  // Stored weights honour the masks from the start.
  model.applyMasks();
  return model;
}

/** BatchNorm tensors of a layer. */
function bnState(layer: BatchNormLayer, v: (param: string) => tf.Variable): BatchNormState {
  return {
    ...(layer.weight ? { gamma: v(`${layer.name}.weight`) as tf.Tensor1D } : {}),
    ...(layer.bias ? { beta: v(`${layer.name}.bias`) as tf.Tensor1D } : {}),
    runningMean: v(`${layer.name}.running_mean`) as tf.Variable<tf.Rank.R1>,
    runningVar: v(`${layer.name}.running_var`) as tf.Variable<tf.Rank.R1>,
    eps: layer.eps,
    momentum: layer.momentum,
  };
}

/**
 * The 0/1 mask of a conv/dense weight or bias in the TF.js layout (element mask × channel mask), or undefined
 * when nothing is masked.
 */
function maskOf(layer: Conv2dLayer | DenseLayer, isWeight: boolean, layout: 'conv' | 'dense' | undefined): tf.Tensor | undefined {
  const cm = layer.channelMask?.includes(0) ? layer.channelMask : undefined;
  const elem = isWeight && layer.mask?.includes(0) ? layer.mask : undefined;
  if (!cm && !elem) return undefined;
  const shape = isWeight ? layer.weight.shape : [layer.weight.shape[0]!];
  const n = shape.reduce((a, b) => a * b, 1);
  const per = n / shape[0]!;
  const m = new Float32Array(n);
  for (let i = 0; i < n; i++) m[i] = (elem?.[i] ?? 1) !== 0 && (cm?.[Math.floor(i / per)] ?? 1) !== 0 ? 1 : 0;
  return tf.tidy(() => {
    const t = tf.tensor(m, [...shape], 'float32');
    return layout ? tf.transpose(t, [...TO_TF[layout]]) : t;
  });
}

/** Inserts `d − 1` zeros between filter taps along one spatial axis of an HWIO filter. */
function dilateAxis(f: tf.Tensor4D, axis: 0 | 1, d: number): tf.Tensor4D {
  if (d === 1) return f;
  const [kh, kw, ci, co] = f.shape;
  const k = axis === 0 ? kh : kw;
  const outer = axis === 0 ? kh : kh * kw;
  const spread = tf.pad(tf.reshape(f, [outer, 1, f.size / outer]), [[0, 0], [0, d - 1], [0, 0]]);
  const full = tf.reshape(spread, axis === 0 ? [kh * d, kw, ci, co] : [kh, kw * d, ci, co]);
  return tf.slice(full as tf.Tensor4D, [0, 0, 0, 0], axis === 0 ? [(k - 1) * d + 1, kw, ci, co] : [kh, (k - 1) * d + 1, ci, co]);
}

/**
 * The layer's convolution; in a graph without quantizers (`unquantized`), 3×3 stride-1 layers take the Winograd
 * kernel where it is registered (wasm), whose different rounding would otherwise flip quantizer codes.
 */
function conv2d(layer: Conv2dLayer, x: tf.Tensor4D, w: tf.Tensor4D, unquantized: boolean): tf.Tensor4D {
  const [pt, pb, pl, pr] = layer.padding;
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [pt, pb], [pl, pr], [0, 0]];
  const filter = dilateAxis(dilateAxis(w, 0, layer.dilation[0]), 1, layer.dilation[1]);
  const stride: [number, number] = [layer.stride[0], layer.stride[1]];
  if (unquantized && layer.groups === 1 && stride[0] === 1 && stride[1] === 1) {
    const y = winogradConv2dOp(x, filter, pad);
    if (y) return y;
  }
  if (layer.groups === 1) return tf.conv2d(x, filter, stride, pad);
  const xs = tf.split(x, layer.groups, 3);
  const fs = tf.split(filter, layer.groups, 3);
  return tf.concat(xs.map((xg, g) => tf.conv2d(xg as tf.Tensor4D, fs[g] as tf.Tensor4D, stride, pad)), 3);
}

function pool(layer: PoolLayer, x: tf.Tensor4D): tf.Tensor4D {
  const [pt, pb, pl, pr] = layer.padding;
  const padded: tf.Tensor4D = pt + pb + pl + pr === 0 ? x : tf.pad(x, [[0, 0], [pt, pb], [pl, pr], [0, 0]], layer.kind === 'maxpool' ? -Infinity : 0);
  const size: [number, number] = [layer.kernel[0], layer.kernel[1]];
  const stride: [number, number] = [layer.stride[0], layer.stride[1]];
  return (layer.kind === 'maxpool' ? tf.maxPool(padded, size, stride, 'valid') : tf.avgPool(padded, size, stride, 'valid')) as tf.Tensor4D;
}

/** `x[:, ::s, ::s, :]` (reshape + slice per axis, which have gradients) with zero channels before and after. */
function shortcutPad(layer: ShortcutPadLayer, x: tf.Tensor4D): tf.Tensor4D {
  const s = layer.stride;
  let y = x;
  if (s > 1) {
    const [n, h, w, c] = x.shape;
    const ho = Math.ceil(h / s);
    const wo = Math.ceil(w / s);
    y = tf.pad(y, [[0, 0], [0, ho * s - h], [0, wo * s - w], [0, 0]]);
    y = tf.reshape(tf.slice(tf.reshape(y, [n * ho, s, wo * s * c]), [0, 0, 0], [n * ho, 1, wo * s * c]), [n, ho, wo * s, c]);
    y = tf.reshape(tf.slice(tf.reshape(y, [n * ho * wo, s, c]), [0, 0, 0], [n * ho * wo, 1, c]), [n, ho, wo, c]);
  }
  return layer.before + layer.after === 0 ? y : tf.pad(y, [[0, 0], [0, 0], [0, 0], [layer.before, layer.after]]);
}
