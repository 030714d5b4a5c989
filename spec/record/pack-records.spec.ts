import { describe, expect, it } from 'vitest';
import { packRecords } from '../../lib/record/pack-records.js';
import { Prng } from '../wire/helpers/prng.js';

/** A record-sized byte string whose bytes all equal `tag`, so order and boundaries are visible. */
function rec(tag: number, length: number): Uint8Array {
  return new Uint8Array(length).fill(tag);
}

function sizes(datagrams: Uint8Array[]): number[] {
  return datagrams.map((d) => d.length);
}

describe('packRecords', () => {
  it('returns no datagrams for no records', () => {
    expect(packRecords([], 1200)).toEqual([]);
  });

  it('puts records that fit together into one datagram, in order', () => {
    const out = packRecords([rec(1, 100), rec(2, 200), rec(3, 300)], 1200);
    expect(out).toHaveLength(1);
    expect(Array.from(out[0])).toEqual([...rec(1, 100), ...rec(2, 200), ...rec(3, 300)]);
  });

  it('fills a datagram exactly to the limit and starts the next one a byte later', () => {
    expect(sizes(packRecords([rec(1, 600), rec(2, 600), rec(3, 1)], 1200))).toEqual([1200, 1]);
    expect(sizes(packRecords([rec(1, 600), rec(2, 601)], 1200))).toEqual([600, 601]);
  });

  it('does not reorder records to fill gaps (greedy, in order)', () => {
    const out = packRecords([rec(1, 700), rec(2, 700), rec(3, 400)], 1200);
    expect(sizes(out)).toEqual([700, 1100]);
    expect(out[0][0]).toBe(1);
    expect(out[1][0]).toBe(2);
    expect(out[1][1099]).toBe(3);
  });

  it('sends a record larger than the limit alone, between its neighbours', () => {
    const big = rec(9, 1500);
    const out = packRecords([rec(1, 100), big, rec(2, 100), rec(3, 100)], 1200);
    expect(sizes(out)).toEqual([100, 1500, 200]);
    expect(out[1]).toBe(big); // alone: passed through, not copied
  });

  it('keeps every byte, in order, and respects the limit whenever a datagram holds more than one record', () => {
    const random = new Prng(7);
    for (let round = 0; round < 200; round++) {
      const limit = 13 + random.int(300);
      const records = Array.from({ length: random.int(20) }, (_, i) => rec(i + 1, 13 + random.int(400)));
      const out = packRecords(records, limit);
      const flat = out.flatMap((d) => Array.from(d));
      expect(flat).toEqual(records.flatMap((r) => Array.from(r)));
      let next = 0;
      for (const d of out) {
        // reconstruct which records this datagram holds from the fill bytes
        let held = 0;
        let offset = 0;
        while (offset < d.length) {
          expect(d[offset]).toBe(records[next].at(0));
          offset += records[next].length;
          next++;
          held++;
        }
        if (held > 1) expect(d.length).toBeLessThanOrEqual(limit);
        // greedy: the next record would not have fitted
        if (next < records.length) expect(d.length + records[next].length).toBeGreaterThan(limit);
      }
      expect(next).toBe(records.length);
    }
  });

  it('rejects a non-positive or fractional limit as a programmer error', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => packRecords([rec(1, 1)], bad)).toThrow(RangeError);
  });
});
