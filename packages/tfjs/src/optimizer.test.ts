import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkOptimizerConfig, TrainingOptimizer, type OptimizerConfig, type OptimizerHooks, type OptimizerParam } from './optimizer.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const W0 = [0.5, -1.5, 2, 0.25];
const TARGET = [1, 1, -1, 0];

/** L = ½‖w − t‖², so ∂L/∂w = w − t; runs `steps` steps and returns the weights. */
function runTf(config: OptimizerConfig, steps: number, lr: number, extra: Partial<OptimizerParam> = {}, frozen?: number[], hooks?: (v: tf.Variable) => OptimizerHooks): number[] {
  const v = tf.tidy(() => tf.variable(tf.tensor1d(W0), true));
  const t = tf.tensor1d(TARGET);
  const opt = new TrainingOptimizer(config, [{ name: 'w', variable: v, ...extra }], hooks?.(v));
  opt.setLearningRate(lr);
  if (frozen) opt.setFrozen(new Map([['w', tf.tensor1d(frozen)]]));
  for (let i = 0; i < steps; i++) tf.dispose(opt.step(() => tf.mul(0.5, tf.sum(tf.square(tf.sub(v, t))))));
  const out = Array.from(v.dataSync());
  opt.dispose();
  tf.dispose([v, t]);
  return out;
}

/** Float64 reference of torch.optim.SGD / Adam on the same loss (torch's formulas, weight decay coupled). */
function reference(config: OptimizerConfig, steps: number, lr: number): number[] {
  const w = [...W0];
  const buf = w.map(() => 0);
  const m = w.map(() => 0);
  const s = w.map(() => 0);
  const { momentum = 0.9, nesterov = false, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0, decoupledWeightDecay = false } = config;
  for (let k = 1; k <= steps; k++) {
    for (let i = 0; i < w.length; i++) {
      let g = w[i]! - TARGET[i]!;
      if (decoupledWeightDecay) w[i]! *= 1 - lr * weightDecay;
      else g += weightDecay * w[i]!;
      if (config.kind === 'sgd') {
        buf[i] = momentum * buf[i]! + g;
        w[i]! -= lr * (nesterov ? g + momentum * buf[i]! : buf[i]!);
      } else {
        m[i] = beta1 * m[i]! + (1 - beta1) * g;
        s[i] = beta2 * s[i]! + (1 - beta2) * g * g;
        const mh = m[i]! / (1 - beta1 ** k);
        const sh = s[i]! / (1 - beta2 ** k);
        w[i]! -= (lr * mh) / (Math.sqrt(sh) + epsilon);
      }
    }
  }
  return w;
}

const close = (a: number[], b: number[], tol: number): void => {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(Math.abs(x - b[i]!)).toBeLessThanOrEqual(tol));
};

describe('TrainingOptimizer matches torch.optim formulas (float64 reference, float32 tolerance 1e-5)', () => {
  it.each<[string, OptimizerConfig]>([
    ['sgd', { kind: 'sgd', momentum: 0 }],
    ['sgd momentum', { kind: 'sgd', momentum: 0.9 }],
    ['sgd nesterov + L2', { kind: 'sgd', momentum: 0.8, nesterov: true, weightDecay: 0.01 }],
    ['sgd decoupled decay', { kind: 'sgd', momentum: 0.9, weightDecay: 0.1, decoupledWeightDecay: true }],
    ['adam', { kind: 'adam' }],
    ['adam L2', { kind: 'adam', weightDecay: 0.05 }],
    ['adamw', { kind: 'adam', beta1: 0.8, beta2: 0.99, weightDecay: 0.1, decoupledWeightDecay: true }],
  ])('%s', (_, config) => {
    close(runTf(config, 5, 0.1), reference(config, 5, 0.1), 1e-5);
  });
});

describe('masks, freezing and clipping', () => {
  it('pruning hooks: the gradient is masked before decay and update, pruned weights re-zeroed after', () => {
    const mask = tf.tensor1d([1, 0, 1, 0]);
    // the pruned entries start non-zero: only afterUpdate can make them zero
    const w = runTf({ kind: 'sgd', momentum: 0.9, weightDecay: 0.01 }, 4, 0.1, {}, undefined, (v) => ({
      maskGradients: (grads) => Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, mask)])),
      afterUpdate: () => v.assign(tf.mul(v, mask)),
    }));
    mask.dispose();
    expect([w[1] === 0, w[3] === 0]).toEqual([true, true]); // ±0: w · 0
    const ref = reference({ kind: 'sgd', momentum: 0.9, weightDecay: 0.01 }, 4, 0.1);
    close([w[0]!, w[2]!], [ref[0]!, ref[2]!], 1e-5);
  });

  it('frozen elements keep their value bit for bit despite momentum and decoupled decay', () => {
    const w = runTf({ kind: 'adam', weightDecay: 0.5, decoupledWeightDecay: true }, 3, 0.1, {}, [0, 1, 1, 0]);
    expect([w[0], w[3]]).toEqual([W0[0], W0[3]]);
    expect(w[1]).not.toBe(W0[1]);
  });

  it('clips latent weights after the step', () => {
    const w = runTf({ kind: 'sgd', momentum: 0 }, 1, 0.1, { clip: 1 });
    // plain SGD: 0.5−0.1·(−0.5) = 0.55; −1.5−0.1·(−2.5) = −1.25 → −1; 2−0.1·3 = 1.7 → 1; 0.25−0.025 = 0.225
    close(w, [0.55, -1, 1, 0.225], 1e-6);
  });

  it('rejects a frozen mask of the wrong shape or name', () => {
    const v = tf.variable(tf.zeros([3]));
    const opt = new TrainingOptimizer({ kind: 'sgd' }, [{ name: 'w', variable: v }]);
    const m = tf.ones([2]);
    expect(() => opt.setFrozen(new Map([['w', m]]))).toThrow(/shape \[2\]/);
    expect(() => opt.setFrozen(new Map([['x', m]]))).toThrow(/no trainable parameter named x/);
    opt.dispose();
    tf.dispose([v, m]);
  });
});

