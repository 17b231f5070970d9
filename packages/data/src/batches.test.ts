import { describe, expect, it } from 'vitest';
import { batches, batchesAsync } from './batches.ts';
import { memoryDataset } from './memory-dataset.ts';
import { rng } from './test-fixtures.ts';
import type { Batch, ImageDataset } from './types.ts';

/** `count` random H×W×C images with labels i mod classes. */
function synthetic(count: number, H = 6, W = 5, C = 3, seed = 1): ImageDataset {
  const r = rng(seed);
  const pixels = Uint8Array.from({ length: count * H * W * C }, () => Math.floor(r() * 256));
  return memoryDataset({ name: 'toy', split: 'train', height: H, width: W, channels: C, classes: 7, labels: Uint8Array.from({ length: count }, (_, i) => i % 7), pixels });
}

const CIFAR_MEAN = [0.4914, 0.4822, 0.4465]; // CIFAR-10 channel means (widely used values)
const CIFAR_STD = [0.247, 0.243, 0.261];

describe('batches without augmentation', () => {
  it('nhwc: x / 255 in dataset order, partial last batch, batch index', () => {
    const ds = synthetic(10);
    const out = [...batches(ds, { batchSize: 4 })];
    expect(out.map((b) => [b.index, b.size, ...b.shape])).toEqual([
      [0, 4, 4, 6, 5, 3],
      [1, 4, 4, 6, 5, 3],
      [2, 2, 2, 6, 5, 3],
    ]);
    const all = out.flatMap((b) => Array.from(b.images));
    const labels = out.flatMap((b) => Array.from(b.labels));
    expect(labels).toEqual(Array.from(ds.labels));
    for (let i = 0; i < 10; i++) {
      const img = ds.image(i);
      for (let k = 0; k < img.length; k++) if (all[i * 90 + k] !== Math.fround(img[k]! / 255)) expect.fail(`image ${i} value ${k}`);
    }
  });

  it('dropLast and limit', () => {
    const ds = synthetic(10);
    expect([...batches(ds, { batchSize: 4, dropLast: true })].map((b) => b.size)).toEqual([4, 4]);
    expect([...batches(ds, { batchSize: 4, limit: 5 })].map((b) => Array.from(b.labels))).toEqual([[0, 1, 2, 3], [4]]);
    expect([...batches(ds, { batchSize: 4, limit: 0 })]).toEqual([]);
  });

  it('nchw is the transpose of nhwc; normalisation is (x / 255 - mean) / std per channel', () => {
    const ds = synthetic(3);
    const normalize = { mean: CIFAR_MEAN, std: CIFAR_STD };
    const [a] = [...batches(ds, { batchSize: 3, normalize })] as [Batch];
    const [b] = [...batches(ds, { batchSize: 3, normalize, layout: 'nchw' })] as [Batch];
    expect(b.shape).toEqual([3, 3, 6, 5]);
    for (let n = 0; n < 3; n++) {
      const img = ds.image(n);
      for (let y = 0; y < 6; y++) {
        for (let x = 0; x < 5; x++) {
          for (let c = 0; c < 3; c++) {
            const v = a.images[((n * 6 + y) * 5 + x) * 3 + c]!;
            expect(b.images[((n * 3 + c) * 6 + y) * 5 + x]).toBe(v);
            // float32 tolerance: the table is computed in float64 and rounded once
            expect(Math.abs(v - (img[(y * 5 + x) * 3 + c]! / 255 - CIFAR_MEAN[c]!) / CIFAR_STD[c]!)).toBeLessThan(1e-6);
          }
        }
      }
    }
  });

  it('every batch has fresh arrays that later batches never overwrite', () => {
    const ds = synthetic(8);
    const it = batches(ds, { batchSize: 4 })[Symbol.iterator]();
    const first = it.next().value as Batch;
    const copy = first.images.slice();
    const second = it.next().value as Batch;
    expect(second.images.buffer).not.toBe(first.images.buffer);
    expect(first.images).toEqual(copy);
  });
});

describe('augmentation: random crop with zero padding and horizontal flip', () => {
  /** All (dy, dx, flip) windows of the zero-padded image whose float values equal `got`. */
  function matchingWindows(img: Uint8Array, H: number, W: number, C: number, pad: number, size: number, got: Float32Array): string[] {
    const hits: string[] = [];
    for (let dy = 0; dy <= H + 2 * pad - size; dy++) {
      for (let dx = 0; dx <= W + 2 * pad - size; dx++) {
        for (const flip of [false, true]) {
          let same = true;
          for (let y = 0; y < size && same; y++) {
            for (let x = 0; x < size && same; x++) {
              const sy = dy + y - pad;
              const sx = (flip ? dx + size - 1 - x : dx + x) - pad;
              for (let c = 0; c < C; c++) {
                const v = sy < 0 || sy >= H || sx < 0 || sx >= W ? 0 : img[(sy * W + sx) * C + c]!;
                if (got[(y * size + x) * C + c] !== Math.fround(v / 255)) same = false;
              }
            }
          }
          if (same) hits.push(`${dy},${dx},${flip}`);
        }
      }
    }
    return hits;
  }

  it('every output is a window of the padded image, flipped or not; draws cover the range', () => {
    const H = 8, W = 8, C = 3, pad = 2;
    const ds = synthetic(200, H, W, C, 5);
    const windows = new Set<string>();
    let flips = 0;
    // Without shuffling, row k of batch b is example 50 b + k.
    for (const b of batches(ds, { batchSize: 50, seed: 9, augment: { crop: { padding: pad }, flip: true } })) {
      for (let k = 0; k < b.size; k++) {
        const i = b.index * 50 + k;
        const got = b.images.subarray(k * H * W * C, (k + 1) * H * W * C);
        const hits = matchingWindows(ds.image(i), H, W, C, pad, H, got);
        expect(hits.length, `example ${i}`).toBeGreaterThan(0);
        const [dy, dx, flip] = hits[0]!.split(',');
        windows.add(`${dy},${dx}`);
        if (flip === 'true') flips++;
      }
    }
    expect(windows.size).toBe(25); // all 5 × 5 offsets occur over 200 draws
    expect(flips).toBeGreaterThan(70); // ~100 expected
    expect(flips).toBeLessThan(130);
  });

  it('a crop size smaller than the image changes the batch shape', () => {
    const ds = synthetic(4, 8, 8, 1);
    const [b] = [...batches(ds, { batchSize: 4, augment: { crop: { size: 5, padding: 0 } }, layout: 'nchw' })] as [Batch];
    expect(b.shape).toEqual([4, 1, 5, 5]);
    for (let k = 0; k < 4; k++) {
      expect(matchingWindows(ds.image(k), 8, 8, 1, 0, 5, b.images.subarray(k * 25, (k + 1) * 25)).length).toBeGreaterThan(0);
    }
  });
});

