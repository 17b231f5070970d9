import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '/work/main/packages/tfjs/src/backend.ts';
import { crossEntropyPerExample } from '/work/main/packages/tfjs/src/losses.ts';
await initBackend('wasm');
const y = tf.tensor1d([0, 2], 'int32');
console.log(tf.oneHot(y, 3, 1, 0, 'float32').dataSync(), tf.oneHot(y, 3).dataSync());
console.log(crossEntropyPerExample(tf.tensor2d([[1,2,3],[1,2,3]]), y).dataSync());
