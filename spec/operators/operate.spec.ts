import type { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { operate } from '../../lib/operators/operate.js';

function marbles(body: (helpers: Parameters<Parameters<TestScheduler['run']>[0]>[0]) => void): void {
  new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(body);
}

/** Doubles each value, and emits the side input's values as they come. */
const doubling = (side?: Observable<string>) =>
  operate<number, number | string>((subscriber, alsoSubscribe) => {
    if (side) alsoSubscribe(side, { next: (v) => subscriber.next(v) });
    return { next: (n) => subscriber.next(n * 2) };
  });

describe('operate', () => {
  it('passes the source’s completion and error through by default', () => {
    marbles(({ cold, expectObservable }) => {
      expectObservable(cold('1-2|', { 1: 1, 2: 2 }).pipe(doubling())).toBe('a-b|', { a: 2, b: 4 });
      expectObservable(cold('1-#', { 1: 1 }, 'boom').pipe(doubling())).toBe('a-#', { a: 2 }, 'boom');
    });
  });

  it('errors the output on a further input’s error, and ignores that input’s completion', () => {
    marbles(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('1----2', { 1: 1, 2: 2 });
      const side = cold('-x|');
      expectObservable(source.pipe(doubling(side))).toBe('ax---b', { a: 2, b: 4, x: 'x' });
      const failing = cold('--#', undefined, 'side failed');
      expectObservable(hot('1---2', { 1: 1, 2: 2 }).pipe(doubling(failing))).toBe('a-#', { a: 2 }, 'side failed');
      expectSubscriptions(failing.subscriptions).toBe('^-!');
    });
  });

  it('lets the operation decide what the source’s completion does, and tears down after unsubscribing its inputs', () => {
    const events: string[] = [];
    marbles(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('1|', { 1: 1 });
      const held = operate<number, number>((subscriber) => ({
        next: (n) => subscriber.next(n),
        complete: () => events.push('source complete, output kept open'),
        teardown: () => events.push('teardown'),
      }));
      expectObservable(source.pipe(held), '^--!').toBe('a--', { a: 1 });
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
    expect(events).toEqual(['source complete, output kept open', 'teardown']);
  });
});
