import { describe, expect, it } from 'vitest';
import { randomBytes } from '../../lib/crypto/random.js';

describe('randomBytes', () => {
  it('returns exactly n bytes, including zero', () => {
    for (const n of [0, 1, 32, 1000]) expect(randomBytes(n)).toHaveLength(n);
  });

  it('returns different bytes on each call', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    expect(a).not.toEqual(b);
  });

  it('uses every byte value over a large sample (not stuck bits)', () => {
    const seen = new Set(randomBytes(65536));
    expect(seen.size).toBe(256);
  });

  it('never hands out the same bytes twice, and an array returned is not changed by later calls', () => {
    const first = randomBytes(32);
    const kept = first.slice();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(Buffer.from(randomBytes(32)).toString('hex'));
    expect(seen.size).toBe(2000);
    expect(first).toEqual(kept);
  });
});
