import { describe, expect, it } from 'vitest';
import { nodeRandomBytes } from '../../lib/node-crypto/node-hash.js';

describe('nodeRandomBytes', () => {
  it('returns exactly n bytes, for small and large n', () => {
    for (const n of [0, 1, 32, 128, 129, 5000]) expect(nodeRandomBytes(n)).toHaveLength(n);
  });

  it('never hands out the same bytes twice, and an array returned is not changed by later calls', () => {
    const first = nodeRandomBytes(32);
    const kept = first.slice();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(Buffer.from(nodeRandomBytes(32)).toString('hex'));
    expect(seen.size).toBe(2000);
    expect(first).toEqual(kept);
    expect(first.buffer.byteLength).toBe(32);
  });

  it('uses every byte value over a large sample of small draws (not stuck bits)', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) for (const b of nodeRandomBytes(32)) seen.add(b);
    expect(seen.size).toBe(256);
  });
});
