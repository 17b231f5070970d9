import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { batches } from './batches.ts';
import { memoryDataset } from './memory-dataset.ts';

/** A 2×2 single-channel dataset whose pixels encode the example index (i mod 256 and i div 256). */
function indexed(count: number): ReturnType<typeof memoryDataset> {
  const pixels = new Uint8Array(count * 4);
  for (let i = 0; i < count; i++) pixels.set([i & 255, i >> 8, 0, 255], i * 4);
  return memoryDataset({ name: 'ids', split: 'train', height: 2, width: 2, channels: 1, classes: 1, labels: new Uint8Array(count), pixels });
}

const visited = (images: Float32Array): number[] => {
  const ids: number[] = [];
  for (let k = 0; k < images.length; k += 4) ids.push(Math.round(images[k]! * 255) + 256 * Math.round(images[k + 1]! * 255));
  return ids;
};

const args = [
  fc.integer({ min: 1, max: 600 }), // examples
  fc.integer({ min: 1, max: 70 }), // batch size
  fc.nat({ max: 0xffffffff }), // seed
  fc.nat({ max: 1000 }), // epoch
  fc.boolean(), // dropLast
] as const;

test.prop([...args, fc.double({ min: 0, max: 1, noNaN: true })])(
  'a resumed epoch is the suffix of the full epoch; a full epoch visits each example once',
  (count, batchSize, seed, epoch, dropLast, where) => {
    const ds = indexed(count);
    // Visiting order (no augmentation, so the pixels still spell each example's index).
    const order = [...batches(ds, { batchSize, shuffle: true, seed, epoch, dropLast })].flatMap((b) => visited(b.images));
    expect(order.length).toBe(dropLast ? Math.floor(count / batchSize) * batchSize : count);
    expect(new Set(order).size).toBe(order.length);
    if (!dropLast) expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
    // Resumption with augmentation draws.
    const options = { batchSize, shuffle: true, seed, epoch, dropLast, augment: { crop: { padding: 1 }, flip: true } };
    const full = [...batches(ds, options)];
    const k = Math.floor(where * full.length);
    const resumed = [...batches(ds, { ...options, startBatch: k })];
    expect(resumed.map((b) => b.index)).toEqual(full.slice(k).map((b) => b.index));
    resumed.forEach((b, j) => expect(b.images).toEqual(full[k + j]!.images));
  },
);
