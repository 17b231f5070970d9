/**
 * Training checkpoints: one self-contained file with the model's parameters (latent weights and BatchNorm
 * statistics in the IR layout), the optimiser state, the data position (seed, epoch, next batch) and the schedule,
 * written atomically (temporary file in the same folder, fsync, rename, fsync of the folder), so a run killed at
 * any moment leaves either the previous or the new checkpoint, never a torn one.
 *
 * File layout (`.qpt`, little-endian):
 *
 * | bytes | content |
 * |---|---|
 * | 0–7 | magic `QPCKPT` + `\0` + version byte 1 |
 * | 8–11 | u32 length H of the JSON header |
 * | 12 … 12+H | UTF-8 JSON header: {@link CheckpointHeader} |
 * | padding | zeros to a multiple of 4 |
 * | data | float32 tensors (4-byte aligned), then the optional embedded graph file |
 * | last 4 | u32 CRC-32 of every byte before it |
 */
import { crc32 } from 'node:zlib';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { WeightMap } from '@quantprune/graph';
import type { OptimizerConfig, OptimizerState } from './optimizer.ts';
import type { Schedule } from './schedules.ts';

/** Where a run stands: steps done, and the epoch and batch index of the next step. */
export interface TrainingPosition {
  /** Optimiser steps completed since the start of the run. */
  readonly step: number;
  /** 0-based epoch of the next step. */
  readonly epoch: number;
  /** Batch index within that epoch of the next step (@quantprune/data's `startBatch`). */
  readonly batch: number;
}

/** Everything a checkpoint holds. */
export interface Checkpoint {
  readonly position: TrainingPosition;
  /** Seed of the data order and augmentation. */
  readonly seed: number;
  readonly batchSize: number;
  readonly schedule: Schedule;
  readonly optimizer: OptimizerConfig;
  readonly optimizerState: OptimizerState;
  /** Parameters by torch-style name, in the IR layout (latent float weights, BN running statistics). */
  readonly weights: WeightMap;
  /** The model file (a `saveGraph` .qpk) when the writer had one: structure, annotations and masks. */
  readonly graphFile?: Uint8Array;
  /** Free-form JSON (model name, precision, dataset, …). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

interface TensorEntry {
  readonly name: string;
  readonly shape: readonly number[];
  /** Byte offset from the start of the data section. */
  readonly offset: number;
}

/** The JSON header of a checkpoint file. */
export interface CheckpointHeader {
  readonly position: TrainingPosition;
  readonly seed: number;
  readonly batchSize: number;
  readonly schedule: Schedule;
  readonly optimizer: OptimizerConfig;
  readonly optimizerIterations: number;
  readonly weights: readonly TensorEntry[];
  readonly slots: readonly TensorEntry[];
  readonly graphFile?: { readonly offset: number; readonly bytes: number };
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** A checkpoint file that cannot be read: names the file, the byte offset and what to do. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  readonly file: string;
  readonly offset: number;
  readonly reason: string;
  constructor(file: string, offset: number, reason: string) {
    super(`${file}: byte ${offset}: ${reason}`);
    this.file = file;
    this.offset = offset;
    this.reason = reason;
  }
}

const MAGIC = Uint8Array.from([0x51, 0x50, 0x43, 0x4b, 0x50, 0x54, 0x00, 0x01]); // "QPCKPT\0" + version 1
const PREFIX = 12;
const align4 = (n: number): number => (n + 3) & ~3;

/**
 * Serialises a checkpoint.
 *
 * @param checkpoint - the state to store
 * @returns the file's bytes
 * @throws RangeError when a tensor's data length differs from its shape
 */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  let offset = 0;
  const place = (name: string, shape: readonly number[], data: Float32Array): TensorEntry => {
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new RangeError(`encodeCheckpoint: ${name} has ${data.length} values, its shape [${shape}] needs ${size}`);
    const entry = { name, shape: [...shape], offset };
    offset += data.byteLength;
    return entry;
  };
  const weightList = [...checkpoint.weights];
  const weights = weightList.map(([name, data]) => place(name, [data.length], data));
  const slots = checkpoint.optimizerState.slots.map((s) => place(s.name, s.shape, s.data));
  const graphFile = checkpoint.graphFile ? { offset, bytes: checkpoint.graphFile.length } : undefined;
  offset += checkpoint.graphFile?.length ?? 0;
  const header: CheckpointHeader = {
    position: checkpoint.position,
    seed: checkpoint.seed,
    batchSize: checkpoint.batchSize,
    schedule: checkpoint.schedule,
    optimizer: checkpoint.optimizer,
    optimizerIterations: checkpoint.optimizerState.iterations,
    weights,
    slots,
    ...(graphFile ? { graphFile } : {}),
    ...(checkpoint.meta ? { meta: checkpoint.meta } : {}),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align4(PREFIX + json.length);
  const out = new Uint8Array(dataStart + offset + 4);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, json.length, true);
  out.set(json, PREFIX);
  const put = (e: TensorEntry, data: Float32Array): void => out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), dataStart + e.offset);
  weights.forEach((e, i) => put(e, weightList[i]![1]));
  slots.forEach((e, i) => put(e, checkpoint.optimizerState.slots[i]!.data));
  if (checkpoint.graphFile && graphFile) out.set(checkpoint.graphFile, dataStart + graphFile.offset);
  view.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

