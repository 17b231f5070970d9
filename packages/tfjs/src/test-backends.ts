// Test helper (excluded from the build): both TF.js backends loaded, gradients registered, nothing replaced.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients: the @tensorflow/tfjs bundle imports this file, tfjs-core users must.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { randomArray, rng } from '@quantprune/test-utils';
export { randomArray, rng };

/** The backends every TF.js test runs on. */
export const BACKENDS: readonly ('cpu' | 'wasm')[] = ['wasm', 'cpu'];

/** Selects `name` and waits until it is ready. */
export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
}

/** max |a − b| / max |b| (the relative error of a against the reference b, in the ∞-norm). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relativeError: lengths ${a.length} and ${b.length} differ`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}
