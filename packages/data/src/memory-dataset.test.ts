import { expect, it } from 'vitest';
import { memoryDataset } from './memory-dataset.ts';

const spec = { name: 'toy', split: 'train' as const, height: 2, width: 1, channels: 2, classes: 3, labels: Uint8Array.of(0, 2), pixels: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) };

it('memoryDataset: views, copies into out, validates index', () => {
  const ds = memoryDataset(spec);
  expect([ds.count, ds.classes]).toEqual([2, 3]);
  expect(Array.from(ds.image(1))).toEqual([5, 6, 7, 8]);
  expect(ds.image(1).buffer).toBe(spec.pixels.buffer);
  const out = new Uint8Array(4);
  expect(ds.image(0, out)).toBe(out);
  expect(Array.from(out)).toEqual([1, 2, 3, 4]);
  expect(() => ds.image(-1)).toThrow(/toy\.image: index must be an integer in \[0, 2\), got -1/);
  expect(() => ds.image(0.5)).toThrow(RangeError);
});

it('memoryDataset rejects inconsistent shapes and labels', () => {
  expect(() => memoryDataset({ ...spec, pixels: new Uint8Array(7) })).toThrow(/pixels must hold 2 × 2 × 1 × 2 = 8 bytes, got 7/);
  expect(() => memoryDataset({ ...spec, labels: Uint8Array.of(0, 3) })).toThrow(/label 3 of example 1 is not < classes \(3\)/);
  expect(() => memoryDataset({ ...spec, width: 0 })).toThrow(/width must be a positive integer, got 0/);
});
