import { describe, expect, it } from 'vitest';
import { RandomPool } from '../../lib/crypto/random-pool.js';

/** A counting "generator", so which bytes went where can be checked exactly. */
function counting() {
  let next = 0;
  const calls: number[] = [];
  const fill = (n: number) => {
    calls.push(n);
    return Uint8Array.from({ length: n }, () => next++ & 0xff);
  };
  return { fill, calls };
}

describe('RandomPool', () => {
  it('hands out consecutive pieces of one draw, each byte once, and draws again when the pool runs out', () => {
    const { fill, calls } = counting();
    const pool = new RandomPool(fill, 64);
    expect([...pool.take(8)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...pool.take(3)]).toEqual([8, 9, 10]);
    for (let i = 0; i < 6; i++) pool.take(8);
    expect(calls).toEqual([64]);
    expect([...pool.take(8)]).toEqual([64, 65, 66, 67, 68, 69, 70, 71]);
    expect(calls).toEqual([64, 64]);
  });

  it('returns copies that later takes and draws leave alone', () => {
    const pool = new RandomPool(counting().fill, 64);
    const first = pool.take(8);
    const kept = [...first];
    for (let i = 0; i < 20; i++) pool.take(8);
    expect([...first]).toEqual(kept);
    expect(first.buffer.byteLength).toBe(8);
  });

  it('wipes handed-out bytes from the pool, and the rest of a pool it replaces', () => {
    const drawn: Uint8Array[] = [];
    const pool = new RandomPool((n) => {
      const bytes = new Uint8Array(n).fill(0xab);
      drawn.push(bytes);
      return bytes;
    }, 64);
    pool.take(8);
    expect([...drawn[0].subarray(0, 8)]).toEqual(new Array(8).fill(0));
    expect(drawn[0][8]).toBe(0xab);
    for (let i = 0; i < 7; i++) pool.take(7);
    expect(drawn[0][63]).toBe(0xab);
    pool.take(8);
    expect(drawn).toHaveLength(2);
    expect(drawn[0].every((b) => b === 0)).toBe(true);
  });

  it('passes requests larger than an eighth of the pool straight to the generator', () => {
    const { fill, calls } = counting();
    const pool = new RandomPool(fill, 64);
    expect(pool.take(9)).toHaveLength(9);
    expect(pool.take(0)).toHaveLength(0);
    expect(calls).toEqual([9]);
  });
});
