import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { applyChannelMasks, silenceMaskedChannels } from './channel-removal.ts';
import { channelGroups } from './coupling.ts';
import { forward } from './forward.ts';
import { plainChain, randomArray, residualBlock, rng } from './test-graphs.ts';
import type { Conv2dLayer, Graph } from './types.ts';

const graphCase = fc.record({
  kind: fc.constantFrom('plain', 'identity', 'conv', 'pad'),
  width: fc.constantFrom(2, 4, 6),
  seed: fc.nat(),
  maskSeed: fc.nat(),
});

function build(kind: string, width: number, seed: number): Graph {
  return kind === 'plain' ? plainChain(seed) : residualBlock(kind as 'identity' | 'conv' | 'pad', seed, width);
}

test.prop([graphCase], { numRuns: 60 })('random channel masks: thin network = masked network with silenced BN shifts', (c) => {
  const g = build(c.kind, c.width, c.seed);
  const r = rng(c.maskSeed);
  const groups = channelGroups(g);
  let removed = 0;
  for (const group of groups.filter((x) => x.prunable)) {
    const m = Uint8Array.from({ length: group.channels }, () => (r() < 0.5 ? 0 : 1));
    // every tensor of the group must keep a channel: keep one position inside each of them
    for (const t of group.tensors) if (!m.subarray(t.offset, t.offset + t.channels).includes(1)) m[t.offset] = 1;
    removed += m.length - m.reduce((a, b) => a + b, 0);
    for (const p of group.producers) (g.layers.find((l) => l.name === p.layer) as Conv2dLayer).channelMask = m.slice(p.offset, p.offset + p.channels);
  }
  const thin = applyChannelMasks(g);
  const x = randomArray(2 * 3 * 8 * 8, r);
  const a = forward(silenceMaskedChannels(g), x, 2);
  const b = forward(thin, x, 2);
  // float32 results of float64 sums that differ only by exact-zero terms: ≤ 1e-5 relative to the largest output
  const scale = Math.max(1, ...Array.from(a, Math.abs));
  a.forEach((v, i) => expect(Math.abs(v - b[i]!) / scale).toBeLessThan(1e-5));
  // the producers lost exactly the removed positions
  const before = groups.reduce((s, gr) => s + gr.channels, 0);
  const after = channelGroups(thin).reduce((s, gr) => s + gr.channels, 0);
  expect(before - after).toBe(removed);
});
