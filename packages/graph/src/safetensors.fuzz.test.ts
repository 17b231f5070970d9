import fc from 'fast-check';
import { expect, it } from 'vitest';
import { readSafetensors, SafetensorsError } from './safetensors.ts';
import { encodeSafetensors } from './test-safetensors.ts';

// A file with every dtype path: F32, F64, F16, BF16, an I64 scalar, an empty tensor, metadata.
const base = encodeSafetensors(
  [
    { name: 'conv.weight', shape: [2, 1, 2, 2], data: Float32Array.from({ length: 8 }, (_, i) => i - 3.5) },
    { name: 'bn.running_var', shape: [2], dtype: 'F64', raw: new Uint8Array(new Float64Array([1, 2]).buffer) },
    { name: 'h', shape: [2], dtype: 'F16', raw: Uint8Array.of(0, 0x3c, 0, 0xc0) },
    { name: 'b', shape: [1], dtype: 'BF16', raw: Uint8Array.of(0x80, 0x3f) },
    { name: 'bn.num_batches_tracked', shape: [], dtype: 'I64', raw: new Uint8Array(8) },
    { name: 'empty', shape: [0], data: new Float32Array(0) },
  ],
  { source: 'fuzz' },
);
const headerEnd = 8 + new DataView(base.buffer).getUint32(0, true);

function readsOrThrowsSafetensorsError(bytes: Uint8Array): void {
  try {
    readSafetensors(bytes, 'fuzz.safetensors');
  } catch (e) {
    if (!(e instanceof SafetensorsError)) throw e;
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(bytes.length);
  }
}

it('the corpus file reads', () => {
  expect(readSafetensors(base).size).toBe(5);
});

it('byte mutations anywhere (mostly in the header) give tensors or a SafetensorsError', () => {
  const position = fc.oneof(fc.integer({ min: 0, max: headerEnd - 1 }), fc.integer({ min: 0, max: base.length - 1 }));
  fc.assert(
    fc.property(fc.array(fc.tuple(position, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
      const bytes = base.slice();
      for (const [i, v] of edits) bytes[i] = v;
      readsOrThrowsSafetensorsError(bytes);
    }),
    { numRuns: 3000, seed: 20261122 },
  );
});

it('digit and character substitutions in the JSON header give tensors or a SafetensorsError', () => {
  const text = new TextDecoder().decode(base.subarray(8, headerEnd));
  const positions = [...text].flatMap((ch, i) => (/[0-9\[\],":]/.test(ch) ? [i] : []));
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom(...positions), fc.constantFrom(...'0123456789-,[]":e.')), { minLength: 1, maxLength: 4 }), (edits) => {
      const bytes = base.slice();
      for (const [i, ch] of edits) bytes[8 + i] = ch.charCodeAt(0);
      readsOrThrowsSafetensorsError(bytes);
    }),
    { numRuns: 3000, seed: 7 },
  );
});

it('every truncation throws a SafetensorsError', () => {
  for (let n = 0; n < base.length; n++) expect(() => readSafetensors(base.subarray(0, n))).toThrow(SafetensorsError);
});
