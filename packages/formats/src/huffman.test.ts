import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { FormatError } from './errors.ts';
import { huffmanCodeLengths, huffmanDecode, huffmanEncode, huffmanStreamBits, MAX_CODE_LENGTH } from './huffman.ts';

describe('canonical Huffman', () => {
  it('gives optimal lengths for a textbook distribution', () => {
    // counts 45,13,12,16,9,5 (CLRS 3rd ed. §16.3, Fig. 16.5): code lengths 1,3,3,3,4,4
    expect([...huffmanCodeLengths([45, 13, 12, 16, 9, 5])]).toEqual([1, 3, 3, 3, 4, 4]);
  });

  it('limits code lengths to 16 bits on a Fibonacci distribution', () => {
    const counts: number[] = [1, 1];
    while (counts.length < 30) counts.push(counts.at(-1)! + counts.at(-2)!);
    const lengths = huffmanCodeLengths(counts);
    expect(Math.max(...lengths)).toBe(MAX_CODE_LENGTH);
    const kraft = [...lengths].reduce((s, l) => s + 2 ** -l, 0);
    expect(kraft).toBeLessThanOrEqual(1);
    const symbols = counts.flatMap((c, s) => (c < 50 ? new Array<number>(c).fill(s) : [s]));
    expect([...huffmanDecode(huffmanEncode(symbols, lengths), huffmanStreamBits(histogramOf(symbols, 30), lengths), lengths, symbols.length)]).toEqual(symbols);
  });

  it('rejects over-subscribed lengths and truncated streams with FormatError', () => {
    expect(() => huffmanDecode(new Uint8Array(1), 8, [1, 1, 1], 1)).toThrow(FormatError);
    expect(() => huffmanDecode(new Uint8Array(1), 8, [1, 1], 9)).toThrow(/ends after 8 of 9 symbols/);
    expect(() => huffmanDecode(new Uint8Array(1), 9, [1, 1], 1)).toThrow(/claims 9 bits/);
  });
});

function histogramOf(symbols: number[], size: number): number[] {
  const h = new Array<number>(size).fill(0);
  for (const s of symbols) h[s]!++;
  return h;
}

test.prop([fc.integer({ min: 1, max: 8 }).chain((bits) => fc.array(fc.integer({ min: 0, max: 2 ** bits - 1 }), { maxLength: 400 }))], { numRuns: 1000 })(
  'decode(encode(x)) = x and the stream has exactly Σ count·length bits',
  (symbols) => {
    const counts = histogramOf(symbols, 256);
    const lengths = huffmanCodeLengths(counts);
    const bits = huffmanStreamBits(counts, lengths);
    const stream = huffmanEncode(symbols, lengths);
    expect(stream.length).toBe(Math.ceil(bits / 8));
    expect([...huffmanDecode(stream, bits, lengths, symbols.length)]).toEqual(symbols);
  },
);
