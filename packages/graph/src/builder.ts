/**
 * A small builder for IR graphs with seeded, torch-like weight initialisation.
 *
 * Initialisation (the same distributions as PyTorch and Paper A's code, drawn from one seeded stream in layer
 * order, weight before bias):
 * - conv2d weight: Kaiming-normal, mode fan_out, gain √2 (`nn.init.kaiming_normal_(w, mode='fan_out',
 *   nonlinearity='relu')`, as torchvision and Paper A's `init_model` do): N(0, 2 / (out · kh · kw));
 *   conv bias: torch's default U(±1/√fan_in), fan_in = in/groups · kh · kw;
 * - dense weight and bias: torch's default `nn.Linear` init, U(±1/√in);
 * - batchnorm: γ = 1, β = 0, running mean 0, running variance 1 (eps 1e-5, momentum 0.1 unless given);
 * - prelu: 0.25 (torch's default).
 */
import { createPrng, type Prng } from './internal/prng.ts';
import type { Graph, Layer, Pad4, PreluLayer, Tensor } from './types.ts';

/** Options of {@link GraphBuilder}. */
export interface GraphBuilderOptions {
  /** Seed of the weight initialisation. @default 0 */
  readonly seed?: number;
}

/** Options of {@link GraphBuilder.conv2d}. */
export interface ConvOptions {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Kernel size, square or `[kh, kw]`. */
  readonly kernel: number | readonly [number, number];
  /** @default 1 */
  readonly stride?: number | readonly [number, number];
  /** Zero padding: one value for all sides or `[top, bottom, left, right]`. @default 0 */
  readonly padding?: number | Pad4;
  /** @default 1 */
  readonly dilation?: number | readonly [number, number];
  /** @default 1 */
  readonly groups?: number;
  /** @default false (the convs of ResNets have none) */
  readonly bias?: boolean;
}

/** Options of {@link GraphBuilder.dense}. */
export interface DenseOptions {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** @default true (torch's default) */
  readonly bias?: boolean;
}

/** Options of {@link GraphBuilder.batchnorm}. */
export interface BatchNormOptions {
  readonly channels: number;
  /** Learnable γ and β. @default true */
  readonly affine?: boolean;
  /** @default 1e-5 */
  readonly eps?: number;
  /** @default 0.1 */
  readonly momentum?: number;
}

/** Options of {@link GraphBuilder.prelu}. */
export interface PreluOptions {
  /** Number of slopes (1 = one shared slope). @default 1 */
  readonly channels?: number;
  /**
   * Name of an earlier prelu layer whose slope tensor this layer reuses (the same `Tensor` object): one torch
   * module applied twice, as Paper A's blocks do. Tied tensors count once in parameter counts and sizes.
   */
  readonly tiedTo?: string;
}

/** Options of {@link GraphBuilder.maxpool} and {@link GraphBuilder.avgpool}. */
export interface PoolOptions {
  readonly kernel: number | readonly [number, number];
  /** @default kernel */
  readonly stride?: number | readonly [number, number];
  /** @default 0 */
  readonly padding?: number | Pad4;
}

/**
 * Builds a {@link Graph} layer by layer. Each method appends one layer and returns its name, to be passed as the
 * input of the next layers.
 *
 * @example
 * ```ts
 * const b = new GraphBuilder('tiny', { seed: 1 });
 * let x = b.input([1, 28, 28]);
 * x = b.conv2d('conv1', x, { inChannels: 1, outChannels: 4, kernel: 3, padding: 1 });
 * x = b.relu('relu1', x);
 * x = b.flatten('flatten', x);
 * const graph = b.build(b.dense('fc', x, { inFeatures: 4 * 28 * 28, outFeatures: 10 }));
 * ```
 */
export class GraphBuilder {
  readonly #name: string;
  readonly #rng: Prng;
  readonly #layers: Layer[] = [];
  readonly #byName = new Map<string, Layer>();

  /**
   * @param name - the graph's name
   * @param options - seed of the initialisation
   * @throws RangeError when the seed is not a safe integer
   */
  constructor(name: string, options: GraphBuilderOptions = {}) {
    this.#name = name;
    this.#rng = createPrng(options.seed ?? 0);
  }

  /** Adds the input layer with a per-sample shape (`[C, H, W]` or `[F]`). */
  input(shape: readonly number[], name = 'input'): string {
    checkDims('GraphBuilder.input', 'shape', shape);
    return this.#add({ kind: 'input', name, inputs: [], shape: [...shape] });
  }

