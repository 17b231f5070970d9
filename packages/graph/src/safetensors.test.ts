import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './builder.ts';
import { forward } from './forward.ts';
import { getParam, paramNames } from './param-names.ts';
import { LoadWeightsError, loadWeights, readSafetensors, readSafetensorsHeader, SafetensorsError } from './safetensors.ts';
import { encodeSafetensors } from './test-safetensors.ts';
import type { Graph } from './types.ts';
import { createModel } from './zoo/zoo.ts';

const dataDir = process.env['QUANTPRUNE_DATA_DIR'];

describe('readSafetensors', () => {
  it('reads F32, F64, F16 and BF16 tensors, skips integer ones, returns metadata via the header', () => {
    const f64 = new Float64Array([0.1, -2.5]);
    const f16 = Uint8Array.of(0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0x00, 0x7c); // 1, −2, 2^−24 (subnormal), +∞
    const bf16 = Uint8Array.of(0x80, 0x3f, 0x49, 0x40); // 1, 3.140625
    const i64 = new Uint8Array(8);
    const bytes = encodeSafetensors(
      [
        { name: 'a.weight', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) },
        { name: 'a.bias', shape: [2], dtype: 'F64', raw: new Uint8Array(f64.buffer) },
        { name: 'h', shape: [4], dtype: 'F16', raw: f16 },
        { name: 'b', shape: [2], dtype: 'BF16', raw: bf16 },
        { name: 'bn.num_batches_tracked', shape: [], dtype: 'I64', raw: i64 },
        { name: 'empty', shape: [0, 3], data: new Float32Array(0) },
      ],
      { source: 'test' },
    );
    const t = readSafetensors(bytes, 'x.safetensors');
    expect([...t.keys()]).toEqual(['a.weight', 'a.bias', 'h', 'b', 'empty']);
    expect(t.get('a.weight')).toEqual({ dtype: 'F32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) });
    expect(Array.from(t.get('a.bias')!.data)).toEqual([Math.fround(0.1), -2.5]);
    expect(Array.from(t.get('h')!.data)).toEqual([1, -2, 2 ** -24, Infinity]);
    expect(Array.from(t.get('b')!.data)).toEqual([1, 3.140625]);
    const header = readSafetensorsHeader(bytes);
    expect(header.metadata).toEqual({ source: 'test' });
    expect(header.entries.map((e) => e.dtype)).toEqual(['F32', 'F64', 'F16', 'BF16', 'I64', 'F32']);
  });

  it('rejects broken files with a SafetensorsError naming file and byte offset', () => {
    const good = encodeSafetensors([
      { name: 'w', shape: [2], data: Float32Array.of(1, 2) },
      { name: 'v', shape: [1], data: Float32Array.of(3) },
    ]);
    const headerLength = new DataView(good.buffer).getUint32(0, true);
    const withHeader = (h: unknown, dataBytes: number): Uint8Array => {
      const json = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(8 + json.length + dataBytes);
      new DataView(out.buffer).setUint32(0, json.length, true);
      out.set(json, 8);
      return out;
    };
    const entry = (dtype: string, shape: number[], offsets: number[]): unknown => ({ dtype, shape, data_offsets: offsets });
    const cases: [Uint8Array, RegExp][] = [
      [good.subarray(0, 5), /^f\.st: byte 0: file is 5 bytes, shorter than the 8-byte header length/],
      [good.subarray(0, good.length - 1), new RegExp(`^f\\.st: byte ${8 + headerLength + 8}: tensor "v": data_offsets \\[8, 12\\] fall outside the 11-byte data buffer`)],
      [good.subarray(0, 20), /byte 0: header length \d+ exceeds the 12 bytes after the length field/],
      [Uint8Array.from(good, (b, i) => (i === 7 ? 1 : b)), /byte 0: header length \d+ exceeds .*100 MB limit/],
      [Uint8Array.from(good, (b, i) => (i === 8 ? 0x5b : b)), /byte 8: header is not valid UTF-8 JSON/],
      [Uint8Array.from(good, (b, i) => (i === 9 ? 0xff : b)), /byte 8: header is not valid UTF-8 JSON/],
      [withHeader([1, 2], 0), /byte 8: header must be a JSON object/],
      [withHeader({ w: entry('F33', [1], [0, 4]) }, 4), /tensor "w": unknown dtype "F33"/],
      [withHeader({ w: entry('F32', [-1], [0, 4]) }, 4), /tensor "w": shape must be a list of non-negative integers/],
      [withHeader({ w: entry('F32', [2], [0, 4]) }, 4), /tensor "w": F32 \[2\] needs 8 bytes but data_offsets give 4/],
      [withHeader({ w: entry('F32', [1], [4, 0]) }, 4), /data_offsets \[4, 0\] fall outside/],
      [withHeader({ w: entry('F32', [1], [0, 4]), v: entry('F32', [1], [2, 6]) }, 8), /tensor "v" \(bytes \d+–\d+\) overlaps the tensor before it/],
      [withHeader({ w: entry('F32', [1], [0, 4]), v: entry('F32', [1], [8, 12]) }, 12), /4 bytes before tensor "v" belong to no tensor/],
      [withHeader({ w: entry('F32', [1], [0, 4]) }, 6), /2 trailing bytes after the last tensor/],
      [withHeader({ w: entry('F32', [1e10, 1e10], [0, 4]) }, 4), /needs .* bytes but data_offsets give 4/],
      [withHeader({ __metadata__: { a: 1 } }, 0), /__metadata__ must be an object of strings/],
    ];
    for (const [bytes, message] of cases) {
      let error: unknown;
      try {
        readSafetensors(bytes, 'f.st');
      } catch (e) {
        error = e;
      }
      expect(error, String(message)).toBeInstanceOf(SafetensorsError);
      expect((error as Error).message).toMatch(message);
      expect((error as SafetensorsError).file).toBe('f.st');
    }
  });
});

/** conv(2→3) → BN → PReLU ×2 (tied) → flatten → dense. */
function smallNet(seed = 0): Graph {
  const b = new GraphBuilder('small', { seed });
  let x = b.input([2, 4, 4]);
  x = b.batchnorm('bn', b.conv2d('conv', x, { inChannels: 2, outChannels: 3, kernel: 3 }), { channels: 3 });
  x = b.prelu('act_1', b.prelu('act', x), { tiedTo: 'act' });
  return b.build(b.dense('fc', b.flatten('flat', x), { inFeatures: 12, outFeatures: 2 }));
}

function stateDict(g: Graph, skip: (name: string) => boolean = (n) => n === 'act_1.weight'): Map<string, { shape: readonly number[]; data: Float32Array }> {
  return new Map(paramNames(g).filter((n) => !skip(n)).map((n) => [n, { shape: getParam(g, n).shape, data: getParam(g, n).data.map((v) => v + 1) }]));
}

describe('loadWeights', () => {
  it('copies every tensor into a copy of the graph; tied parameters load through their first name', () => {
    const g = smallNet();
    const sd = stateDict(g);
    sd.get('act.weight')!.data[0] = 0.5;
    const loaded = loadWeights(g, sd);
    expect(getParam(loaded, 'conv.weight').data).toEqual(sd.get('conv.weight')!.data);
    expect(getParam(loaded, 'bn.running_var').data).toEqual(sd.get('bn.running_var')!.data);
    expect(getParam(loaded, 'act_1.weight').data[0]).toBe(0.5);
    expect(getParam(g, 'act.weight').data[0]).toBe(0.25); // input graph untouched
  });

  it('maps names: module. prefix stripped by default, custom mapping, null ignores', () => {
    const g = smallNet();
    const sd = new Map([...stateDict(g)].map(([n, t]) => [`module.${n}`, t]));
    expect(() => loadWeights(g, sd)).not.toThrow();
    const renamed = new Map([...stateDict(g)].map(([n, t]) => [n.replace('fc.', 'classifier.'), t]));
    renamed.set('extra.num_batches', { shape: [1], data: new Float32Array(1) });
    const loaded = loadWeights(g, renamed, { mapping: (n) => (n.startsWith('extra') ? null : n.replace('classifier.', 'fc.')) });
    expect(getParam(loaded, 'fc.bias').data).toEqual(renamed.get('classifier.bias')!.data);
  });

  it('reports every missing, unexpected and mis-shaped tensor in one error', () => {
    const g = smallNet();
    const sd = stateDict(g, (n) => n === 'act_1.weight' || n === 'bn.bias');
    sd.set('bn.num_batches_tracked', { shape: [], data: new Float32Array(1) });
    sd.set('fc.weight', { shape: [12, 2], data: new Float32Array(24) });
    sd.set('conv.weight', { shape: [3, 2, 3, 3], data: new Float32Array(5) });
    let error: LoadWeightsError | undefined;
    try {
      loadWeights(g, sd);
    } catch (e) {
      error = e as LoadWeightsError;
    }
    expect(error).toBeInstanceOf(LoadWeightsError);
    expect(error!.missing).toEqual(['bn.bias']);
    expect(error!.unexpected).toEqual(['bn.num_batches_tracked']);
    expect(error!.mismatched.map((m) => m.name)).toEqual(['conv.weight', 'fc.weight']);
    expect(error!.message).toMatch(
      /cannot load into "small": missing in the tensors \(1\): bn\.bias\. unexpected tensors \(1\): bn\.num_batches_tracked\. shape mismatches \(2\): conv\.weight: graph \[3, 2, 3, 3\], tensor \[3, 2, 3, 3\]; fc\.weight: graph \[2, 12\], tensor \[12, 2\]/,
    );
    // strict: false tolerates missing and unexpected tensors but never a wrong shape
    sd.delete('conv.weight');
    expect(() => loadWeights(g, sd, { strict: false })).toThrow(/shape mismatches \(1\): fc\.weight/);
    sd.delete('fc.weight');
    expect(getParam(loadWeights(g, sd, { strict: false }), 'bn.bias').data).toEqual(getParam(g, 'bn.bias').data);
  });
});

/** CIFAR-10 binary records → NCHW float32 normalised with the ImageNet mean/std (datasets README). */
function cifarBatch(raw: Uint8Array, start: number, count: number): { x: Float32Array; labels: number[] } {
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const x = new Float32Array(count * 3072);
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const rec = (start + i) * 3073;
    labels.push(raw[rec]!);
    for (let j = 0; j < 3072; j++) {
      const c = Math.floor(j / 1024);
      x[i * 3072 + j] = (raw[rec + 1 + j]! / 255 - mean[c]!) / std[c]!;
    }
  }
  return { x, labels };
}

