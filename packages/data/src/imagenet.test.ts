import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batches, batchesAsync } from './batches.ts';
import { IMAGENET_NORMALIZE, loadImageNet } from './imagenet.ts';
import { asyncDataError, dataError, FIXTURES, REAL, TRAIN_JPEGS, VAL_JPEGS } from './test-fixtures.ts';
import type { ImageDataset } from './types.ts';

const root = join(FIXTURES, 'imagenet');
const scratch = (): string => mkdtempSync(join(tmpdir(), 'qp-imagenet-'));

/** Top-left and bottom-right pixels of every image match the fixture's top and bottom colours (JPEG: ±4). */
async function expectColours(ds: ImageDataset, expected: { label: number; top: number[]; bottom: number[] }[]): Promise<void> {
  expect(Array.from(ds.labels)).toEqual(expected.map((e) => e.label));
  await ds.prefetch!(expected.map((_, i) => i));
  const s = ds.height;
  expected.forEach(({ top, bottom }, i) => {
    const img = ds.image(i);
    expect(img.length).toBe(s * s * 3);
    for (let c = 0; c < 3; c++) {
      expect(Math.abs(img[c]! - top[c]!)).toBeLessThanOrEqual(4);
      expect(Math.abs(img[(s * s - 1) * 3 + c]! - bottom[c]!)).toBeLessThanOrEqual(4);
    }
  });
}

