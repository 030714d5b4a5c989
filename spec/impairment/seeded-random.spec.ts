import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../lib/impairment/seeded-random.js';

const take = (random: () => number, n: number) => Array.from({ length: n }, random);

describe('seededRandom', () => {
  it('gives the same sequence for the same seed', () => {
    expect(take(seededRandom(42), 100)).toEqual(take(seededRandom(42), 100));
  });

  it('gives different sequences for different seeds, including neighbours and 0', () => {
    const a = take(seededRandom(0), 20);
    const b = take(seededRandom(1), 20);
    const c = take(seededRandom(2), 20);
    expect(a).not.toEqual(b);
    expect(b).not.toEqual(c);
  });

  it('matches the published mulberry32 output for seed 0', () => {
    // First outputs of mulberry32(0) * 2^32, as computed by the reference one-liner.
    const first = take(seededRandom(0), 3).map((x) => Math.round(x * 4294967296));
    expect(first).toEqual([1144304738, 1416247, 958946056]);
  });

  it('stays in [0, 1) and spreads evenly over ten bins', () => {
    const random = seededRandom(7);
    const bins = new Array(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = random();
      if (!(x >= 0 && x < 1)) outside++;
      else bins[Math.floor(x * 10)]++;
    }
    expect(outside).toBe(0);
    for (const count of bins) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it('refuses a seed that is not an integer', () => {
    expect(() => seededRandom(1.5)).toThrow(RangeError);
    expect(() => seededRandom(Number.NaN)).toThrow(RangeError);
  });
});
