import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { forward } from './forward.ts';
import { convOutputSize } from './shape-inference.ts';
import { conv, graphOf, naiveConv, randomArray, rng } from './test-graphs.ts';

const convCase = fc
  .record({
    groups: fc.integer({ min: 1, max: 3 }),
    inPer: fc.integer({ min: 1, max: 3 }),
    outPer: fc.integer({ min: 1, max: 5 }),
    kernel: fc.integer({ min: 1, max: 4 }),
    stride: fc.integer({ min: 1, max: 3 }),
    dilation: fc.integer({ min: 1, max: 2 }),
    pad: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
    h: fc.integer({ min: 1, max: 9 }),
    w: fc.integer({ min: 1, max: 9 }),
    batch: fc.integer({ min: 1, max: 2 }),
    bias: fc.boolean(),
    seed: fc.nat(),
  })
  .filter((c) => {
    const reach = c.dilation * (c.kernel - 1) + 1;
    return c.h + c.pad[0] + c.pad[1] >= reach && c.w + c.pad[2] + c.pad[3] >= reach;
  });

test.prop([convCase], { numRuns: 150 })('conv2d equals the textbook loop for any stride, dilation, padding and groups', (c) => {
  const r = rng(c.seed);
  const inC = c.groups * c.inPer;
  const layer = conv('c', 'x', inC, c.groups * c.outPer, r, { kernel: c.kernel, stride: c.stride, dilation: c.dilation, padding: c.pad, groups: c.groups, bias: c.bias });
  const x = randomArray(c.batch * inC * c.h * c.w, r);
  const got = forward(graphOf([{ kind: 'input', name: 'x', inputs: [], shape: [inC, c.h, c.w] }, layer]), x, c.batch);
  const want = naiveConv(x, c.batch, [inC, c.h, c.w], layer);
  expect(got.length).toBe(c.batch * layer.outChannels * convOutputSize(c.h, c.kernel, c.stride, c.pad[0], c.pad[1], c.dilation) * convOutputSize(c.w, c.kernel, c.stride, c.pad[2], c.pad[3], c.dilation));
  // both accumulate in float64 (different order) and round to float32: ≤ 1e-5 absolute for |values| ≤ ~40
  got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-5));
});
