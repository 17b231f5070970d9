import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIFAR10_RECORD_BYTES, loadCifar10, parseCifar10 } from './cifar10.ts';
import { cifarPixel, cifarTestLabel, cifarTrainLabel, dataError, FIXTURES, REAL } from './test-fixtures.ts';
import type { ImageDataset } from './types.ts';

const batchesDir = join(FIXTURES, 'cifar10', 'cifar-10-batches-bin');

/** Every pixel of every image, HWC, against the generator's formula for global record numbers. */
function expectFixturePixels(ds: ImageDataset): void {
  for (let r = 0; r < ds.count; r++) {
    const img = ds.image(r);
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        for (let c = 0; c < 3; c++) if (img[(y * 32 + x) * 3 + c] !== cifarPixel(r, c, y, x)) expect.fail(`record ${r} pixel (${y}, ${x}, ${c})`);
      }
    }
  }
}

describe('loadCifar10 on the fixtures (official file names and format)', () => {
  it('reads test_batch.bin from the batches folder: labels and HWC pixels', () => {
    const ds = loadCifar10({ dir: batchesDir, split: 'test' });
    expect([ds.name, ds.split, ds.count, ds.height, ds.width, ds.channels, ds.classes]).toEqual(['cifar10', 'test', 20, 32, 32, 3, 10]);
    expect(Array.from(ds.labels)).toEqual(Array.from({ length: 20 }, (_, r) => cifarTestLabel(r)));
    expectFixturePixels(ds);
  });

  it('reads data_batch_1..5.bin in order for train, also when given the parent folder', () => {
    for (const dir of [batchesDir, join(FIXTURES, 'cifar10')]) {
      const ds = loadCifar10({ dir, split: 'train' });
      expect(ds.count).toBe(20);
      expect(Array.from(ds.labels)).toEqual(Array.from({ length: 20 }, (_, r) => cifarTrainLabel(r)));
      expectFixturePixels(ds);
    }
  });

  it('reads explicit files in the given order; image(i, out) copies', () => {
    const ds = loadCifar10({ files: [join(batchesDir, 'data_batch_2.bin'), join(batchesDir, 'data_batch_1.bin')], split: 'train' });
    expect(ds.count).toBe(8);
    expect(ds.labels[0]).toBe(cifarTrainLabel(4));
    expect(ds.labels[4]).toBe(cifarTrainLabel(0));
    const out = new Uint8Array(3072 + 5);
    expect(ds.image(4, out)).toBe(out);
    expect(out[3 * 33 + 2]).toBe(cifarPixel(0, 2, 1, 1));
    expect(() => ds.image(8)).toThrow(/cifar10\.image: index must be an integer in \[0, 8\), got 8/);
    expect(() => ds.image(0, new Uint8Array(10))).toThrow(RangeError);
  });

  it('parseCifar10 decodes bytes in memory the same way', () => {
    const bytes = new Uint8Array(readFileSync(join(batchesDir, 'test_batch.bin')));
    const ds = parseCifar10(bytes, 'test_batch.bin', 'test');
    expect(ds.count).toBe(20);
    expectFixturePixels(ds);
  });
});

