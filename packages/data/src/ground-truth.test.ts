import { describe, expect, it } from 'vitest';
import { parseGroundTruth } from './ground-truth.ts';
import { dataError } from './test-fixtures.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('parseGroundTruth', () => {
  it('reads `<file> <label>` lines (CRLF, tabs, paths, trailing blank lines)', () => {
    const gt = parseGroundTruth(text('ILSVRC2012_val_00000001.JPEG 65\r\nval/ILSVRC2012_val_00000002.JPEG\t970\n\n'), 'val.txt');
    expect(gt.kind).toBe('named');
    expect(gt.kind === 'named' && [...gt.labels]).toEqual([
      ['ILSVRC2012_val_00000001.JPEG', 65],
      ['ILSVRC2012_val_00000002.JPEG', 970],
    ]);
  });

  it('reads one label per line', () => {
    const gt = parseGroundTruth(text('65\n970\n230'), 'gt.txt');
    expect(gt.kind === 'ordered' && Array.from(gt.labels)).toEqual([65, 970, 230]);
  });

  it('errors give the byte offset of the offending line', () => {
    let e = dataError(() => parseGroundTruth(text('65\n1000\n'), 'gt.txt'));
    expect([e.file, e.offset]).toEqual(['gt.txt', 3]);
    expect(e.reason).toMatch(/label 1000 is out of range \[0, 999\] \(1-based labels/);
    e = dataError(() => parseGroundTruth(text('a 1\nb 2\nc\n'), 'gt.txt'));
    expect([e.offset, e.reason]).toEqual([8, 'line 3 has 1 fields, the first line has 2: every line must have the same form']);
    e = dataError(() => parseGroundTruth(text('a 1\na 2\n'), 'gt.txt'));
    expect([e.offset, e.reason]).toEqual([4, 'a is listed twice']);
    e = dataError(() => parseGroundTruth(text('a -1\n'), 'gt.txt'));
    expect(e.reason).toMatch(/label "-1" is not a non-negative integer/);
    expect(dataError(() => parseGroundTruth(text('\n\n'), 'gt.txt')).reason).toMatch(/empty/);
    expect(dataError(() => parseGroundTruth(text('a b c\n'), 'gt.txt')).reason).toMatch(/the first line has 3 fields/);
    expect(dataError(() => parseGroundTruth(text('1\n\n2\n'), 'gt.txt')).offset).toBe(2); // the blank line
    expect(dataError(() => parseGroundTruth(text('3\n'), 'gt.txt', 3)).reason).toMatch(/out of range \[0, 2\]/);
  });

  it('rejects a bad class count', () => {
    expect(() => parseGroundTruth(text('1'), 'f', 0)).toThrow(/parseGroundTruth: classes must be an integer in \[1, 65536\], got 0/);
  });
});
