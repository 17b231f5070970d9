// CIFAR-10 input pipeline throughput on one core: decode the official binary records (parseCifar10: validation and
// CHW → HWC into the uint8 cache), then one shuffled epoch of batches of 64 with random crop (zero padding 4),
// horizontal flip and normalisation to float32. Absolute goal ≥ 2,000 images/s so that loading never limits
// training; a plain copy of the same bytes, timed in the same rounds, is printed for noise context.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batches, CIFAR10_RECORD_BYTES, dataRoot, parseCifar10 } from '@quantprune/data';
import { median, type BenchSuite } from '../../harness.ts';

const MEAN = [0.4914, 0.4822, 0.4465]; // CIFAR-10 channel means (the usual training recipe)
const STD = [0.247, 0.243, 0.261];
const GOAL = 2000;

/** The real 5,000 training images when QUANTPRUNE_DATA_DIR is set, else the 20-record fixture replicated. */
function source(records: number): { bytes: Uint8Array; origin: string } {
  const root = dataRoot();
  if (root) {
    const file = join(root, 'cifar10', 'data_batch_1_first5000.bin');
    const all = new Uint8Array(readFileSync(file));
    return { bytes: all.subarray(0, Math.min(all.length, records * CIFAR10_RECORD_BYTES)), origin: file };
  }
  const fixture = fileURLToPath(new URL('../../../../datasets/fixtures/cifar10/cifar-10-batches-bin/test_batch.bin', import.meta.url));
  const one = new Uint8Array(readFileSync(fixture));
  const bytes = new Uint8Array(records * CIFAR10_RECORD_BYTES);
  for (let o = 0; o < bytes.length; o += one.length) bytes.set(one.subarray(0, Math.min(one.length, bytes.length - o)), o);
  return { bytes, origin: `${fixture} replicated` };
}

/** One pass: decode all records and consume one augmented, shuffled epoch. Returns a checksum. */
function epoch(bytes: Uint8Array, seed: number): number {
  const ds = parseCifar10(bytes, 'bench', 'train');
  let sum = 0;
  for (const b of batches(ds, { batchSize: 64, shuffle: true, seed, augment: { crop: { padding: 4 }, flip: true }, normalize: { mean: MEAN, std: STD } })) {
    sum += b.images[0]! + b.labels[b.size - 1]!;
  }
  return sum;
}

/** Correctness before timing: an un-augmented batch equals the formula on the raw record bytes. */
function check(bytes: Uint8Array): void {
  const ds = parseCifar10(bytes, 'bench', 'train');
  const [b] = batches(ds, { batchSize: 2, limit: 2, layout: 'nchw', normalize: { mean: MEAN, std: STD } });
  for (let r = 0; r < 2; r++) {
    if (b!.labels[r] !== bytes[r * CIFAR10_RECORD_BYTES]) throw new Error(`data/cifar-pipeline: label of record ${r} differs`);
    for (let k = 0; k < 3072; k++) {
      const c = Math.floor(k / 1024);
      const want = (bytes[r * CIFAR10_RECORD_BYTES + 1 + k]! / 255 - MEAN[c]!) / STD[c]!;
      if (Math.abs(b!.images[r * 3072 + k]! - want) > 1e-6) throw new Error(`data/cifar-pipeline: value ${k} of record ${r} differs`);
    }
  }
}

export const suite: BenchSuite = {
  name: 'data/cifar-pipeline',
  description: 'CIFAR-10 binary decode + crop(pad 4) + flip + normalise + batch 64, images/s on one core (goal ≥ 2,000)',
  async run({ quick, log }) {
    const records = quick ? 256 : 5000;
    const rounds = quick ? 2 : 7;
    const { bytes, origin } = source(records);
    const n = bytes.length / CIFAR10_RECORD_BYTES;
    check(bytes);
    epoch(bytes, 0); // warm-up (JIT)
    const pipe: number[] = [];
    const copy: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let t0 = performance.now();
      bytes.slice();
      copy.push(performance.now() - t0);
      t0 = performance.now();
      epoch(bytes, r + 1);
      pipe.push(performance.now() - t0);
      log(`round ${r + 1}/${rounds}: ${(n / (pipe[r]! / 1000)).toFixed(0)} img/s`);
    }
    const pipeMs = median(pipe);
    const copyMs = median(copy);
    const rate = n / (pipeMs / 1000);
    return {
      rows: [
        { case: 'copy of the record bytes (Uint8Array.slice)', images: n, 'ms (median)': copyMs, 'images/s': n / (copyMs / 1000), 'ratio to copy': 1 },
        { case: 'decode + augment + normalise + batch 64', images: n, 'ms (median)': pipeMs, 'images/s': rate, 'ratio to copy': pipeMs / copyMs },
      ],
      goals: [{ goal: `pipeline ≥ ${GOAL} images/s on one core`, met: rate >= GOAL }],
      notes: [`input: ${origin} (${n} records); ${rounds} rounds, medians; single-threaded`],
    };
  },
};
