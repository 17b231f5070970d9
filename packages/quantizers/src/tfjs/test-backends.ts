// Test helper (excluded from the build): both TF.js backends under test, set explicitly per suite.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients: the @tensorflow/tfjs bundle imports this file, tfjs-core users must.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

/** The backends every TF.js test runs on. */
export const BACKENDS: readonly ('cpu' | 'wasm')[] = ['cpu', 'wasm'];

/** Selects `name` and waits until it is ready. */
export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
}

/** Runs `f` and returns its tensor's values as a Float32Array, disposing everything it created. */
export function run(f: () => tf.Tensor): Float32Array {
  return tf.tidy(() => f().dataSync() as Float32Array);
}
