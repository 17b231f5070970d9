import { describe, expect, it } from 'vitest';
import { readIdx } from './idx.ts';
import { dataError } from './test-fixtures.ts';

function idx(dims: number[], data: number[], type = 0x08): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length + data.length);
  bytes.set([0, 0, type, dims.length]);
  const view = new DataView(bytes.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  bytes.set(data, 4 + 4 * dims.length);
  return bytes;
}

describe('readIdx', () => {
  it('reads dims (big-endian) and a view of the data', () => {
    const bytes = idx([2, 1, 3], [1, 2, 3, 4, 5, 6]);
    const { dims, data } = readIdx(bytes, 'x');
    expect(dims).toEqual([2, 1, 3]);
    expect(Array.from(data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(data.buffer).toBe(bytes.buffer);
    expect(readIdx(idx([258], Array.from({ length: 258 }, (_, i) => i & 255)), 'x').dims).toEqual([258]);
  });

  it('names the file and offset of a wrong magic, element type, truncation or trailing bytes', () => {
    const good = idx([2, 2], [1, 2, 3, 4]);
    const gz = good.slice();
    gz.set([0x1f, 0x8b]);
    let e = dataError(() => readIdx(gz, 'a.idx'));
    expect([e.file, e.offset]).toEqual(['a.idx', 0]);
    expect(e.message).toMatch(/^a\.idx \(at byte 0\): wrong magic number.*gzip/);
    e = dataError(() => readIdx(idx([4], [1, 2, 3, 4], 0x0d), 'f'));
    expect([e.offset, e.reason]).toEqual([2, expect.stringMatching(/0x0d \(float32\) is not supported/)]);
    e = dataError(() => readIdx(good.subarray(0, 9), 'f'));
    expect(e.offset).toBe(9);
    expect(e.reason).toMatch(/truncated IDX header/);
    e = dataError(() => readIdx(good.subarray(0, 14), 'f'));
    expect(e.offset).toBe(14);
    expect(e.reason).toMatch(/size mismatch.*2 × 2 = 4.*truncated/);
    e = dataError(() => readIdx(Uint8Array.of(...good, 9), 'f'));
    expect(e.offset).toBe(16);
    expect(e.reason).toMatch(/trailing bytes/);
    expect(dataError(() => readIdx(Uint8Array.of(0, 0), 'f')).offset).toBe(2);
    expect(dataError(() => readIdx(Uint8Array.of(0, 0, 8, 0), 'f')).offset).toBe(3);
  });

  it('does not allocate for absurd dimensions', () => {
    const bytes = idx([0xffffffff, 0xffffffff, 0xffffffff], []);
    expect(dataError(() => readIdx(bytes, 'f')).reason).toMatch(/truncated/);
  });
});
