// Mutation fuzz of every reader: random byte and bit flips, truncations and insertions of the committed fixtures
// must give a valid result or a DataError — never a RangeError/TypeError from inside, a hang or a huge allocation.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseCifar10 } from './cifar10.ts';
import { DataError } from './errors.ts';
import { parseGroundTruth } from './ground-truth.ts';
import { readIdx } from './idx.ts';
import { loadImageNet } from './imagenet.ts';
import { decodeImageNetJpeg } from './jpeg-preprocess.ts';
import { loadMnist } from './mnist.ts';
import { FIXTURES, rng } from './test-fixtures.ts';
import type { ImageDataset } from './types.ts';

// Decoder limits for the JPEG cases: a mutated header may claim up to the limit's pixel count, and the defaults
// (100 MP, 512 MB) would let one case allocate ~400 MB; small limits keep the fuzz fast and its memory bounded.
const LIMITS = { maxResolutionInMP: 2, maxMemoryUsageInMB: 64 };

/** One random mutation: byte overwrites, a bit flip, a truncation, or inserted/appended bytes. */
function mutate(base: Uint8Array, rand: () => number, iter: number, protectHeader = 0): Uint8Array {
  const at = (): number => protectHeader + Math.floor(rand() * (base.length - protectHeader));
  switch (iter % 5) {
    case 0: {
      const bytes = base.slice();
      for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) bytes[at()] = Math.floor(rand() * 256);
      return bytes;
    }
    case 1: {
      const bytes = base.slice();
      const bit = at() * 8 + Math.floor(rand() * 8);
      bytes[bit >>> 3]! ^= 1 << (bit & 7);
      return bytes;
    }
    case 2:
      return base.slice(0, Math.floor(rand() * base.length));
    case 3: {
      const p = at();
      const extra = Uint8Array.from({ length: 1 + Math.floor(rand() * 8) }, () => Math.floor(rand() * 256));
      return Uint8Array.of(...base.subarray(0, p), ...extra, ...base.subarray(p));
    }
    default: {
      // Header-targeted: overwrite one of the first 24 bytes (magic, dimensions, first label).
      const bytes = base.slice();
      bytes[Math.floor(rand() * Math.min(24, bytes.length))] = Math.floor(rand() * 256);
      return bytes;
    }
  }
}