describe('loadImageNet on the fixtures', () => {
  it('class folders (ImageFolder): sorted synsets → labels 0, 1; default resize 256, crop 224', async () => {
    const ds = loadImageNet({ dir: join(root, 'train') });
    expect([ds.name, ds.split, ds.count, ds.height, ds.width, ds.channels, ds.classes]).toEqual(['imagenet', 'val', 4, 224, 224, 3, 2]);
    await expectColours(ds, TRAIN_JPEGS);
  });

  it('flat validation folder with `<file> <label>` lines or one label per line', async () => {
    for (const groundTruth of ['val.txt', 'val_ground_truth.txt']) {
      const ds = loadImageNet({ dir: join(root, 'val'), groundTruth: join(root, groundTruth), size: 16, resize: 20 });
      expect([ds.count, ds.classes, ds.height]).toEqual([3, 1000, 16]);
      await expectColours(ds, VAL_JPEGS);
    }
  });

  it('batchesAsync prefetches each batch; batches() and image() need prefetched examples', async () => {
    const ds = loadImageNet({ dir: join(root, 'val'), groundTruth: join(root, 'val.txt'), size: 8, resize: 8, cacheImages: 2 });
    expect(() => ds.image(0)).toThrow(/example 0 is not decoded yet: await dataset\.prefetch\(\[0\]\)/);
    const seen: number[][] = [];
    for await (const b of batchesAsync(ds, { batchSize: 2, normalize: IMAGENET_NORMALIZE, layout: 'nchw' })) {
      expect(b.shape).toEqual([b.size, 3, 8, 8]);
      seen.push(Array.from(b.labels));
    }
    expect(seen).toEqual([[65, 970], [230]]);
    // Only images 1 and 2 are still cached (capacity 2): the sync iterator works on them and fails on image 0.
    expect([...batches(ds, { batchSize: 2, limit: 3, startBatch: 1 })].map((b) => b.labels[0])).toEqual([230]);
    expect(() => [...batches(ds, { batchSize: 1 })]).toThrow(/example 0 is not decoded yet/);
    expect(() => ds.prefetch!([0, 1, 2])).toThrow(/3 images asked for, the cache holds 2/);
    expect(() => ds.prefetch!([3])).toThrow(/index must be an integer in \[0, 3\), got 3/);
  });

  it('the bounded cache evicts the least recently prefetched image and keeps the rest intact', async () => {
    const ds = loadImageNet({ dir: join(root, 'train'), size: 8, resize: 8, cacheImages: 2 });
    await ds.prefetch!([0, 1]);
    const one = ds.image(1).slice();
    await ds.prefetch!([1]); // 1 becomes the most recent
    await ds.prefetch!([2]); // evicts 0
    expect(() => ds.image(0)).toThrow(/not decoded yet/);
    expect(ds.image(1)).toEqual(one);
    await Promise.all([ds.prefetch!([3]), ds.prefetch!([0, 3])]); // queued, never interleaved
    expect(ds.image(0)[0]).toBeGreaterThan(150); // red top of image 0
    expect(ds.image(3)[2]).toBeGreaterThan(150); // blue-ish top of image 3
  });

  it('reports missing folders, empty classes, unlabelled images and corrupt JPEGs', async () => {
    let e = dataError(() => loadImageNet({ dir: join(root, 'nope') }));
    expect(e.reason).toMatch(/folder not found; expected one sub-folder per class/);
    e = dataError(() => loadImageNet({ dir: join(root, 'val') }));
    expect(e.reason).toMatch(/no class sub-folders and no groundTruth file/);
    const d = scratch();
    mkdirSync(join(d, 'n0'));
    mkdirSync(join(d, 'n1'));
    writeFileSync(join(d, 'n0', 'a.JPEG'), readFileSync(join(root, 'val', 'ILSVRC2012_val_00000001.JPEG')));
    writeFileSync(join(d, 'n1', 'notes.txt'), 'x');
    e = dataError(() => loadImageNet({ dir: d }));
    expect(e.file).toBe(join(d, 'n1'));
    expect(e.reason).toMatch(/class folder without JPEG files/);
    const gt = join(d, 'gt.txt');
    writeFileSync(gt, 'ILSVRC2012_val_00000001.JPEG 65\n');
    e = dataError(() => loadImageNet({ dir: join(root, 'val'), groundTruth: gt }));
    expect([e.file, e.reason]).toEqual([gt, expect.stringMatching(/no label for ILSVRC2012_val_00000002\.JPEG/)]);
    writeFileSync(gt, '1\n2\n');
    e = dataError(() => loadImageNet({ dir: join(root, 'val'), groundTruth: gt }));
    expect(e.reason).toMatch(/the file has 2 lines, image number 3 needs line 3/);
    e = dataError(() => loadImageNet({ dir: join(d, 'n0'), groundTruth: gt }));
    expect(e.reason).toMatch(/a\.JPEG is not named ILSVRC2012_val_<8 digits>/);
    e = dataError(() => loadImageNet({ dir: join(root, 'val'), groundTruth: join(d, 'missing.txt') }));
    expect(e.reason).toMatch(/file not found; pass the validation ground-truth file/);

    const good = readFileSync(join(root, 'val', 'ILSVRC2012_val_00000002.JPEG'));
    writeFileSync(join(d, 'n1', 'b.jpg'), good.subarray(0, good.length >> 1));
    const ds = loadImageNet({ dir: d, size: 8, resize: 8 });
    e = await asyncDataError(ds.prefetch!([1]));
    expect(e.file).toBe(join(d, 'n1', 'b.jpg'));
    expect(e.reason).toMatch(/^corrupt or unsupported JPEG \(jpeg-js: /);
    await ds.prefetch!([0]); // a failed prefetch leaves the dataset usable
    expect(ds.image(0).length).toBe(192);
  });
});

describe.skipIf(!REAL)('the 10 real ImageNet validation JPEGs (QUANTPRUNE_DATA_DIR)', () => {
  it('decode, resize to 256 and centre-crop to 224 × 224 × 3, with the README labels', async () => {
    const gt = join(scratch(), 'ILSVRC2012_validation_ground_truth_0based.txt');
    // 0-based torchvision labels of validation images 1–10 (shared/datasets/README.md).
    const labels = [65, 970, 230, 809, 516, 57, 334, 415, 674, 332];
    writeFileSync(gt, labels.join('\n'));
    const ds = loadImageNet({ dir: join(REAL!, 'imagenet-val-first10'), groundTruth: gt });
    expect(ds.count).toBe(10);
    expect(Array.from(ds.labels)).toEqual(labels);
    let n = 0;
    for await (const b of batchesAsync(ds, { batchSize: 5, normalize: IMAGENET_NORMALIZE })) {
      expect(b.shape).toEqual([5, 224, 224, 3]);
      for (let k = 0; k < 5; k++) {
        const img = ds.image(b.index * 5 + k);
        let sum = 0;
        let min = 255;
        let max = 0;
        for (const v of img) {
          sum += v;
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
        expect(max - min).toBeGreaterThan(100); // a photograph, not a flat or empty buffer
        expect(sum / img.length).toBeGreaterThan(20);
        expect(sum / img.length).toBeLessThan(235);
      }
      n += b.size;
    }
    expect(n).toBe(10);
  });
});
