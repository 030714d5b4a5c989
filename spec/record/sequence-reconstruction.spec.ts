import { describe, expect, it } from 'vitest';
import { reconstructSequenceNumber } from '../../lib/record/sequence-reconstruction.js';
import { Prng } from '../wire/helpers/prng.js';

describe('reconstructSequenceNumber (RFC 9147 §4.2.2: the full number closest to the next expected)', () => {
  it.each([
    // expected, low bits, bit length, full
    [0, 0, 8, 0],
    [0, 5, 8, 5],
    [0, 200, 8, 200], // nothing below 0: the only candidate
    [250, 3, 8, 259], // across the wrap forward
    [259, 255, 8, 255], // a late record from before the wrap
    [300, 0x2c, 8, 300],
    [300, 0xac, 8, 172], // exactly half the space away either way: the lower one
    [300, 0xab, 8, 427],
    [65530, 2, 16, 65538],
    [65540, 65535, 16, 65535],
    [2 ** 40 + 5, 3, 8, 2 ** 40 + 3],
    [2 ** 40 + 250, 1, 8, 2 ** 40 + 257],
  ] as const)('expected %d, low bits %d of %d: %d', (expected, low, bits, full) => {
    expect(reconstructSequenceNumber(expected, low, bits)).toBe(full);
  });

  it('always returns a number with the given low bits, within half the space of the expected one', () => {
    const prng = new Prng(13);
    for (const bits of [8, 16] as const) {
      const space = 2 ** bits;
      for (let i = 0; i < 2000; i++) {
        const expected = prng.int(2 ** 31) * 2 + prng.int(2);
        const low = prng.int(space);
        const full = reconstructSequenceNumber(expected, low, bits);
        expect(full % space).toBe(low);
        expect(Math.abs(full - expected)).toBeLessThanOrEqual(space / 2);
      }
    }
  });
});
