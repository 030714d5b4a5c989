import { describe, expect, it } from 'vitest';
import { ReplayWindow } from '../../lib/record/replay-window.js';
import { MAX_SEQUENCE_NUMBER } from '../../lib/record/sequence-number.js';
import { Prng } from '../wire/helpers/prng.js';

/** Accepts `seq` the way a ReadEpoch does: check, then mark only if fresh. */
function accept(window: ReplayWindow, seq: number): boolean {
  if (!window.isFresh(seq)) return false;
  window.markSeen(seq);
  return true;
}

describe('ReplayWindow', () => {
  it('accepts every number once when they arrive in order', () => {
    const w = new ReplayWindow();
    for (let s = 0; s < 500; s++) expect(accept(w, s)).toBe(true);
  });

  it('rejects a duplicate of the latest and of an older number inside the window', () => {
    const w = new ReplayWindow();
    for (let s = 0; s < 10; s++) accept(w, s);
    expect(w.isFresh(9)).toBe(false);
    expect(w.isFresh(3)).toBe(false);
    expect(w.isFresh(10)).toBe(true);
  });

  it('accepts numbers out of order inside the window, each exactly once', () => {
    const w = new ReplayWindow(64);
    expect(accept(w, 100)).toBe(true);
    expect(accept(w, 40)).toBe(true); // 100 - 40 = 60 < 64
    expect(accept(w, 99)).toBe(true);
    expect(accept(w, 37)).toBe(true); // 100 - 37 = 63: the left edge itself
    expect(accept(w, 40)).toBe(false);
    expect(accept(w, 99)).toBe(false);
    expect(accept(w, 37)).toBe(false);
    expect(accept(w, 101)).toBe(true);
  });

  it('rejects a number left of the window even if it was never seen', () => {
    const w = new ReplayWindow(64);
    accept(w, 100);
    expect(w.isFresh(36)).toBe(false); // 100 - 36 = 64: just outside
    expect(w.isFresh(0)).toBe(false);
  });

  it('forgets the old bits after a jump far ahead, and rejects what is now left of the window', () => {
    const w = new ReplayWindow(64);
    for (let s = 0; s < 64; s++) accept(w, s);
    expect(accept(w, 1_000_000)).toBe(true);
    expect(w.isFresh(63)).toBe(false); // far left of the new window
    // numbers just left of the new right edge were never seen: fresh, despite sharing ring slots with 0..63
    for (let s = 1_000_000 - 63; s < 1_000_000; s++) expect(w.isFresh(s)).toBe(true);
    expect(w.isFresh(1_000_000)).toBe(false);
  });

  it('clears only the slots it slides over on a jump smaller than the window', () => {
    const w = new ReplayWindow(64);
    for (let s = 0; s <= 70; s++) accept(w, s);
    expect(accept(w, 100)).toBe(true);
    // 71..99 were slid over without being seen
    for (let s = 71; s < 100; s++) expect(w.isFresh(s)).toBe(true);
    // 37..70 are still inside the window and were seen
    for (let s = 37; s <= 70; s++) expect(w.isFresh(s)).toBe(false);
  });

  it('does not move or change the window when a number left of it is marked', () => {
    const w = new ReplayWindow(32);
    accept(w, 100);
    w.markSeen(10);
    expect(w.isFresh(99)).toBe(true);
    expect(w.isFresh(101)).toBe(true);
    expect(w.isFresh(10)).toBe(false);
  });

  it('rejects anything that is not a 48-bit sequence number as not fresh', () => {
    const w = new ReplayWindow();
    for (const bad of [-1, 1.5, Number.NaN, Infinity, MAX_SEQUENCE_NUMBER + 1]) {
      expect(w.isFresh(bad)).toBe(false);
      expect(() => w.markSeen(bad)).toThrow(RangeError);
    }
  });

  it('rejects window sizes outside 1..65536 as a programmer error', () => {
    for (const bad of [0, -64, 1.5, 65537]) expect(() => new ReplayWindow(bad)).toThrow(RangeError);
  });

  it('works next to 2^48, where sequence numbers exceed 32 bits', () => {
    const w = new ReplayWindow(64);
    const top = MAX_SEQUENCE_NUMBER;
    expect(accept(w, top - 100)).toBe(true);
    expect(accept(w, top)).toBe(true);
    expect(w.isFresh(top - 100)).toBe(false); // left of the window now
    expect(accept(w, top - 63)).toBe(true);
    expect(accept(w, top - 63)).toBe(false);
    expect(w.isFresh(top - 64)).toBe(false);
    expect(accept(w, top - 1)).toBe(true);
    expect(accept(w, top)).toBe(false);
  });

  it('keeps exactly the seen numbers when the right edge moves by every distance from 1 to 70', () => {
    for (const size of [64, 40, 128]) {
      for (let distance = 1; distance <= 70; distance++) {
        const w = new ReplayWindow(size);
        const seen = new Set<number>();
        // every third number of 1000..1100 seen, then the edge moves `distance` past 1100
        for (let s = 1000; s <= 1100; s += 3) accept(w, s) && seen.add(s);
        const right = 1099 + distance;
        expect(accept(w, right)).toBe(true);
        seen.add(right);
        for (let s = 900; s <= right + 2; s++) {
          const fresh = s > right || (right - s < size && !seen.has(s));
          expect(w.isFresh(s), `size ${size}, distance ${distance}, seq ${s}`).toBe(fresh);
        }
      }
    }
  });

  for (const size of [2, 32, 33, 50, 63, 64, 65, 1024]) {
    describe(`of size ${size}`, () => {
      it('keeps exactly `size` numbers, the right edge included', () => {
        const w = new ReplayWindow(size);
        const right = 5 * size + 7;
        accept(w, right);
        expect(w.isFresh(right - size + 1)).toBe(true);
        expect(w.isFresh(right - size)).toBe(false);
        for (let s = right - size + 1; s < right; s++) expect(accept(w, s)).toBe(true);
        for (let s = right - size + 1; s <= right; s++) expect(w.isFresh(s)).toBe(false);
      });

      it('agrees with a set-based model on seeded random reordered, duplicated and jumping traffic', () => {
        const random = new Prng(size);
        const w = new ReplayWindow(size);
        const seen = new Set<number>();
        let right = -1;
        let base = 2 ** 40; // well above 2^32, so bit arithmetic on 32-bit words would be wrong
        for (let i = 0; i < 20_000; i++) {
          const r = random.fraction();
          let seq: number;
          if (r < 0.01) base += random.int(4 * size); // occasional jump
          if (r < 0.5) seq = base + random.int(2 * size);
          else if (r < 0.8) seq = Math.max(0, right - random.int(size + 8)); // reordered or replayed
          else seq = right + 1 + random.int(3);
          const modelFresh = !seen.has(seq) && (right < 0 || seq > right || right - seq < size);
          expect(w.isFresh(seq)).toBe(modelFresh);
          // authenticate only some of the fresh ones, as a forged record would not be marked
          if (modelFresh && random.fraction() < 0.9) {
            w.markSeen(seq);
            seen.add(seq);
            right = Math.max(right, seq);
          }
          base = Math.max(base, right - size);
        }
      });
    });
  }
});