describe('state', () => {
  it.each<[string, OptimizerConfig]>([
    ['sgd momentum', { kind: 'sgd', momentum: 0.9, nesterov: true }],
    ['adam', { kind: 'adam', weightDecay: 0.01 }],
  ])('%s: a restored optimiser continues bit for bit like the uninterrupted one', async (_, config) => {
    const t = tf.tensor1d(TARGET);
    const loss = (v: tf.Variable) => (): tf.Scalar => tf.mul(0.5, tf.sum(tf.pow(tf.sub(v, t), 4)));
    const a = tf.variable(tf.tensor1d(W0));
    const optA = new TrainingOptimizer(config, [{ name: 'w', variable: a }]);
    optA.setLearningRate(0.01);
    for (let i = 0; i < 40; i++) tf.dispose(optA.step(loss(a)));
    const state = await optA.getState();
    expect(state.iterations).toBe(40);
    expect(state.slots.map((s) => s.name)).toEqual(config.kind === 'adam' ? ['w/m', 'w/v'] : ['w/momentum']);

    const b = tf.variable(tf.tensor1d(a.dataSync()));
    const optB = new TrainingOptimizer(config, [{ name: 'w', variable: b }]);
    optB.setLearningRate(0.01);
    await optB.setState(JSON.parse(JSON.stringify({ ...state, slots: state.slots.map((s) => ({ ...s, data: [...s.data] })) }), (k, v: unknown) => (k === 'data' ? Float32Array.from(v as number[]) : v)));
    for (let i = 0; i < 5; i++) {
      tf.dispose(optA.step(loss(a)));
      tf.dispose(optB.step(loss(b)));
    }
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync())); // bit for bit (Adam: β^t as in training)
    optA.dispose();
    optB.dispose();
    tf.dispose([a, b, t]);
  });

  it('rejects a state of another kind or other parameters', async () => {
    const v = tf.variable(tf.zeros([2]));
    const opt = new TrainingOptimizer({ kind: 'sgd' }, [{ name: 'w', variable: v }]);
    await expect(opt.setState({ kind: 'adam', iterations: 0, slots: [] })).rejects.toThrow(/adam optimiser/);
    await expect(opt.setState({ kind: 'sgd', iterations: 1, slots: [{ name: 'w/momentum', shape: [3], data: new Float32Array(3) }] })).rejects.toThrow(/shape \[3\]/);
    await expect(opt.setState({ kind: 'sgd', iterations: 1, slots: [{ name: 'u/momentum', shape: [2], data: new Float32Array(2) }] })).rejects.toThrow(/expected w\/momentum/);
    opt.dispose();
    v.dispose();
  });

  it('frees everything: no tensor leaks across steps, state round trips and dispose', async () => {
    const before = tf.memory().numTensors;
    const v = tf.tidy(() => tf.variable(tf.randomNormal([8, 4])));
    const mask = tf.ones([8, 4]);
    const hooks: OptimizerHooks = {
      maskGradients: (grads) => Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, mask)])),
      afterUpdate: () => v.assign(tf.mul(v, mask)),
    };
    const opt = new TrainingOptimizer({ kind: 'adam', weightDecay: 0.1, decoupledWeightDecay: true }, [{ name: 'w', variable: v, clip: 1 }], hooks);
    opt.setLearningRate(0.1);
    opt.setFrozen(new Map([['w', tf.ones([8, 4])]]));
    tf.dispose(opt.step(() => tf.sum(tf.square(v))));
    const afterOne = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tf.dispose(opt.step(() => tf.sum(tf.square(v))));
    await opt.setState(await opt.getState());
    tf.dispose(opt.step(() => tf.sum(tf.square(v))));
    expect(tf.memory().numTensors).toBe(afterOne);
    opt.dispose();
    tf.dispose([v, mask]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('checkOptimizerConfig', () => {
  it.each<[Record<string, unknown>, RegExp]>([
    [{ kind: 'rmsprop' }, /kind must be/],
    [{ kind: 'sgd', momentum: 1 }, /momentum must be in \[0, 1\)/],
    [{ kind: 'adam', beta2: -0.1 }, /beta2/],
    [{ kind: 'adam', epsilon: 0 }, /epsilon/],
    [{ kind: 'sgd', weightDecay: Number.NaN }, /weightDecay/],
  ])('rejects %j', (config, message) => {
    expect(() => checkOptimizerConfig(config as unknown as OptimizerConfig)).toThrow(message);
  });
});
