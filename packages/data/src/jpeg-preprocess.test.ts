import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeImageNetJpeg } from './jpeg-preprocess.ts';
import { asyncDataError } from './test-fixtures.ts';

describe('decodeImageNetJpeg', () => {
  // A 100%-quality gradient JPEG and its jpeg-js decoding, to check the crop window exactly (no resampling).
  function gradient(width: number, height: number): { bytes: Uint8Array; rgba: Uint8Array } {
    const data = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x * 5, y * 5, (x + y) * 2, 255], (y * width + x) * 4);
    const bytes = new Uint8Array(jpeg.encode({ width, height, data }, 100).data);
    return { bytes, rgba: jpeg.decode(bytes, { useTArray: true }).data };
  }

  it.each([
    [45, 40, 5, 8], // left = round(7.5) = 8 (half to even)
    [43, 40, 5, 6], // left = round(6.5) = 6
    [40, 47, 8, 5], // top = round(8.5) = 8
  ])('a %d × %d image with resize 40 is only cropped: window at top %d, left %d', async (width, height, top, left) => {
    const { bytes, rgba } = gradient(width, height);
    const out = await decodeImageNetJpeg(bytes, 'g.jpg', { size: 30, resize: 40 });
    for (let y = 0; y < 30; y++) {
      for (let x = 0; x < 30; x++) {
        for (let c = 0; c < 3; c++) {
          if (out[(y * 30 + x) * 3 + c] !== rgba[((top + y) * width + left + x) * 4 + c]) expect.fail(`(${y}, ${x}, ${c})`);
        }
      }
    }
  });

  it('resizes the shorter side (floor of the longer one) and keeps a constant image constant', async () => {
    const data = new Uint8Array(30 * 20 * 4).fill(77);
    const bytes = new Uint8Array(jpeg.encode({ width: 30, height: 20, data }, 95).data);
    const out = await decodeImageNetJpeg(bytes, 'c.jpg', { size: 40, resize: 50, out: new Uint8Array(40 * 40 * 3 + 1) });
    expect(out.length).toBe(40 * 40 * 3 + 1);
    for (let i = 0; i < 40 * 40 * 3; i++) if (Math.abs(out[i]! - 77) > 2) expect.fail(`value ${out[i]} at ${i}`);
  });

  it('rejects non-JPEG bytes at offset 0, oversized images, and bad sizes', async () => {
    let e = await asyncDataError(decodeImageNetJpeg(Uint8Array.of(0x89, 0x50, 0x4e, 0x47), 'x.JPEG'));
    expect([e.offset, e.reason]).toEqual([0, expect.stringMatching(/not a JPEG.*got 89 50 4e 47 \(a PNG image/)]);
    e = await asyncDataError(decodeImageNetJpeg(new Uint8Array(0), 'e.jpg'));
    expect(e.reason).toMatch(/an empty file/);
    const { bytes } = gradient(64, 64);
    e = await asyncDataError(decodeImageNetJpeg(bytes, 'big.jpg', { maxResolutionInMP: 0.001 }));
    expect(e.reason).toMatch(/maxResolutionInMP/);
    await expect(decodeImageNetJpeg(bytes, 'b', { size: 300, resize: 256 })).rejects.toThrow(/resize must be an integer in \[size \(300\), 8192\], got 256/);
    await expect(decodeImageNetJpeg(bytes, 'b', { out: new Uint8Array(3) })).rejects.toThrow(/out must hold 150528 bytes, got 3/);
  });
});
