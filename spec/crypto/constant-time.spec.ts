import { describe, expect, it } from 'vitest';
import { timingSafeEqual } from '../../lib/crypto/constant-time.js';

describe('timingSafeEqual', () => {
  it('is true for equal contents, including two empty arrays and distinct buffers', () => {
    expect(timingSafeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    expect(timingSafeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    const backing = Uint8Array.of(9, 1, 2, 3, 9);
    expect(timingSafeEqual(backing.subarray(1, 4), Uint8Array.of(1, 2, 3))).toBe(true);
  });

  it('is false when any single byte differs, wherever it is', () => {
    const a = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
    for (let i = 0; i < a.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const b = a.slice();
        b[i] ^= flip;
        expect(timingSafeEqual(a, b)).toBe(false);
        expect(timingSafeEqual(b, a)).toBe(false);
      }
    }
  });

  it('is false when the lengths differ, even if one is a prefix of the other', () => {
    expect(timingSafeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2))).toBe(false);
    expect(timingSafeEqual(new Uint8Array(0), Uint8Array.of(0))).toBe(false);
  });
});
