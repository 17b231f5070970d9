import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint, writeFileAtomic, type Checkpoint } from './checkpoint.ts';

const sample = (): Checkpoint => ({
  position: { step: 17, epoch: 2, batch: 3 },
  seed: 7,
  batchSize: 64,
  schedule: { kind: 'ladder', regime: { 0: 5e-3, 1: 1e-3 } },
  optimizer: { kind: 'adam', weightDecay: 1e-4 },
  optimizerState: {
    kind: 'adam',
    iterations: 17,
    slots: [
      { name: 'fc.weight/m', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      { name: 'fc.weight/v', shape: [2, 3], data: Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]) },
    ],
  },
  weights: new Map([
    ['fc.weight', Float32Array.from([-1, 0.5, 2, 3.25, -0, 1e-30])],
    ['bn.running_var', Float32Array.from([1, 2])],
  ]),
  graphFile: Uint8Array.from([9, 8, 7]),
  meta: { model: 'lenet5', precision: 'bnn' },
});

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
const tempDir = async (): Promise<string> => {
  const d = await mkdtemp(join(tmpdir(), 'qp-ckpt-'));
  dirs.push(d);
  return d;
};

describe('checkpoint encoding', () => {
  it('round-trips every field bit for bit', () => {
    const c = sample();
    const back = decodeCheckpoint(encodeCheckpoint(c));
    expect(back.position).toEqual(c.position);
    expect([back.seed, back.batchSize]).toEqual([7, 64]);
    expect(back.schedule).toEqual(c.schedule);
    expect(back.optimizer).toEqual(c.optimizer);
    expect(back.optimizerState).toEqual(c.optimizerState);
    expect([...back.weights.keys()]).toEqual(['fc.weight', 'bn.running_var']);
    expect(Object.is(back.weights.get('fc.weight')![4], -0)).toBe(true);
    expect(back.weights.get('fc.weight')).toEqual(c.weights.get('fc.weight'));
    expect(back.graphFile).toEqual(c.graphFile);
    expect(back.meta).toEqual(c.meta);
  });

  it('rejects foreign, truncated and damaged files with the file name and byte offset', () => {
    const bytes = encodeCheckpoint(sample());
    expect(() => decodeCheckpoint(bytes.subarray(0, 10), 'a.qpt')).toThrow(/^a\.qpt: byte 10: file is 10 bytes/);
    const foreign = bytes.slice();
    foreign[0] = 0x50;
    expect(() => decodeCheckpoint(foreign, 'a.qpt')).toThrow(/byte 0: not a quantprune checkpoint/);
    const newer = bytes.slice();
    newer[7] = 2;
    expect(() => decodeCheckpoint(newer, 'a.qpt')).toThrow(/byte 7: checkpoint format version 2/);
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 9), 'a.qpt')).toThrow(/CRC-32 mismatch/);
  });

  it('every single-byte corruption is caught as a CheckpointError (mutation fuzz)', () => {
    const bytes = encodeCheckpoint(sample());
    let state = 12345;
    for (let trial = 0; trial < 300; trial++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      const copy = bytes.slice();
      const at = state % copy.length;
      copy[at] = copy[at]! ^ (1 + (state >>> 24) % 255);
      expect(() => decodeCheckpoint(copy)).toThrow(CheckpointError);
    }
  });

  it('a valid CRC over a hostile header still fails cleanly before allocating', () => {
    /** A file with the given header and data section and a correct CRC. */
    const craft = (header: unknown, data = new Uint8Array(8)): Uint8Array => {
      const json = new TextEncoder().encode(JSON.stringify(header));
      const start = (12 + json.length + 3) & ~3;
      const out = new Uint8Array(start + data.length + 4);
      out.set([0x51, 0x50, 0x43, 0x4b, 0x50, 0x54, 0, 1]);
      new DataView(out.buffer).setUint32(8, json.length, true);
      out.set(json, 12);
      out.set(data, start);
      new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
      return out;
    };
    const base = { position: { step: 1, epoch: 0, batch: 1 }, weights: [], slots: [], optimizer: { kind: 'sgd' } };
    expect(() => decodeCheckpoint(craft({ ...base, weights: [{ name: 'w', shape: [1e9], offset: 0 }] }), 'h.qpt')).toThrow(/w \(1000000000 float32 values\) runs past the end/);
    expect(() => decodeCheckpoint(craft({ ...base, weights: [{ name: 'w', shape: [1], offset: 2 }] }), 'h.qpt')).toThrow(/aligned offset/);
    expect(() => decodeCheckpoint(craft({ ...base, position: { step: -1, epoch: 0, batch: 0 } }), 'h.qpt')).toThrow(/header.position/);
    expect(() => decodeCheckpoint(craft({ ...base, graphFile: { offset: 4, bytes: 8 } }), 'h.qpt')).toThrow(/outside the data section/);
    expect(() => decodeCheckpoint(craft('not an object'), 'h.qpt')).toThrow(CheckpointError);
  });
});

describe('atomic files', () => {
  it('saveCheckpoint/loadCheckpoint write through a temp file and leave only the checkpoint', async () => {
    const dir = await tempDir();
    const file = join(dir, 'sub', 'checkpoint.qpt');
    await saveCheckpoint(file, sample());
    await saveCheckpoint(file, { ...sample(), position: { step: 18, epoch: 2, batch: 4 } });
    expect(await readdir(join(dir, 'sub'))).toEqual(['checkpoint.qpt']);
    expect((await loadCheckpoint(file)).position.step).toBe(18);
  });

  it('a failed write keeps the previous file intact and removes the temp file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'x.bin');
    await writeFile(file, 'old');
    // renaming a file over a non-empty directory fails: simulate with a directory as the destination
    const blocked = join(dir, 'blocked');
    await writeFileAtomic(join(blocked, 'inner'), Uint8Array.from([1]));
    await expect(writeFileAtomic(blocked, Uint8Array.from([2]))).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['blocked', 'x.bin']);
    expect(await readFile(file, 'utf8')).toBe('old');
  });
});
