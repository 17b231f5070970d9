/**
 * SGD (momentum, Nesterov) and Adam on TF.js variables, built on TF.js's own optimiser classes, with what
 * compression training adds around them: L2 or decoupled weight decay, pruning masks (a hook masks the gradients
 * before the update and another re-zeroes pruned weights after it), frozen elements (restored after the update,
 * so momentum and decay cannot move them), clipping of latent weights, and a serialisable state for checkpoints.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Optimiser settings (plain JSON; stored in checkpoints). */
export interface OptimizerConfig {
  readonly kind: 'sgd' | 'adam';
  /** SGD momentum (torch convention, no dampening); 0 gives plain SGD. @default 0.9 */
  readonly momentum?: number;
  /** SGD: Nesterov momentum. @default false */
  readonly nesterov?: boolean;
  /** Adam β₁. @default 0.9 */
  readonly beta1?: number;
  /** Adam β₂. @default 0.999 */
  readonly beta2?: number;
  /** Adam ε (torch's default). @default 1e-8 */
  readonly epsilon?: number;
  /** Weight decay λ. @default 0 */
  readonly weightDecay?: number;
  /**
   * `false`: L2 decay, λ·w added to the gradient (torch `weight_decay`). `true`: decoupled decay,
   * w ← w·(1 − lr·λ) before the update (AdamW / SGDW). @default false
   */
  readonly decoupledWeightDecay?: boolean;
}

/** One trainable parameter as the optimiser sees it. Tensors are in the variable's layout. */
export interface OptimizerParam {
  /** Parameter name (torch style, e.g. `conv1.weight`); names optimiser state in checkpoints. */
  readonly name: string;
  readonly variable: tf.Variable;
  /** Whether weight decay applies. @default true */
  readonly decay?: boolean;
  /** Clip the latent weights to [−clip, clip] after every step (quantized layers). */
  readonly clip?: number;
}

/** Hooks around the update (pruning masks: {@link CompiledModel.maskGradients} and `applyMasks`). */
export interface OptimizerHooks {
  /** Masks the gradients (keyed by variable name) before weight decay and the update; may dispose its inputs. */
  readonly maskGradients?: (grads: tf.NamedTensorMap) => tf.NamedTensorMap;
  /** Runs after the update, e.g. to re-zero pruned weights. */
  readonly afterUpdate?: () => void;
}

/** Serialisable optimiser state: the iteration count and every slot tensor, named `<param>/<slot>`. */
export interface OptimizerState {
  readonly kind: 'sgd' | 'adam';
  readonly iterations: number;
  readonly slots: readonly { readonly name: string; readonly shape: readonly number[]; readonly data: Float32Array }[];
}

// Subclasses only to reach what the stock classes keep protected: Adam's learning rate, and the
// learning-rate scalar MomentumOptimizer.dispose forgets to free.
class Momentum extends tf.MomentumOptimizer {
  override dispose(): void {
    super.dispose();
    this.c.dispose();
  }
}
class Adam extends tf.AdamOptimizer {
  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }

  /**
   * TF.js restores β^t with one `pow`, while training reaches it by one float32 multiplication per step; the
   * last-bit difference changes later updates (and, in binarized layers, eventually flips signs). Recompute β^t
   * by the same float32 multiplications, so a resumed run continues bit for bit.
   */
  override async setWeights(weights: { name: string; tensor: tf.Tensor }[]): Promise<void> {
    await super.setWeights(weights);
    const power = (beta: number): number => {
      const b = Math.fround(beta);
      let acc = b;
      for (let t = 0; t < this.iterations; t++) acc = Math.fround(acc * b); // exact float32 products
      return acc;
    };
    // accBeta1/2 are private in the typings (tfjs-core 4.22.0, the pinned peer)
    const self = this as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
    tf.tidy(() => {
      self.accBeta1.assign(tf.scalar(power(this.beta1)));
      self.accBeta2.assign(tf.scalar(power(this.beta2)));
    });
  }
}
type Inner = tf.SGDOptimizer | Momentum | Adam;

/**
 * The training optimiser over a fixed, ordered list of parameters.
 *
 * @example
 * ```ts
 * const opt = new TrainingOptimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 }, params);
 * opt.setLearningRate(0.01);
 * const loss = opt.step(() => lossOf(batch)); // a kept scalar: read or dispose it
 * ```
 */
export class TrainingOptimizer {
  readonly config: OptimizerConfig;
  readonly params: readonly OptimizerParam[];
  readonly #hooks: OptimizerHooks;
  #inner: Inner;
  #lr = 0;
  #freeze = new Map<string, tf.Tensor>();

