import { describe, expect, it } from 'vitest';
import { paddedTaps, resolveConvGeometry } from './conv-geometry.ts';

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
