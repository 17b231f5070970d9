import { expect, it } from 'vitest';
import { decodeContainer, encodeContainer } from './container.ts';
import { crc32 } from './crc32.ts';
import { FormatError } from './errors.ts';
import { affineQuantization, levelsQuantization } from './quantization.ts';

// A container exercising every encoding path: raw, affine, levels, every sparse format, Huffman.
function corpus(): Uint8Array {
  const n = 96;
  const data = Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : Math.cos(i)));
  const codes = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 2 : i % 4));
  const q = affineQuantization(2, [0.5, 0.25], [2, 2], { axis: 0 });
  const levels = levelsQuantization(3, [0, -1, 1, 0.5]);
  return encodeContainer(
    [
      { name: 'raw', shape: [n], data },
      { name: 'bitmask', shape: [2, 48], data, sparse: { kind: 'bitmask' } },
      { name: 'relative', shape: [2, 48], codes, quantization: q, sparse: { kind: 'relative', indexBits: 2 }, huffman: true },
      { name: 'csr', shape: [2, 48], codes, quantization: q, sparse: { kind: 'csr' } },
      { name: 'levels', shape: [n], codes, quantization: levels, huffman: true },
    ],
    { metadata: { fuzz: true }, alignment: 16 },
  );
}

// Deterministic xorshift so a failure can be replayed from the printed iteration.
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function decodeFully(bytes: Uint8Array, onCrcMismatch: 'throw' | 'report'): void {
  const c = decodeContainer(bytes, { onCrcMismatch, maxElements: 1 << 20 });
  for (const t of c.tensors) {
    t.values();
    t.codes();
    t.mask();
  }
}

it('10,000 mutations of a valid container give a valid decode or a FormatError, nothing else', () => {
  const base = corpus();
  decodeFully(base, 'throw');
  const rand = rng(20261122);
  let formatErrors = 0;
  for (let iter = 0; iter < 10_000; iter++) {
    const bytes = base.slice();
    const kind = iter % 4;
    if (kind === 0) {
      for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
    } else if (kind === 1) {
      const bit = Math.floor(rand() * bytes.length * 8);
      bytes[bit >>> 3]! ^= 1 << (bit & 7);
    }
    let input = bytes;
    if (kind === 2) input = bytes.subarray(0, Math.floor(rand() * bytes.length));
    // kind 3: mutate the payload area but keep CRCs out of the way, so the payload decoders see hostile data
    const onCrc = kind === 3 ? 'report' : 'throw';
    if (kind === 3) bytes[bytes.length - 1 - Math.floor(rand() * 400)] = Math.floor(rand() * 256);
    try {
      decodeFully(input, onCrc);
    } catch (e) {
      if (!(e instanceof FormatError)) throw new Error(`iteration ${iter}: ${String(e)}`);
      formatErrors++;
    }
  }
  expect(formatErrors).toBeGreaterThan(5000);
});

it('a header rewritten by an attacker (valid CRC, hostile fields) only ever gives FormatError', () => {
  const base = corpus();
  const view = new DataView(base.buffer);
  const headerLength = view.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(base.subarray(20, 20 + headerLength))) as { tensors: Record<string, unknown>[] };
  const hostile: ((h: { tensors: Record<string, unknown>[] }) => void)[] = [
    (h) => (h.tensors[0]!['shape'] = [2 ** 31, 2 ** 31]),
    (h) => (h.tensors[0]!['offset'] = 1e15),
    (h) => (h.tensors[1]!['offset'] = h.tensors[0]!['offset']),
    (h) => (h.tensors[2]!['encoding'] = { ...(h.tensors[2]!['encoding'] as object), count: 1e9 }),
    (h) => (h.tensors[4]!['encoding'] = { ...(h.tensors[4]!['encoding'] as object), huffman: { valueBits: 1e12, indexBits: null } }),
    (h) => (h.tensors[0]!['name'] = h.tensors[1]!['name']),
    (h) => (h.tensors = 'x' as never),
  ];
  for (const mutate of hostile) {
    const h = structuredClone(header);
    mutate(h);
    const json = new TextEncoder().encode(JSON.stringify(h));
    const out = new Uint8Array(20 + json.length + base.length);
    out.set(base.subarray(0, 20));
    out.set(json, 20);
    out.set(base.subarray(20 + headerLength), 20 + json.length);
    const v = new DataView(out.buffer);
    v.setUint32(12, json.length, true);
    v.setUint32(16, crc32(json), true);
    expect(() => decodeFully(out, 'report')).toThrow(FormatError);
    expect(() => decodeFully(out, 'report')).not.toThrow(/header CRC/);
  }
});