/**
 * Parses a checkpoint, validating every size and offset before allocating.
 *
 * @param bytes - the file's bytes
 * @param file - the file name for error messages
 * @returns the checkpoint (weights in the IR layout, weight shapes flattened: the graph has the real shapes)
 * @throws CheckpointError naming the file and byte offset for a truncated, damaged or foreign file
 */
export function decodeCheckpoint(bytes: Uint8Array, file = 'checkpoint'): Checkpoint {
  const fail = (offset: number, reason: string): never => {
    throw new CheckpointError(file, offset, reason);
  };
  if (bytes.length < PREFIX + 4) fail(bytes.length, `file is ${bytes.length} bytes, shorter than the 16-byte minimum; it is not a quantprune checkpoint`);
  for (let i = 0; i < 6; i++) if (bytes[i] !== MAGIC[i]) fail(i, 'not a quantprune checkpoint (magic "QPCKPT" missing); pass a .qpt file written by the trainer');
  if (bytes[7] !== 1) fail(7, `checkpoint format version ${bytes[7]} is not supported (this version reads 1); upgrade @quantprune/tfjs`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stored = view.getUint32(bytes.length - 4, true);
  const actual = crc32(bytes.subarray(0, bytes.length - 4));
  if (stored !== actual) fail(bytes.length - 4, `CRC-32 mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)}): the file is damaged or truncated; resume from an older copy or restart`);
  const headerLength = view.getUint32(8, true);
  if (PREFIX + headerLength > bytes.length - 4) fail(8, `header length ${headerLength} runs past the end of the file (${bytes.length} bytes)`);
  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + headerLength))) as CheckpointHeader;
  } catch (e) {
    return fail(PREFIX, `header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  const dataStart = align4(PREFIX + headerLength);
  const dataEnd = bytes.length - 4;
  const p = header?.position;
  if (!p || ![p.step, p.epoch, p.batch].every((v) => Number.isSafeInteger(v) && v >= 0)) fail(PREFIX, 'header.position must hold integers step, epoch, batch ≥ 0');
  if (!Array.isArray(header.weights) || !Array.isArray(header.slots)) fail(PREFIX, 'header.weights and header.slots must be arrays');
  const read = (e: TensorEntry, what: string): Float32Array => {
    const shapeOk = Array.isArray(e?.shape) && e.shape.every((d) => Number.isSafeInteger(d) && d >= 0);
    if (typeof e?.name !== 'string' || !shapeOk || !Number.isSafeInteger(e.offset) || e.offset < 0 || e.offset % 4 !== 0) {
      fail(PREFIX, `header: ${what} entry ${JSON.stringify(e)} needs a name, a shape of integers ≥ 0 and an aligned offset`);
    }
    const n = e.shape.reduce((a, b) => a * b, 1);
    const start = dataStart + e.offset;
    if (start + 4 * n > dataEnd) fail(start, `${what} ${e.name} (${n} float32 values) runs past the end of the data (byte ${dataEnd})`);
    const out = new Float32Array(n); // a copy: `bytes` may be a Buffer view at any alignment
    new Uint8Array(out.buffer).set(bytes.subarray(start, start + 4 * n));
    return out;
  };
  const weights: WeightMap = new Map(header.weights.map((e) => [e.name, read(e, 'weight')]));
  const slots = header.slots.map((e) => ({ name: e.name, shape: [...e.shape], data: read(e, 'optimiser slot') }));
  let graphFile: Uint8Array | undefined;
  if (header.graphFile) {
    const { offset, bytes: length } = header.graphFile;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || dataStart + offset + length > dataEnd) {
      fail(PREFIX, `header.graphFile ${JSON.stringify(header.graphFile)} lies outside the data section`);
    }
    graphFile = new Uint8Array(bytes.subarray(dataStart + offset, dataStart + offset + length)); // a copy
  }
  return {
    position: p,
    seed: header.seed,
    batchSize: header.batchSize,
    schedule: header.schedule,
    optimizer: header.optimizer,
    optimizerState: { kind: header.optimizer?.kind, iterations: header.optimizerIterations, slots },
    weights,
    ...(graphFile ? { graphFile } : {}),
    ...(header.meta ? { meta: header.meta } : {}),
  };
}

/**
 * Writes `bytes` to `file` atomically: a temporary file in the same folder is written, fsynced and renamed over
 * `file`, then the folder is fsynced, so readers see the old or the new content, never a mix.
 *
 * @param file - destination path (its folder is created when missing)
 * @param bytes - content
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(file)}.${process.pid}.tmp`);
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // folders cannot be fsynced on every platform (Windows); the rename is still atomic there
  }
}

/**
 * Writes a checkpoint atomically (see {@link writeFileAtomic}).
 * @param file - destination, e.g. `runs/lenet/checkpoint.qpt`
 * @param checkpoint - the state
 */
export async function saveCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  await writeFileAtomic(file, encodeCheckpoint(checkpoint));
}

/**
 * Reads a checkpoint file.
 * @param file - a file written by {@link saveCheckpoint}
 * @returns the checkpoint
 * @throws CheckpointError for a damaged or foreign file; the fs error (ENOENT, …) when it cannot be read
 */
export async function loadCheckpoint(file: string): Promise<Checkpoint> {
  return decodeCheckpoint(await readFile(file), file);
}