describe('loadCifar10 errors name the file and byte offset', () => {
  const scratch = (): string => mkdtempSync(join(tmpdir(), 'qp-cifar-'));

  it('truncated file: offset of the cut-off record', () => {
    const bytes = readFileSync(join(batchesDir, 'test_batch.bin'));
    const e = dataError(() => parseCifar10(bytes.subarray(0, 3 * CIFAR10_RECORD_BYTES + 100), 'test_batch.bin', 'test'));
    expect([e.file, e.offset]).toEqual(['test_batch.bin', 3 * 3073]);
    expect(e.message).toMatch(/^test_batch\.bin \(at byte 9219\): 9319 bytes is not a whole number of 3073-byte CIFAR-10 records \(3 complete/);
    expect(e.reason).toMatch(/cifar-10-binary\.tar\.gz/);
    expect(dataError(() => parseCifar10(new Uint8Array(0), 'e', 'test')).reason).toMatch(/empty file/);
  });

  it('label out of range: offset of the record', () => {
    const bytes = new Uint8Array(readFileSync(join(batchesDir, 'test_batch.bin')));
    bytes[7 * 3073] = 10;
    const e = dataError(() => parseCifar10(bytes, 'b.bin', 'test'));
    expect([e.offset, e.reason]).toEqual([7 * 3073, expect.stringMatching(/label 10 of record 7 is out of range \[0, 9\].*CIFAR-100/)]);
  });

  it('missing folder or file, with the download hint', () => {
    let e = dataError(() => loadCifar10({ dir: '/nonexistent/cifar', split: 'test' }));
    expect([e.file, e.offset]).toEqual(['/nonexistent/cifar', undefined]);
    expect(e.reason).toMatch(/folder not found; get the "CIFAR-10 binary version".*cs\.toronto\.edu/);
    const d = scratch();
    copyFileSync(join(batchesDir, 'data_batch_1.bin'), join(d, 'data_batch_1.bin'));
    e = dataError(() => loadCifar10({ dir: d, split: 'train' }));
    expect(e.file).toBe(join(d, 'data_batch_2.bin'));
    expect(e.reason).toMatch(/^file not found/);
    mkdirSync(join(d, 'test_batch.bin'));
    expect(dataError(() => loadCifar10({ dir: d, split: 'test' })).reason).toMatch(/is a folder/);
    writeFileSync(join(d, 'x'), '');
    expect(dataError(() => loadCifar10({ dir: join(d, 'x'), split: 'test' })).reason).toMatch(/is a file, expected a folder/);
  });

  it('bad arguments are TypeError/RangeError naming the function', () => {
    expect(() => loadCifar10({ split: 'test' })).toThrow(/loadCifar10: pass exactly one of dir or files/);
    expect(() => loadCifar10({ dir: batchesDir, files: [], split: 'test' })).toThrow(TypeError);
    expect(() => loadCifar10({ files: [], split: 'test' })).toThrow(/files is empty/);
    expect(() => loadCifar10({ dir: batchesDir, split: 'val' as 'test' })).toThrow(/split must be 'train' or 'test', got val/);
  });
});

describe.skipIf(!REAL)('CIFAR-10 real data (QUANTPRUNE_DATA_DIR)', () => {
  it('the first 1,000 test images: official label order and a plausible histogram', () => {
    const ds = loadCifar10({ files: [join(REAL!, 'cifar10/test_batch_first1000.bin')], split: 'test' });
    expect(ds.count).toBe(1000);
    // Official test_batch order: cat, ship, ship, airplane, frog, frog, automobile, frog, cat, automobile.
    expect(Array.from(ds.labels.subarray(0, 10))).toEqual([3, 8, 8, 0, 6, 6, 1, 6, 3, 1]);
    const hist = new Array<number>(10).fill(0);
    for (const l of ds.labels) hist[l]!++;
    expect(Math.min(...hist)).toBeGreaterThan(80); // the test set is balanced (1,000 per class over 10,000)
    expect(Math.max(...hist)).toBeLessThan(120);
    // First pixel of test image 0 (R, G, B planes of the official file: 158, 112, 49).
    expect(Array.from(ds.image(0).subarray(0, 3))).toEqual([158, 112, 49]);
  });

  it('the first 5,000 training images of data_batch_1', () => {
    const ds = loadCifar10({ files: [join(REAL!, 'cifar10/data_batch_1_first5000.bin')], split: 'train' });
    expect(ds.count).toBe(5000);
    // Official data_batch_1 order: frog, truck, truck, deer, automobile, automobile, bird, horse, ship, cat.
    expect(Array.from(ds.labels.subarray(0, 10))).toEqual([6, 9, 9, 4, 1, 1, 2, 7, 8, 3]);
    let sum = 0;
    for (let i = 0; i < ds.count; i++) for (const v of ds.image(i)) sum += v;
    const mean = sum / (ds.count * 3072 * 255);
    expect(mean).toBeGreaterThan(0.44); // CIFAR-10's overall pixel mean is ≈ 0.473
    expect(mean).toBeLessThan(0.5);
  });
});
