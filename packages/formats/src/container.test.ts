import { describe, expect, it } from 'vitest';
import { decodeContainer, encodeContainer, predictContainerBytes, QPK_MAGIC } from './container.ts';
import { FormatError } from './errors.ts';
import { dorefaLevels, levelsQuantization } from './quantization.ts';
import { encodeTensor } from './tensor-codec.ts';

const weights = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i));
const sample = (): Uint8Array =>
  encodeContainer(
    [
      { name: 'conv.weight', shape: [10, 100], data: weights },
      { name: 'conv.codes', shape: [10, 100], codes: Array.from(weights, (w) => (w > 0.5 ? 3 : w > 0 ? 2 : w > -0.5 ? 1 : 0)), quantization: levelsQuantization(2, dorefaLevels(2)) },
      { name: 'mask', shape: [8], data: Uint8Array.of(1, 0, 1, 1, 0, 0, 1, 0) },
    ],
    { metadata: { model: 'test', accuracy: 0.99 } },
  );

describe('.qpk container', () => {
  it('round-trips tensors and metadata, with zero-copy aligned float32 views', () => {
    const bytes = sample();
    expect([...bytes.subarray(0, 8)]).toEqual([...QPK_MAGIC]);
    const c = decodeContainer(bytes);
    expect(c.metadata).toEqual({ model: 'test', accuracy: 0.99 });
    const w = c.get('conv.weight')!.values();
    expect(w).toEqual(weights);
    expect(w.buffer).toBe(bytes.buffer); // a view, not a copy
    expect(c.get('conv.weight')!.fileOffset % 64).toBe(0);
    expect([...c.get('mask')!.values()]).toEqual([1, 0, 1, 1, 0, 0, 1, 0]);
    expect(c.get('conv.codes')!.values()[0]).toBeCloseTo(-1 / 3, 6);
  });

  it('predicts its own size exactly from the descriptors', () => {
    const c = decodeContainer(sample());
    expect(predictContainerBytes(c.tensors, { metadata: c.metadata })).toBe(sample().length);
  });

  it('rejects duplicate names and bad alignment', () => {
    const t = encodeTensor({ name: 'a', shape: [1], data: new Float32Array(1) });
    expect(() => encodeContainer([t, t])).toThrow(/duplicate tensor name "a"/);
    expect(() => encodeContainer([t], { alignment: 3 })).toThrow(/alignment must be a power of two/);
  });

  it('reports truncation, bad magic, bad version and corrupted bytes as FormatError with an offset', () => {
    const bytes = sample();
    const cases: [Uint8Array, RegExp][] = [
      [bytes.subarray(0, 10), /too short/],
      [Uint8Array.from(bytes, (b, i) => (i === 1 ? 0 : b)), /bad magic/],
      [Uint8Array.from(bytes, (b, i) => (i === 8 ? 2 : b)), /unsupported .qpk version 2/],
      [bytes.subarray(0, 40), /header length \d+ runs past the end/],
      [Uint8Array.from(bytes, (b, i) => (i === 30 ? b ^ 1 : b)), /header CRC-32 mismatch/],
      [bytes.subarray(0, bytes.length - 1), /runs past the end of the \d+-byte file/],
      [Uint8Array.from(bytes, (b, i) => (i === bytes.length - 4 ? b ^ 0xff : b)), /payload CRC-32 mismatch/],
    ];
    for (const [input, message] of cases) {
      const error = (() => {
        try {
          decodeContainer(input);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(FormatError);
      expect((error as FormatError).message).toMatch(message);
      expect((error as FormatError).offset).toBeGreaterThanOrEqual(0);
    }
  });

  it('can report CRC mismatches instead of throwing', () => {
    const bytes = sample();
    bytes[bytes.length - 4]! ^= 0xff;
    const c = decodeContainer(bytes, { onCrcMismatch: 'report' });
    expect(c.tensors.map((t) => t.crcOk)).toEqual([true, true, false]);
  });

  it('refuses headers that claim more elements than allowed before allocating', () => {
    const big = encodeContainer([{ name: 'z', shape: [300], data: new Float32Array(300) }]);
    expect(() => decodeContainer(big, { maxElements: 100 })).toThrow(/300 elements exceed the limit of 100/);
  });
});
