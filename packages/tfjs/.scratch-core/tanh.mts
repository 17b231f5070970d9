import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/index.ts';
await initBackend('wasm');
const x = tf.randomNormal([64, 32, 32, 16]);
const t = (name: string, f: () => tf.Tensor) => { const ts: number[] = []; for (let i = 0; i < 15; i++) { const t0 = performance.now(); tf.tidy(() => f().dataSync()); ts.push(performance.now() - t0); } ts.sort((a, b) => a - b); console.log(name.padEnd(24), ts[7]!.toFixed(2), 'ms'); };
for (let r = 0; r < 2; r++) {
  t('tanh', () => tf.tanh(x));
  t('2*sigmoid(2x)-1', () => tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1));
  t('sigmoid', () => tf.sigmoid(x));
  t('exp', () => tf.exp(x));
  t('mul', () => tf.mul(x, 2));
}
const a = tf.tanh(x).dataSync(), b = tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1).dataSync();
let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!)); console.log('max abs diff', m);
