// Test helpers (excluded from the build): random parameters, layout conversion, CIFAR images.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getParam, paramNames, setParam, type Graph } from '@quantprune/graph';
import { randomArray, rng } from './test-backends.ts';

/** Gives every parameter seeded random values (running variances positive) so no layer is an identity. */
export function randomizeParams(graph: Graph, seed: number): Graph {
  const rand = rng(seed);
  for (const name of paramNames(graph)) {
    const n = getParam(graph, name).data.length;
    if (name.endsWith('.running_var')) setParam(graph, name, randomArray(n, rand, 0.5, 2));
    else if (name.endsWith('.running_mean')) setParam(graph, name, randomArray(n, rand, -0.2, 0.2));
    else if (name.endsWith('.weight') && getParam(graph, name).shape.length === 1) setParam(graph, name, randomArray(n, rand, 0.5, 1.5));
    else setParam(graph, name, Float32Array.from(getParam(graph, name).data, () => (rand() - 0.5) * 0.4));
  }
  return graph;
}

/** NCHW → NHWC for a batch of `n` samples `[c, h, w]`. */
export function toNhwc(x: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < h * w; i++) out[(b * h * w + i) * c + ch] = x[(b * c + ch) * h * w + i]!;
  return out;
}

/** The data folder of the real datasets, or undefined (tests that need it are skipped). */
export const DATA_DIR: string | undefined = process.env['QUANTPRUNE_DATA_DIR'];

/**
 * The first `n` CIFAR-10 test images of shared/datasets (official binary records), NCHW, normalised as the
 * pretrained ResNets expect: RGB/255, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225) (datasets README).
 */
export function cifarTestImages(dir: string, n: number): { images: Float32Array; labels: Uint8Array } {
  const bytes = readFileSync(join(dir, 'cifar10', 'test_batch_first1000.bin'));
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const images = new Float32Array(n * 3072);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = bytes[i * 3073]!;
    for (let j = 0; j < 3072; j++) {
      const c = Math.floor(j / 1024);
      images[i * 3072 + j] = (bytes[i * 3073 + 1 + j]! / 255 - mean[c]!) / std[c]!;
    }
  }
  return { images, labels };
}