function top1(g: Graph, raw: Uint8Array, count: number): number {
  let correct = 0;
  for (let s = 0; s < count; s += 50) {
    const { x, labels } = cifarBatch(raw, s, Math.min(50, count - s));
    const y = forward(g, x, labels.length);
    labels.forEach((label, i) => {
      const row = y.subarray(i * 10, i * 10 + 10);
      if (row.indexOf(Math.max(...row)) === label) correct++;
    });
  }
  return correct / count;
}

describe.skipIf(!dataDir)('pretrained CIFAR-10 ResNets (QUANTPRUNE_DATA_DIR)', () => {
  const load = (file: string): Map<string, { shape: readonly number[]; data: Float32Array }> => {
    const path = join(dataDir!, 'pretrained', file);
    return readSafetensors(readFileSync(path), path);
  };

  it('resnet20: every tensor maps one to one and the first 200 test images score ≥ 88 % top-1', () => {
    const tensors = load('resnet20-12fca82f.safetensors');
    expect(tensors.size).toBe(paramNames(createModel('resnet20-cifar')).length);
    const g = loadWeights(createModel('resnet20-cifar'), tensors);
    const raw = readFileSync(join(dataDir!, 'cifar10', 'test_batch_first1000.bin'));
    // datasets README: 91.5 % on the first 1,000 from an independent float64 forward
    expect(top1(g, raw, 200)).toBeGreaterThanOrEqual(0.88);
  }, 180_000); // ≈ 8 G multiply-adds in plain TypeScript: 13 s alone, more on a loaded CI machine

  it('resnet56 loads onto resnet56-cifar (option A) but not onto option B or resnet20', () => {
    const tensors = load('resnet56-4bfd9763.safetensors');
    expect(() => loadWeights(createModel('resnet56-cifar'), tensors)).not.toThrow();
    expect(() => loadWeights(createModel('resnet56-cifar', { shortcut: 'B' }), tensors)).toThrow(/missing in the tensors \(10\): layer2\.0\.shortcut\.0\.weight/);
    expect(() => loadWeights(createModel('resnet20-cifar'), tensors)).toThrow(/unexpected tensors \(180\): layer1\.3\.conv1\.weight/);
  });
});
