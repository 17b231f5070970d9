import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { resolveConvGeometry } from '../conv-geometry.ts';
import { packConv2dWeightPlanes } from '../conv-weights.ts';
import { convGeometries } from '../test-arbitraries.ts';
import { registerBoth } from '../test-backends.ts';
import { floatConv } from '../test-oracle.ts';
import { randomCodes } from '../test-random.ts';
import { bitSerialConv2d } from './bit-serial-conv2d.ts';

await registerBoth();

const options = convGeometries(7, 140, [0]);

test.prop([options, fc.constantFrom(1 as const, 2 as const), fc.nat()], { numRuns: 50 })(
  'bitSerialConv2d: wasm = reference = integer level convolution for random geometries',
  (opts, bits, seed) => {
    const g = resolveConvGeometry(opts);
    const x = randomCodes(g.batch * g.height * g.width * g.inChannels, 2, seed);
    const wc = randomCodes(g.outChannels * g.kernelHeight * g.kernelWidth * g.inChannels, bits, seed + 1);
    const w = packConv2dWeightPlanes(wc, [g.outChannels, g.kernelHeight, g.kernelWidth, g.inChannels], bits);
    // integer levels ×3: activations c, weights 2c − 3 (DoReFa) or 1 − 2b (bit 1 = −1)
    const expected = [...floatConv(x, Array.from(wc, (c) => (bits === 2 ? 2 * c - 3 : 1 - 2 * c)), g)];
    expect([...bitSerialConv2d(x, w, { ...opts, backend: 'wasm' })]).toEqual(expected);
    expect([...bitSerialConv2d(x, w, { ...opts, backend: 'reference' })]).toEqual(expected);
  },
);