  /**
   * @param config - optimiser settings
   * @param params - the parameters, in a fixed order (state is matched by position and name)
   * @param hooks - gradient masking before and re-zeroing after the update
   * @throws RangeError for out-of-range settings or duplicate parameter names
   */
  constructor(config: OptimizerConfig, params: readonly OptimizerParam[], hooks: OptimizerHooks = {}) {
    checkOptimizerConfig(config);
    const names = new Set(params.map((p) => p.name));
    if (names.size !== params.length) throw new RangeError('TrainingOptimizer: parameter names must be unique');
    for (const p of params) {
      if (p.clip !== undefined && !(p.clip > 0)) throw new RangeError(`TrainingOptimizer: clip of ${p.name} must be > 0, got ${p.clip}`);
    }
    this.config = config;
    this.params = params;
    this.#hooks = hooks;
    this.#inner = this.#create();
  }

  /** The learning rate of the next step. */
  get learningRate(): number {
    return this.#lr;
  }

  /**
   * Sets the learning rate of the next steps.
   * @throws RangeError unless `lr` is finite and ≥ 0
   */
  setLearningRate(lr: number): void {
    if (!Number.isFinite(lr) || lr < 0) throw new RangeError(`TrainingOptimizer.setLearningRate: lr must be finite and ≥ 0, got ${lr}`);
    if (lr === this.#lr) return;
    this.#lr = lr;
    this.#inner.setLearningRate(lr);
  }

  /**
   * Freezes elements of parameters (hook gradient masks, 1 = update, 0 = keep the current value). Replaces the
   * previous set; the optimiser takes ownership of the given tensors and disposes them on replacement.
   *
   * @param masks - mask tensors by parameter name, in the variable's layout
   * @throws RangeError for an unknown name or a mask whose shape differs from the variable's
   */
  setFrozen(masks: ReadonlyMap<string, tf.Tensor>): void {
    for (const [name, mask] of masks) {
      const p = this.params.find((q) => q.name === name);
      if (!p) throw new RangeError(`TrainingOptimizer.setFrozen: no trainable parameter named ${name}`);
      if (!sameShape(p.variable.shape, mask.shape)) {
        throw new RangeError(`TrainingOptimizer.setFrozen: mask of ${name} has shape [${mask.shape}], the parameter [${p.variable.shape}]`);
      }
    }
    tf.dispose([...this.#freeze.values()]);
    this.#freeze = new Map(masks);
  }

  /**
   * One optimiser step: gradients of `loss` with respect to every parameter, gradient masks, decay, update,
   * re-zeroing, freezing and clipping. Every intermediate tensor is freed.
   *
   * @param loss - computes the scalar loss (runs under the gradient tape)
   * @returns the loss value as a kept scalar tensor (the caller disposes it)
   */
  step(loss: () => tf.Scalar): tf.Scalar {
    const { weightDecay: wd = 0, decoupledWeightDecay: decoupled = false } = this.config;
    return tf.tidy(() => {
      const computed = tf.variableGrads(loss, this.params.map((p) => p.variable));
      const grads = this.#hooks.maskGradients ? this.#hooks.maskGradients(computed.grads) : computed.grads;
      const named: { name: string; tensor: tf.Tensor }[] = [];
      const before = new Map<string, tf.Tensor>();
      for (const p of this.params) {
        const v = p.variable;
        let g: tf.Tensor | undefined = grads[v.name];
        const frozen = this.#freeze.get(p.name);
        if (frozen) before.set(p.name, tf.clone(v));
        if (g) {
          if (wd > 0 && !decoupled && p.decay !== false) g = tf.add(g, tf.mul(v, wd));
          if (frozen) g = tf.mul(g, frozen);
        }
        if (wd > 0 && decoupled && p.decay !== false) v.assign(tf.mul(v, 1 - this.#lr * wd));
        named.push({ name: v.name, tensor: g as tf.Tensor }); // an unreached parameter keeps its value (the optimisers skip it)
      }
      this.#inner.applyGradients(named);
      this.#hooks.afterUpdate?.();
      for (const p of this.params) {
        const frozen = this.#freeze.get(p.name);
        if (!frozen && p.clip === undefined) continue;
        let w: tf.Tensor = p.variable;
        if (frozen) w = tf.where(tf.cast(frozen, 'bool'), w, before.get(p.name)!);
        if (p.clip !== undefined) w = tf.clipByValue(w, -p.clip, p.clip);
        p.variable.assign(w);
      }
      return computed.value;
    });
  }

  /**
   * Copies the optimiser state out (for checkpoints).
   * @returns the iteration count and slot tensors (momentum buffers, Adam moments) by parameter
   */
  async getState(): Promise<OptimizerState> {
    const weights = await this.#inner.getWeights();
    const iterations = (await weights[0]!.tensor.data())[0]!;
    tf.dispose(weights[0]!.tensor); // the 'iter' scalar is created by getWeights
    const slotNames = this.#slotNames(weights.length - 1);
    const slots = await Promise.all(
      weights.slice(1).map(async (w, i) => ({ name: slotNames[i]!, shape: [...w.tensor.shape], data: (await w.tensor.data()) as Float32Array })),
    );
    return { kind: this.config.kind, iterations, slots };
  }

  /**
   * Restores a state written by {@link getState} for the same parameters (a fresh TF.js optimiser is built).
   * @throws RangeError when the state belongs to another optimiser kind or other parameters
   */
  async setState(state: OptimizerState): Promise<void> {
    const fn = 'TrainingOptimizer.setState';
    if (state.kind !== this.config.kind) throw new RangeError(`${fn}: the state is of a ${state.kind} optimiser, this one is ${this.config.kind}`);
    if (!Number.isInteger(state.iterations) || state.iterations < 0) throw new RangeError(`${fn}: iterations must be an integer ≥ 0, got ${state.iterations}`);
    const expected = this.#slotNames(state.slots.length);
    state.slots.forEach((s, i) => {
      if (s.name !== expected[i]) throw new RangeError(`${fn}: slot ${i} is ${s.name}, expected ${expected[i] ?? 'none'}`);
      const p = this.params[i % this.params.length]!;
      if (!sameShape(s.shape, p.variable.shape) || s.data.length !== p.variable.size) {
        throw new RangeError(`${fn}: slot ${s.name} has shape [${s.shape}], the parameter [${p.variable.shape}]`);
      }
    });
    const fresh = this.#create();
    const tensors: { name: string; tensor: tf.Tensor }[] = [
      { name: 'iter', tensor: tf.scalar(state.iterations, 'int32') },
      ...state.slots.map((s, i) => ({ name: `${this.params[i % this.params.length]!.variable.name}/${s.name.split('/').pop()!}`, tensor: tf.tensor(s.data, [...s.shape]) })),
    ];
    try {
      await fresh.setWeights(tensors);
    } finally {
      tf.dispose(tensors.map((t) => t.tensor)); // the optimiser's variables hold their own references
    }
    this.#inner.dispose();
    this.#inner = fresh;
  }

  /** Frees the TF.js optimiser, its slot variables and the frozen masks (not the parameters). */
  dispose(): void {
    this.#inner.dispose();
    tf.dispose([...this.#freeze.values()]);
    this.#freeze.clear();
  }

  #create(): Inner {
    const c = this.config;
    const lr = this.#lr;
    let inner: Inner;
    if (c.kind === 'adam') inner = new Adam(lr, c.beta1 ?? 0.9, c.beta2 ?? 0.999, c.epsilon ?? 1e-8);
    else if ((c.momentum ?? 0.9) === 0) inner = new tf.SGDOptimizer(lr);
    else inner = new Momentum(lr, c.momentum ?? 0.9, c.nesterov ?? false);
    return inner;
  }

  /** Names of `count` slots in TF.js's order: momentum per parameter, or Adam's first then second moments. */
  #slotNames(count: number): string[] {
    const kinds = this.config.kind === 'adam' ? ['m', 'v'] : count === 0 ? [] : ['momentum'];
    const names = kinds.flatMap((k) => this.params.map((p) => `${p.name}/${k}`));
    if (count !== names.length && count !== 0) {
      throw new RangeError(`TrainingOptimizer: optimiser state has ${count} slots, expected ${names.length} for ${this.params.length} parameters`);
    }
    return count === 0 ? [] : names;
  }
}

/**
 * Validates optimiser settings.
 * @throws RangeError naming the field and value
 */
export function checkOptimizerConfig(config: OptimizerConfig): void {
  const fn = 'checkOptimizerConfig';
  if (config.kind !== 'sgd' && config.kind !== 'adam') throw new RangeError(`${fn}: kind must be 'sgd' or 'adam', got ${String(config.kind)}`);
  const inUnit = (name: string, v: number | undefined, closed: boolean): void => {
    if (v === undefined) return;
    if (!Number.isFinite(v) || v < 0 || (closed ? v > 1 : v >= 1)) throw new RangeError(`${fn}: ${name} must be in [0, 1${closed ? ']' : ')'}, got ${v}`);
  };
  inUnit('momentum', config.momentum, false);
  inUnit('beta1', config.beta1, false);
  inUnit('beta2', config.beta2, false);
  if (config.epsilon !== undefined && !(config.epsilon > 0)) throw new RangeError(`${fn}: epsilon must be > 0, got ${config.epsilon}`);
  if (config.weightDecay !== undefined && !(Number.isFinite(config.weightDecay) && config.weightDecay >= 0)) {
    throw new RangeError(`${fn}: weightDecay must be finite and ≥ 0, got ${config.weightDecay}`);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
