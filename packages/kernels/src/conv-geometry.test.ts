import { describe, expect, it } from 'vitest';
import { paddedTaps, resolveConvGeometry, windowSpans } from './conv-geometry.ts';

describe('resolveConvGeometry', () => {
  it('derives ⌊(H + 2p − k)/s⌋ + 1 and the channel words', () => {
    const g = resolveConvGeometry({ inputShape: [2, 56, 55, 33], outChannels: 8, kernelSize: 3, strides: 2, padding: 1 });
    expect([g.outHeight, g.outWidth, g.channelWords, g.padValue]).toEqual([28, 28, 2, 0]);
  });

  it('rejects bad shapes', () => {
    expect(() => resolveConvGeometry({ inputShape: [1, 2, 2, 0], outChannels: 1, kernelSize: 1 }, 'f')).toThrow(/f: inputShape must be 4 positive integers/);
    expect(() => resolveConvGeometry({ inputShape: [1, 9, 9, 1], outChannels: 1, kernelSize: 6 }, 'f')).toThrow(/more than 32 taps/);
    expect(() => resolveConvGeometry({ inputShape: [1, 9, 9, 1], outChannels: 0, kernelSize: 1 }, 'f')).toThrow(/outChannels/);
    expect(() => resolveConvGeometry({ inputShape: [1, 9, 9, 1], outChannels: 1, kernelSize: 1, padding: -1 }, 'f')).toThrow(/padding/);
  });
});

describe('paddedTaps', () => {
  it('lists border pixels with the taps that fall into the padding', () => {
    // 3×3 input, 3×3 kernel, pad 1: every output pixel but the centre touches the padding (by hand)
    const g = resolveConvGeometry({ inputShape: [2, 3, 3, 1], outChannels: 1, kernelSize: 3, padding: 1 });
    const e = paddedTaps(g);
    expect(e.length).toBe(2 * 8 * 2);
    expect([e[0], e[1]]).toEqual([0, 0b001001111]); // top-left: row ky=0 (taps 0-2) and column kx=0 (taps 3, 6)
    expect([e[16], e[17]]).toEqual([9, 0b001001111]); // same pixel of the second image
    expect(paddedTaps(resolveConvGeometry({ inputShape: [1, 4, 4, 1], outChannels: 1, kernelSize: 3 })).length).toBe(0);
  });
});

describe('windowSpans', () => {
  it('groups rows with the same window of inside taps', () => {
    // 4×4 input, 3×3 kernel, pad 1, 1 channel: output rows 0..15 (by hand)
    const g = resolveConvGeometry({ inputShape: [1, 4, 4, 2], outChannels: 1, kernelSize: 3, padding: 1 });
    const w = (ky0: number, ky1: number, kx0: number, kx1: number): number => ky0 | (ky1 << 8) | (kx0 << 16) | (kx1 << 24);
    const spans = [...windowSpans(g)];
    expect(spans.slice(0, 12)).toEqual([
      [0, 1, w(1, 3, 1, 3), 4 * 2], // top-left corner: 2×2 taps inside
      [1, 3, w(1, 3, 0, 3), 6 * 2], // top edge
      [3, 4, w(1, 3, 0, 2), 4 * 2], // top-right corner
    ].flat());
    expect(spans.slice(12, 24)).toEqual([
      [4, 5, w(0, 3, 1, 3), 6 * 2], // left edge of the second output row
      [5, 7, -1, 9 * 2], // interior: every tap
      [7, 8, w(0, 3, 0, 2), 6 * 2],
    ].flat());
    expect(spans.length / 4).toBe(3 + 3 + 3 + 3);
    // spans cover every row once, in order
    for (let i = 4; i < spans.length; i += 4) expect(spans[i]).toBe(spans[i - 3]);
    expect(spans[spans.length - 3]).toBe(16);
  });

  it('is one full span without padding and empty windows for outputs inside the padding', () => {
    expect([...windowSpans(resolveConvGeometry({ inputShape: [2, 5, 5, 3], outChannels: 1, kernelSize: 3 }))]).toEqual([0, 18, -1, 27]);
    // 1×1 input, 1×1 kernel, pad 1: the 3×3 outputs but the centre see only padding (0 valid bits; the last
    // window is empty at ky = kx = 0, which must not read as 'every tap')
    const spans = windowSpans(resolveConvGeometry({ inputShape: [1, 1, 1, 4], outChannels: 1, kernelSize: 1, padding: 1 }));
    const bits = new Map<number, number>();
    for (let i = 0; i < spans.length; i += 4) for (let r = spans[i]!; r < spans[i + 1]!; r++) bits.set(r, spans[i + 3]!);
    expect([...bits.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...bits.values()]).toEqual([0, 0, 0, 0, 4, 0, 0, 0, 0]);
    expect([...spans.slice(-4)]).toEqual([8, 9, 0, 0]);
  });
});
