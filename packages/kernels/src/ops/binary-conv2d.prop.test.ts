import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { resolveConvGeometry } from '../conv-geometry.ts';
import { packConv2dWeights } from '../conv-weights.ts';
import { scaleBiasTransform } from '../output-transform.ts';
import { convGeometries } from '../test-arbitraries.ts';
import { registerBoth } from '../test-backends.ts';
import { floatBinaryConv } from '../test-oracle.ts';
import { randomFloats } from '../test-random.ts';
import { binaryConv2d } from './binary-conv2d.ts';

await registerBoth();

const options = convGeometries(8, 70, [0, 1]);

test.prop([options, fc.nat()], { numRuns: 60 })('binaryConv2d: wasm = reference = float ±1 convolution for random geometries', (opts, seed) => {
  const g = resolveConvGeometry(opts);
  const x = randomFloats(g.batch * g.height * g.width * g.inChannels, seed);
  const w = randomFloats(g.outChannels * g.kernelHeight * g.kernelWidth * g.inChannels, seed + 1);
  const packed = packConv2dWeights(w, [g.outChannels, g.kernelHeight, g.kernelWidth, g.inChannels]);
  const expected = [...floatBinaryConv(x, w, g)];
  expect([...binaryConv2d(x, packed, { ...opts, backend: 'wasm' })]).toEqual(expected);
  expect([...binaryConv2d(x, packed, { ...opts, backend: 'reference' })]).toEqual(expected);
  // a fused scale-bias transform: float32 math, bit for bit (the GEMM may apply it as it stores)
  const transform = scaleBiasTransform(randomFloats(g.outChannels, seed + 2), randomFloats(g.outChannels, seed + 3));
  const y = binaryConv2d(x, packed, { ...opts, transform, backend: 'wasm' });
  expect(y).toEqual(Float32Array.from(expected, (v, i) => Math.fround(v * transform.scale[i % g.outChannels]!) + transform.bias[i % g.outChannels]!));
});