/** Runs `f` on `n` mutations; returns how many were DataErrors. Any other error fails with the iteration. */
async function fuzz(name: string, base: Uint8Array, n: number, seed: number, f: (bytes: Uint8Array) => unknown): Promise<number> {
  const rand = rng(seed);
  let errors = 0;
  for (let iter = 0; iter < n; iter++) {
    const bytes = mutate(base, rand, iter);
    try {
      await f(bytes);
    } catch (e) {
      if (e instanceof DataError) {
        errors++;
        expect(e.message.length).toBeGreaterThan(10);
        continue;
      }
      throw new Error(`${name}: mutation ${iter} (seed ${seed}) threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
  }
  return errors;
}

/** Reads every image of a dataset (a valid result must be fully readable). */
function touch(ds: ImageDataset): void {
  for (let i = 0; i < ds.count; i++) ds.image(i);
}

it('IDX: 4,000 mutations of an image file and a label file', async () => {
  const images = new Uint8Array(readFileSync(join(FIXTURES, 'mnist/train-images-idx3-ubyte')));
  const labels = new Uint8Array(readFileSync(join(FIXTURES, 'mnist/train-labels-idx1-ubyte')));
  const a = await fuzz('readIdx images', images, 2000, 1, (b) => readIdx(b, 'images'));
  const b = await fuzz('readIdx labels', labels, 2000, 2, (b) => readIdx(b, 'labels'));
  expect(a + b).toBeGreaterThan(1000); // truncations, insertions and header hits must be caught
});

it('MNIST loader: 300 mutations of raw and gzipped files through the file path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qp-fuzz-mnist-'));
  const files = ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
  const originals = files.map((f) => new Uint8Array(readFileSync(join(FIXTURES, 'mnist', f))));
  const errors = await fuzz('loadMnist', originals[0]!, 150, 3, (bytes) => {
    writeFileSync(join(dir, files[0]!), bytes);
    writeFileSync(join(dir, files[1]!), originals[1]!);
    touch(loadMnist({ dir, split: 'test' }));
  });
  const labelErrors = await fuzz('loadMnist labels', originals[1]!, 150, 4, (bytes) => {
    writeFileSync(join(dir, files[0]!), originals[0]!);
    writeFileSync(join(dir, files[1]!), bytes);
    touch(loadMnist({ dir, split: 'test' }));
  });
  expect(errors + labelErrors).toBeGreaterThan(100);
});

it('CIFAR-10: 3,000 mutations of test_batch.bin', async () => {
  const base = new Uint8Array(readFileSync(join(FIXTURES, 'cifar10/cifar-10-batches-bin/test_batch.bin')));
  const errors = await fuzz('parseCifar10', base, 3000, 5, (b) => touch(parseCifar10(b, 'test_batch.bin', 'test')));
  expect(errors).toBeGreaterThan(1000);
});

it('ground truth: 3,000 mutations of each form', async () => {
  const named = new Uint8Array(readFileSync(join(FIXTURES, 'imagenet/val.txt')));
  const ordered = new Uint8Array(readFileSync(join(FIXTURES, 'imagenet/val_ground_truth.txt')));
  const a = await fuzz('parseGroundTruth named', named, 3000, 6, (b) => parseGroundTruth(b, 'val.txt'));
  const b = await fuzz('parseGroundTruth ordered', ordered, 3000, 7, (b) => parseGroundTruth(b, 'gt.txt'));
  expect(a + b).toBeGreaterThan(500);
});

it('JPEG: 1,500 mutations of the fixture JPEGs through decode, resize and crop', async () => {
  let errors = 0;
  for (const [k, name] of ['val/ILSVRC2012_val_00000001.JPEG', 'train/n01443537/n01443537_10014.JPEG', 'val/ILSVRC2012_val_00000003.JPEG'].entries()) {
    const base = new Uint8Array(readFileSync(join(FIXTURES, 'imagenet', name)));
    errors += await fuzz(`decodeImageNetJpeg ${name}`, base, 500, 10 + k, (b) => decodeImageNetJpeg(b, name, { size: 24, resize: 32, ...LIMITS }));
  }
  expect(errors).toBeGreaterThan(300);
});

it('ImageNet loader: 60 mutated JPEGs and ground-truth files through loadImageNet + prefetch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qp-fuzz-imagenet-'));
  const jpegBase = new Uint8Array(readFileSync(join(FIXTURES, 'imagenet/val/ILSVRC2012_val_00000002.JPEG')));
  const gtBase = new Uint8Array(readFileSync(join(FIXTURES, 'imagenet/val.txt')));
  writeFileSync(join(dir, 'ILSVRC2012_val_00000001.JPEG'), readFileSync(join(FIXTURES, 'imagenet/val/ILSVRC2012_val_00000001.JPEG')));
  writeFileSync(join(dir, 'ILSVRC2012_val_00000003.JPEG'), readFileSync(join(FIXTURES, 'imagenet/val/ILSVRC2012_val_00000003.JPEG')));
  const groundTruth = join(dir, 'gt.txt');
  let errors = await fuzz('loadImageNet jpeg', jpegBase, 30, 20, async (bytes) => {
    writeFileSync(join(dir, 'ILSVRC2012_val_00000002.JPEG'), bytes);
    writeFileSync(groundTruth, gtBase);
    const ds = loadImageNet({ dir, groundTruth, size: 16, resize: 20, ...LIMITS });
    await ds.prefetch!([0, 1, 2]);
  });
  errors += await fuzz('loadImageNet ground truth', gtBase, 30, 21, async (bytes) => {
    writeFileSync(join(dir, 'ILSVRC2012_val_00000002.JPEG'), jpegBase);
    writeFileSync(groundTruth, bytes);
    const ds = loadImageNet({ dir, groundTruth, size: 16, resize: 20, ...LIMITS });
    await ds.prefetch!([0, 1, 2]);
  });
  expect(errors).toBeGreaterThan(10);
});
