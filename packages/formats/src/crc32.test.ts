import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.ts';

describe('crc32', () => {
  it('matches the standard check value', () => {
    // "123456789" → 0xCBF43926: the CRC-32/ISO-HDLC check value from the CRC catalogue (reveng.sourceforge.io)
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
  it('is 0 for empty input', () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});