describe('seeded shuffling and resumption', () => {
  const ds = synthetic(103, 4, 4, 3, 2);
  const options = { batchSize: 16, shuffle: true, seed: 42, augment: { crop: { padding: 2 }, flip: true }, normalize: { mean: CIFAR_MEAN, std: CIFAR_STD } };

  it('each epoch visits every example exactly once, in an order that depends on (seed, epoch)', () => {
    const ids = (seed: number, epoch: number): number[] => {
      // A dataset whose single pixel is its own index reveals the visiting order.
      const idDs = memoryDataset({ name: 'ids', split: 'train', height: 1, width: 1, channels: 1, classes: 1, labels: new Uint8Array(103), pixels: Uint8Array.from({ length: 103 }, (_, i) => i) });
      return [...batches(idDs, { batchSize: 16, shuffle: true, seed, epoch })].flatMap((b) => Array.from(b.images, (v) => Math.round(v * 255)));
    };
    const e0 = ids(42, 0);
    expect([...e0].sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(e0).not.toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(ids(42, 0)).toEqual(e0);
    expect(ids(42, 1)).not.toEqual(e0);
    expect(ids(43, 0)).not.toEqual(e0);
  });

  it('startBatch = k reproduces batches k, k+1, … of the uninterrupted epoch exactly (images, labels, index)', () => {
    for (const epoch of [0, 3]) {
      const full = [...batches(ds, { ...options, epoch })];
      expect(full.length).toBe(7);
      for (const k of [1, 4, 6, 7]) {
        const resumed = [...batches(ds, { ...options, epoch, startBatch: k })];
        expect(resumed.length).toBe(full.length - k);
        resumed.forEach((b, j) => {
          const ref = full[k + j]!;
          expect(b.index).toBe(ref.index);
          expect(b.labels).toEqual(ref.labels);
          expect(b.images).toEqual(ref.images);
        });
      }
    }
    // The augmentation of an example depends on (seed, epoch, example), not on its position.
    const a = [...batches(ds, { ...options, epoch: 2, limit: 103 })];
    const b = [...batches(ds, { ...options, epoch: 3 })];
    expect(a.map((x) => Array.from(x.images))).not.toEqual(b.map((x) => Array.from(x.images)));
  });

  it('batchesAsync yields exactly what batches yields', async () => {
    const sync = [...batches(ds, { ...options, startBatch: 2 })];
    const got: Batch[] = [];
    for await (const b of batchesAsync(ds, { ...options, startBatch: 2 })) got.push(b);
    expect(got).toEqual(sync);
  });
});

describe('option validation (RangeError naming the function and value, at call time)', () => {
  const ds = synthetic(10);
  it.each([
    [{ batchSize: 0 }, /^batches(Async)?: batchSize must be a positive integer, got 0$/],
    [{ batchSize: 2.5 }, /batchSize must be a positive integer, got 2\.5/],
    [{ batchSize: 4, seed: -1 }, /seed must be an integer in \[0, 2\^32\), got -1/],
    [{ batchSize: 4, epoch: 0.5 }, /epoch must be an integer/],
    [{ batchSize: 4, startBatch: 4 }, /startBatch must be an integer in \[0, 3\] \(batches in the epoch\), got 4/],
    [{ batchSize: 4, limit: 11 }, /limit must be an integer in \[0, 10\]/],
    [{ batchSize: 4, layout: 'chw' as 'nchw' }, /layout must be 'nhwc' or 'nchw', got chw/],
    [{ batchSize: 4, augment: { crop: { padding: -1 } } }, /augment\.crop\.padding must be a non-negative integer, got -1/],
    [{ batchSize: 4, augment: { crop: { size: 20, padding: 2 } } }, /augment\.crop\.size 20 is larger than the padded image \(10 × 9\)/],
    [{ batchSize: 4, normalize: { mean: [0], std: [1] } }, /need 3 values \(one per channel\), got 1 and 1/],
    [{ batchSize: 4, normalize: { mean: [0, 0, 0], std: [1, 0, 1] } }, /normalize\.std\[1\] must be a positive finite number, got 0/],
  ])('%j', (options, message) => {
    expect(() => batches(ds, options)).toThrow(RangeError);
    expect(() => batches(ds, options)).toThrow(message);
    expect(() => batchesAsync(ds, options)).toThrow(message);
  });
});
