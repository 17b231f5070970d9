import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { packBits, packedByteLength, unpackBits } from './bit-pack.ts';

const codesOf = fc.integer({ min: 1, max: 8 }).chain((bits) =>
  fc.tuple(fc.constant(bits), fc.array(fc.integer({ min: 0, max: 2 ** bits - 1 }), { maxLength: 300 })),
);

test.prop([codesOf], { numRuns: 1000 })('unpackBits(packBits(x)) = x for every width', ([bits, codes]) => {
  const packed = packBits(codes, bits);
  expect(packed.length).toBe(packedByteLength(codes.length, bits));
  expect([...unpackBits(packed, bits, codes.length)]).toEqual(codes);
});