  /** Adds a conv2d layer with Kaiming-normal (fan_out) weights and, if asked, a torch-default bias. */
  conv2d(name: string, input: string, options: ConvOptions): string {
    const fn = 'GraphBuilder.conv2d';
    const { inChannels, outChannels } = options;
    const groups = options.groups ?? 1;
    const kernel = pair(fn, 'kernel', options.kernel);
    checkDims(fn, 'inChannels/outChannels/groups', [inChannels, outChannels, groups]);
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new RangeError(`${fn}: layer "${name}": groups ${groups} must divide inChannels ${inChannels} and outChannels ${outChannels}`);
    }
    const shape = [outChannels, inChannels / groups, kernel[0], kernel[1]];
    const weight = this.#normal(shape, Math.sqrt(2 / (outChannels * kernel[0] * kernel[1])));
    const bias = options.bias ? this.#uniform([outChannels], 1 / Math.sqrt((inChannels / groups) * kernel[0] * kernel[1])) : undefined;
    return this.#add({
      kind: 'conv2d',
      name,
      inputs: [input],
      inChannels,
      outChannels,
      kernel,
      stride: pair(fn, 'stride', options.stride ?? 1),
      padding: pad4(fn, options.padding ?? 0),
      dilation: pair(fn, 'dilation', options.dilation ?? 1),
      groups,
      weight,
      ...(bias ? { bias } : {}),
    });
  }

  /** Adds a dense layer with torch's default initialisation, U(±1/√in) for weight and bias. */
  dense(name: string, input: string, options: DenseOptions): string {
    const { inFeatures, outFeatures } = options;
    checkDims('GraphBuilder.dense', 'inFeatures/outFeatures', [inFeatures, outFeatures]);
    const bound = 1 / Math.sqrt(inFeatures);
    const weight = this.#uniform([outFeatures, inFeatures], bound);
    const bias = (options.bias ?? true) ? this.#uniform([outFeatures], bound) : undefined;
    return this.#add({ kind: 'dense', name, inputs: [input], inFeatures, outFeatures, weight, ...(bias ? { bias } : {}) });
  }

  /** Adds a batchnorm layer: γ = 1, β = 0 (when affine), running mean 0, running variance 1. */
  batchnorm(name: string, input: string, options: BatchNormOptions): string {
    const { channels } = options;
    checkDims('GraphBuilder.batchnorm', 'channels', [channels]);
    const affine = options.affine ?? true;
    return this.#add({
      kind: 'batchnorm',
      name,
      inputs: [input],
      channels,
      eps: options.eps ?? 1e-5,
      momentum: options.momentum ?? 0.1,
      ...(affine ? { weight: filled([channels], 1), bias: filled([channels], 0) } : {}),
      runningMean: filled([channels], 0),
      runningVar: filled([channels], 1),
    });
  }

  /** Adds a ReLU. */
  relu(name: string, input: string): string {
    return this.#add({ kind: 'relu', name, inputs: [input] });
  }

  /** Adds a PReLU with slopes 0.25, or one that reuses an earlier PReLU's slope tensor (`tiedTo`). */
  prelu(name: string, input: string, options: PreluOptions = {}): string {
    let weight: Tensor;
    if (options.tiedTo !== undefined) {
      const other = this.#byName.get(options.tiedTo);
      if (other?.kind !== 'prelu') {
        throw new RangeError(`GraphBuilder.prelu: layer "${name}": tiedTo "${options.tiedTo}" is not an earlier prelu layer`);
      }
      weight = (other as PreluLayer).weight;
    } else {
      const channels = options.channels ?? 1;
      checkDims('GraphBuilder.prelu', 'channels', [channels]);
      weight = filled([channels], 0.25);
    }
    return this.#add({ kind: 'prelu', name, inputs: [input], weight });
  }

  /** Adds a hardtanh, clamp to [min, max] (default [−1, 1]). */
  hardtanh(name: string, input: string, min = -1, max = 1): string {
    if (!(min < max)) throw new RangeError(`GraphBuilder.hardtanh: layer "${name}": min ${min} must be below max ${max}`);
    return this.#add({ kind: 'hardtanh', name, inputs: [input], min, max });
  }

  /** Adds a sign activation. */
  sign(name: string, input: string): string {
    return this.#add({ kind: 'sign', name, inputs: [input] });
  }

  /** Adds a max pooling layer. */
  maxpool(name: string, input: string, options: PoolOptions): string {
    return this.#pool('maxpool', name, input, options);
  }

  /** Adds an average pooling layer. */
  avgpool(name: string, input: string, options: PoolOptions): string {
    return this.#pool('avgpool', name, input, options);
  }

  /** Adds a global average pooling layer. */
  globalAvgPool(name: string, input: string): string {
    return this.#add({ kind: 'globalavgpool', name, inputs: [input] });
  }

  /** Adds an element-wise sum of two or more inputs (residual join). */
  add(name: string, inputs: readonly string[]): string {
    if (inputs.length < 2) throw new RangeError(`GraphBuilder.add: layer "${name}": needs at least 2 inputs, got ${inputs.length}`);
    return this.#add({ kind: 'add', name, inputs: [...inputs] });
  }

  /** Adds a flatten layer. */
  flatten(name: string, input: string): string {
    return this.#add({ kind: 'flatten', name, inputs: [input] });
  }

  /** Adds an option-A shortcut: `x[:, ::stride, ::stride]` zero-padded with `before` and `after` channels. */
  shortcutPad(name: string, input: string, options: { readonly stride: number; readonly before: number; readonly after: number }): string {
    const { stride, before, after } = options;
    if (!(Number.isInteger(stride) && stride >= 1 && Number.isInteger(before) && before >= 0 && Number.isInteger(after) && after >= 0)) {
      throw new RangeError(`GraphBuilder.shortcutPad: layer "${name}": stride must be a positive integer and before/after non-negative integers, got ${stride}/${before}/${after}`);
    }
    return this.#add({ kind: 'shortcut-pad', name, inputs: [input], stride, before, after });
  }

  /**
   * Returns the graph. The builder must not be used afterwards (the graph shares its layer list).
   *
   * @param output - name of the output layer @default the last layer added
   * @throws RangeError when no layer was added or `output` is unknown
   */
  build(output?: string): Graph {
    const last = this.#layers[this.#layers.length - 1];
    const out = output ?? last?.name;
    if (out === undefined || !this.#byName.has(out)) throw new RangeError(`GraphBuilder.build: unknown output layer ${JSON.stringify(out)}`);
    return { name: this.#name, layers: this.#layers, output: out };
  }

  #pool(kind: 'maxpool' | 'avgpool', name: string, input: string, options: PoolOptions): string {
    const fn = `GraphBuilder.${kind}`;
    const kernel = pair(fn, 'kernel', options.kernel);
    return this.#add({
      kind,
      name,
      inputs: [input],
      kernel,
      stride: pair(fn, 'stride', options.stride ?? kernel),
      padding: pad4(fn, options.padding ?? 0),
    });
  }

  #add(layer: Layer): string {
    if (this.#byName.has(layer.name)) throw new RangeError(`GraphBuilder: duplicate layer name "${layer.name}"`);
    for (const i of layer.inputs) {
      if (!this.#byName.has(i)) throw new RangeError(`GraphBuilder: layer "${layer.name}" reads unknown layer "${i}"`);
    }
    this.#layers.push(layer);
    this.#byName.set(layer.name, layer);
    return layer.name;
  }

  #normal(shape: readonly number[], std: number): Tensor {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = this.#rng.normal() * std;
    return { shape, data };
  }

  #uniform(shape: readonly number[], bound: number): Tensor {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = (2 * this.#rng.uniform() - 1) * bound;
    return { shape, data };
  }
}

function filled(shape: readonly number[], value: number): Tensor {
  return { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value) };
}

function checkDims(fn: string, what: string, dims: readonly number[]): void {
  if (dims.length === 0 || dims.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw new RangeError(`${fn}: ${what} must be positive integers, got [${dims.join(', ')}]`);
  }
}

function pair(fn: string, what: string, v: number | readonly [number, number]): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  checkDims(fn, what, p);
  return p;
}

function pad4(fn: string, v: number | Pad4): Pad4 {
  const p: Pad4 = typeof v === 'number' ? [v, v, v, v] : [v[0], v[1], v[2], v[3]];
  if (p.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new RangeError(`${fn}: padding must be non-negative integers, got [${p.join(', ')}]`);
  return p;
}
