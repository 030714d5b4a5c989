import { Subject, from, toArray, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { impair, type ImpairmentKind, type ImpairOptions } from '../../lib/impairment/impair.js';
import type { Datagram } from '../../lib/transport/datagram.js';

const PEER = { address: '10.0.0.1', port: 1111 };
/** Datagram n carries n in its first byte and is `size` bytes long. */
const datagram = (n: number, size = 8): Datagram => ({ data: Uint8Array.from({ length: size }, (_, i) => (i === 0 ? n & 0xff : (n + i) & 0xff)), peer: PEER });
const ids = (out: Datagram[]) => out.map((d) => d.data[0]);

/** Runs `count` datagrams through synchronously and collects what comes out. */
function runSync(count: number, options: Omit<ImpairOptions, 'seed'> & { seed?: number }, size = 8) {
  const seen: ImpairmentKind[] = [];
  const out: Datagram[] = [];
  const input = Array.from({ length: count }, (_, i) => datagram(i, size));
  from(input)
    .pipe(impair({ seed: 1, holdTime: 0, ...options, onImpairment: (kind) => seen.push(kind) }))
    .subscribe((d) => out.push(d));
  return { input, out, seen };
}

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('impair', () => {
  it('passes every datagram unchanged, in order and at once, when no impairment is asked for', () => {
    const input = [datagram(1), datagram(2), datagram(3)];
    const out: Datagram[] = [];
    from(input).pipe(impair({ seed: 9 })).subscribe((d) => out.push(d));
    expect(out).toEqual(input);
    expect(out[0]).toBe(input[0]);
  });

  it('drops everything with loss 1', () => {
    const { out, seen } = runSync(50, { loss: 1 });
    expect(out).toEqual([]);
    expect(seen).toEqual(new Array(50).fill('loss'));
  });

  it('drops about the asked share of datagrams, and reports each one', () => {
    const { out, seen } = runSync(10_000, { loss: 0.3, seed: 5 });
    const lost = seen.filter((k) => k === 'loss').length;
    expect(lost + out.length).toBe(10_000);
    expect(Math.abs(lost - 3000)).toBeLessThan(200);
  });

  it('is deterministic for a seed, and another seed gives another pattern', () => {
    const options = { loss: 0.2, duplicate: 0.2, reorder: 0.2, corrupt: 0.1 };
    const a = runSync(500, { ...options, seed: 11 });
    const b = runSync(500, { ...options, seed: 11 });
    const c = runSync(500, { ...options, seed: 12 });
    expect(a.out.map((d) => Array.from(d.data))).toEqual(b.out.map((d) => Array.from(d.data)));
    expect(a.seen).toEqual(b.seen);
    expect(a.seen).not.toEqual(c.seen);
  });

  it('decides the loss of the n-th datagram the same way whatever the other options', () => {
    const lossOnly = runSync(300, { loss: 0.25, seed: 3 });
    const everything = runSync(300, { loss: 0.25, duplicate: 0.5, corrupt: 0.5, reorder: 0.3, seed: 3 });
    expect(everything.seen.filter((k) => k === 'loss')).toHaveLength(lossOnly.seen.length);
  });

  it('delivers every datagram twice with duplicate 1, as separate equal copies', () => {
    const { input, out } = runSync(20, { duplicate: 1 });
    expect(ids(out)).toEqual(input.flatMap((d) => [d.data[0], d.data[0]]));
    for (let i = 0; i < out.length; i += 2) {
      expect(out[i].data).toEqual(out[i + 1].data);
      expect(out[i].data).not.toBe(out[i + 1].data);
    }
  });

  it('flips exactly one bit of a copy with corrupt 1, leaving the sender bytes alone', () => {
    const { input, out, seen } = runSync(200, { corrupt: 1 }, 32);
    const pristine = Array.from({ length: 200 }, (_, i) => datagram(i, 32));
    expect(input).toEqual(pristine);
    expect(seen).toEqual(new Array(200).fill('corrupt'));
    const positions = new Set<number>();
    out.forEach((d, i) => {
      let bits = 0;
      d.data.forEach((byte, j) => {
        const diff = byte ^ pristine[i].data[j];
        if (diff) positions.add(j);
        bits += diff.toString(2).replace(/0/g, '').length;
      });
      expect(bits).toBe(1);
    });
    expect(positions.size).toBeGreaterThan(20); // spread over the datagram, not always the same byte
  });

  it('delivers a datagram held back for reordering right after the next one', () => {
    const { out } = runSync(6, { reorder: 1 });
    expect(ids(out)).toEqual([1, 0, 3, 2, 5, 4]);
  });

  it('drops datagrams larger than maxDatagramSize and keeps those that fit exactly', () => {
    const out: Datagram[] = [];
    const seen: ImpairmentKind[] = [];
    from([datagram(1, 100), datagram(2, 101), datagram(3, 99)])
      .pipe(impair({ seed: 1, maxDatagramSize: 100, onImpairment: (k) => seen.push(k) }))
      .subscribe((d) => out.push(d));
    expect(ids(out)).toEqual([1, 3]);
    expect(seen).toEqual(['oversize']);
  });

  it('reorders and delays only some datagrams at 20% reorder, and loses none', () => {
    const { out, seen } = runSync(1000, { reorder: 0.2, seed: 8 });
    expect(ids(out).slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i & 0xff).sort((a, b) => a - b));
    const reordered = seen.filter((k) => k === 'reorder').length;
    expect(reordered).toBeGreaterThan(100);
    expect(reordered).toBeLessThan(250);
  });

  it('refuses probabilities outside [0, 1] and negative times', () => {
    expect(() => impair({ seed: 1, loss: 1.5 })).toThrow(RangeError);
    expect(() => impair({ seed: 1, duplicate: -0.1 })).toThrow(RangeError);
    expect(() => impair({ seed: 1, reorder: Number.NaN })).toThrow(RangeError);
    expect(() => impair({ seed: 1, delay: -1 })).toThrow(RangeError);
    expect(() => impair({ seed: 1, jitter: Infinity })).toThrow(RangeError);
  });

  describe('in virtual time', () => {
    const values = { a: datagram(1), b: datagram(2), c: datagram(3) };

    it('delays every datagram by `delay`', () => {
      const scheduler = newScheduler();
      scheduler.run(({ cold, expectObservable }) => {
        const source = cold<Datagram>('a 9ms b 9ms c|', values);
        expectObservable(source.pipe(impair({ seed: 1, delay: 5, scheduler }))).toBe('5ms a 9ms b 9ms (c|)', values);
      });
    });

    it('lets a datagram held for reordering go after holdTime when nothing follows it', () => {
      const scheduler = newScheduler();
      scheduler.run(({ cold, expectObservable }) => {
        const source = cold<Datagram>('a 99ms -', values);
        expectObservable(source.pipe(impair({ seed: 1, reorder: 1, holdTime: 30, scheduler }))).toBe('30ms a', values);
      });
    });

    it('sends a held datagram after the next one when it comes within holdTime', () => {
      const scheduler = newScheduler();
      scheduler.run(({ cold, expectObservable }) => {
        const source = cold<Datagram>('a 9ms b 99ms -', values);
        // a is held; b arrives at 10 ms and is itself not held (one at a time), then a follows it.
        expectObservable(source.pipe(impair({ seed: 1, reorder: 1, holdTime: 30, scheduler }))).toBe('10ms (ba)', values);
      });
    });

    it('releases a held datagram and waits for delayed ones before completing', () => {
      const scheduler = newScheduler();
      scheduler.run(({ cold, expectObservable }) => {
        const source = cold<Datagram>('a|', values);
        expectObservable(source.pipe(impair({ seed: 1, reorder: 1, delay: 3, scheduler }))).toBe('4ms (a|)', values);
      });
    });

    it('spreads datagrams over [delay, delay + jitter) and may reorder them', () => {
      const scheduler = newScheduler();
      const times: Array<[number, number]> = [];
      const source = new Subject<Datagram>();
      source.pipe(impair({ seed: 4, delay: 10, jitter: 50, scheduler })).subscribe((d) => times.push([d.data[0], scheduler.now()]));
      for (let i = 0; i < 100; i++) source.next(datagram(i));
      scheduler.flush();
      expect(times).toHaveLength(100);
      for (const [, t] of times) expect(t >= 10 && t < 60).toBe(true);
      const order = times.map(([id]) => id);
      expect(order).not.toEqual([...order].sort((a, b) => a - b));
    });

    it('cancels datagrams in flight when unsubscribed', () => {
      const scheduler = newScheduler();
      const out: Datagram[] = [];
      const source = new Subject<Datagram>();
      const subscription = source.pipe(impair({ seed: 1, delay: 10, scheduler })).subscribe((d) => out.push(d));
      source.next(datagram(1));
      subscription.unsubscribe();
      scheduler.flush();
      expect(out).toEqual([]);
    });
  });

  it('completes when its source completes, after everything it holds went out', async () => {
    const out$: Observable<Datagram[]> = from([datagram(1), datagram(2)]).pipe(impair({ seed: 2, duplicate: 1 }), toArray());
    let result: Datagram[] = [];
    out$.subscribe((all) => (result = all));
    expect(ids(result)).toEqual([1, 1, 2, 2]);
  });
});
