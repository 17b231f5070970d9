import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { resolveConvGeometry, type Conv2dOptions } from '../conv-geometry.ts';
import { packConv2dWeights } from '../conv-weights.ts';
import { scaleBiasTransform } from '../output-transform.ts';
import { registerBoth } from '../test-backends.ts';
import { floatBinaryConv } from '../test-oracle.ts';
import { randomFloats } from '../test-random.ts';
import { binaryConv2d } from './binary-conv2d.ts';

await registerBoth();

const options = fc
  .record({
    batch: fc.integer({ min: 1, max: 2 }),
    h: fc.integer({ min: 1, max: 8 }),
    w: fc.integer({ min: 1, max: 8 }),
    c: fc.integer({ min: 1, max: 70 }),
    o: fc.integer({ min: 1, max: 9 }),
    kh: fc.constantFrom(1, 3),
    kw: fc.constantFrom(1, 3),
    sh: fc.integer({ min: 1, max: 2 }),
    sw: fc.integer({ min: 1, max: 2 }),
    ph: fc.integer({ min: 0, max: 2 }),
    pw: fc.integer({ min: 0, max: 2 }),
    padValue: fc.constantFrom(0 as const, 1 as const),
  })
  .filter((r) => r.h + 2 * r.ph >= r.kh && r.w + 2 * r.pw >= r.kw)
  .map(
    (r): Conv2dOptions => ({
      inputShape: [r.batch, r.h, r.w, r.c],
      outChannels: r.o,
      kernelSize: [r.kh, r.kw],
      strides: [r.sh, r.sw],
      padding: [r.ph, r.pw],
      padValue: r.padValue,
    }),
  );

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
