import { Subject, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { retransmit, type RetransmitOptions, type Transmission } from '../../lib/operators/retransmit.js';
import { VirtualTime } from '../../lib/testing/virtual-time.js';

interface TestFlight {
  readonly name: string;
  readonly final: boolean;
}

const A: TestFlight = { name: 'A', final: false };
const B: TestFlight = { name: 'B', final: false };
const F: TestFlight = { name: 'F', final: true };
const flights = { a: A, b: B, f: F, n: null };

const sent = (flight: TestFlight, attempt: number, reason: Transmission<TestFlight>['reason']): Transmission<TestFlight> => ({ flight, attempt, reason });

/** RFC 6347 §4.2.4.1 defaults. */
const RFC: Pick<RetransmitOptions, 'initialTimeout' | 'maxTimeout'> = { initialTimeout: 1000, maxTimeout: 60_000 };

function marbles(body: (helpers: Parameters<Parameters<TestScheduler['run']>[0]>[0], scheduler: TestScheduler) => void): void {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  scheduler.run((helpers) => body(helpers, scheduler));
}

describe('retransmit', () => {
  it('sends a flight at once, then again at 1 s, 3 s, 7 s, 15 s, 31 s: the timer doubles (RFC 6347 §4.2.4.1)', () => {
    marbles(({ cold, expectObservable }, scheduler) => {
      const source = cold<TestFlight | null>('a', flights);
      expectObservable(source.pipe(retransmit({ ...RFC, scheduler })), '^ 40s !').toBe('a 999ms b 1999ms c 3999ms d 7999ms e 15999ms g', {
        a: sent(A, 0, 'initial'),
        b: sent(A, 1, 'timeout'),
        c: sent(A, 2, 'timeout'),
        d: sent(A, 3, 'timeout'),
        e: sent(A, 4, 'timeout'),
        g: sent(A, 5, 'timeout'),
      });
    });
  });

  it('caps the interval at maxTimeout: 60 s by default, after 32 s', () => {
    const scheduler = new TestScheduler(() => undefined);
    const times: number[] = [];
    const input = new Subject<TestFlight | null>();
    input.pipe(retransmit({ ...RFC, scheduler })).subscribe(() => times.push(scheduler.now()));
    input.next(A);
    scheduler.maxFrames = 250_000;
    scheduler.flush();
    // 0, +1, +2, +4, +8, +16, +32, then +60 each time
    expect(times.map((t) => t / 1000)).toEqual([0, 1, 3, 7, 15, 31, 63, 123, 183, 243]);
  });

  it('caps at a smaller maxTimeout too', () => {
    marbles(({ cold, expectObservable }, scheduler) => {
      const source = cold<TestFlight | null>('a', flights);
      expectObservable(source.pipe(retransmit({ initialTimeout: 100, maxTimeout: 250, scheduler })), '^ 1100ms !').toBe(
        'a 99ms b 199ms c 249ms d 249ms e 249ms g',
        { a: sent(A, 0, 'initial'), b: sent(A, 1, 'timeout'), c: sent(A, 2, 'timeout'), d: sent(A, 3, 'timeout'), e: sent(A, 4, 'timeout'), g: sent(A, 5, 'timeout') },
      );
    });
  });

  it('restarts the timer and the attempt count for a new flight', () => {
    marbles(({ cold, expectObservable }, scheduler) => {
      const source = cold<TestFlight | null>('a 1499ms b', flights);
      expectObservable(source.pipe(retransmit({ ...RFC, scheduler })), '^ 5s !').toBe('a 999ms x 499ms b 999ms c 1999ms d', {
        a: sent(A, 0, 'initial'),
        x: sent(A, 1, 'timeout'),
        b: sent(B, 0, 'initial'),
        c: sent(B, 1, 'timeout'),
        d: sent(B, 2, 'timeout'),
      });
    });
  });

  it('stops retransmitting on null (the peer answered and nothing is left to resend)', () => {
    marbles(({ cold, expectObservable }, scheduler) => {
      const source = cold<TestFlight | null>('a 1499ms n', flights);
      expectObservable(source.pipe(retransmit({ ...RFC, scheduler })), '^ 60s !').toBe('a 999ms x', {
        a: sent(A, 0, 'initial'),
        x: sent(A, 1, 'timeout'),
      });
    });
  });

  it('never resends a final flight on a timer, but resends it each time the peer retransmits (RFC 6347 §4.2.4)', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const source = cold<TestFlight | null>('f', flights);
      const resendNow$ = hot('10s x 19s x');
      expectObservable(source.pipe(retransmit({ ...RFC, resendNow$, scheduler })), '^ 100s !').toBe('f 9999ms p 19s q', {
        f: sent(F, 0, 'initial'),
        p: sent(F, 1, 'peer'),
        q: sent(F, 2, 'peer'),
      });
    });
  });

  it('resends a flight at once when the peer retransmits, and re-arms its timer from there (RFC 6347 §4.2.4)', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const source = cold<TestFlight | null>('a', flights);
      const resendNow$ = hot('2s x');
      // a at 0, timeout b at 1 s (timer now 2 s), peer p at 2 s re-arms it: c at 4 s.
      expectObservable(source.pipe(retransmit({ ...RFC, resendNow$, scheduler })), '^ 5s !').toBe('a 999ms b 999ms p 1999ms c', {
        a: sent(A, 0, 'initial'),
        b: sent(A, 1, 'timeout'),
        p: sent(A, 2, 'peer'),
        c: sent(A, 3, 'timeout'),
      });
    });
  });

  it('ignores resend requests when there is no flight, or after null', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const source = cold<TestFlight | null>('1s a 99ms n', flights);
      const resendNow$ = hot('500ms x 1s x');
      expectObservable(source.pipe(retransmit({ ...RFC, resendNow$, scheduler })), '^ 10s !').toBe('1s a', { a: sent(A, 0, 'initial') });
    });
  });

  it('runs on the default async scheduler when none is given (TestScheduler.run makes it virtual)', () => {
    marbles(({ cold, expectObservable }) => {
      expectObservable(cold<TestFlight | null>('a', flights).pipe(retransmit(RFC)), '^ 1500ms !').toBe('a 999ms b', {
        a: sent(A, 0, 'initial'),
        b: sent(A, 1, 'timeout'),
      });
    });
  });

  it('completes with its source', () => {
    marbles(({ cold, expectObservable }, scheduler) => {
      const source = cold<TestFlight | null>('f 9ms |', flights);
      expectObservable(source.pipe(retransmit({ ...RFC, scheduler }))).toBe('f 9ms |', { f: sent(F, 0, 'initial') });
    });
  });

  it('counts attempts across timeouts and peer resends of the same flight', () => {
    const scheduler = new TestScheduler(() => undefined);
    const input = new Subject<TestFlight | null>();
    const resend = new Subject<void>();
    const out: Array<Transmission<TestFlight>> = [];
    const out$: Observable<Transmission<TestFlight>> = input.pipe(retransmit({ ...RFC, resendNow$: resend, scheduler }));
    out$.subscribe((t) => out.push(t));
    input.next(A);
    scheduler.schedule(() => resend.next(), 300);
    scheduler.schedule(() => resend.next(), 600);
    scheduler.maxFrames = 4000;
    scheduler.flush();
    // Peer resends at 300 and 600 ms, each re-arming the 1 s timer: timeouts at 1.6 s and 3.6 s.
    expect(out.map((t) => [t.attempt, t.reason])).toEqual([
      [0, 'initial'],
      [1, 'peer'],
      [2, 'peer'],
      [3, 'timeout'],
      [4, 'timeout'],
    ]);
  });

  it('honours peer resend requests at most once per quarter of the current timer (RFC 6347 §4.2.4.1)', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const source = cold<TestFlight | null>('a', flights);
      // Requests every 100 ms from 100 ms on: the first at once, then, with the timer at 1 s, one per 250 ms at most.
      const resendNow$ = hot('100ms x 99ms x 99ms x 99ms x 99ms x 99ms x 99ms x');
      expectObservable(source.pipe(retransmit({ ...RFC, resendNow$, scheduler })), '^ 1s !').toBe('a 99ms p 299ms q 299ms r', {
        a: sent(A, 0, 'initial'),
        p: sent(A, 1, 'peer'),
        q: sent(A, 2, 'peer'),
        r: sent(A, 3, 'peer'),
      });
    });
  });

  it('spaces peer resends by a quarter of the backed-off timer', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const source = cold<TestFlight | null>('a', flights);
      // Timeouts at 1 s and 3 s leave the timer at 4 s: after the peer resend at 3.1 s, one 800 ms later is too soon, 1.1 s later is not.
      const resendNow$ = hot('3100ms x 799ms x 299ms x');
      expectObservable(source.pipe(retransmit({ ...RFC, resendNow$, scheduler })), '^ 5s !').toBe('a 999ms b 1999ms c 99ms p 1099ms q', {
        a: sent(A, 0, 'initial'),
        b: sent(A, 1, 'timeout'),
        c: sent(A, 2, 'timeout'),
        p: sent(A, 3, 'peer'),
        q: sent(A, 4, 'peer'),
      });
    });
  });

  it('answers the first resend request of each new flight at once, however soon', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const source = cold<TestFlight | null>('a 99ms b', flights);
      const resendNow$ = hot('50ms x 59ms x');
      expectObservable(source.pipe(retransmit({ ...RFC, resendNow$, scheduler })), '^ 500ms !').toBe('a 49ms p 49ms b 9ms q', {
        a: sent(A, 0, 'initial'),
        p: sent(A, 1, 'peer'),
        b: sent(B, 0, 'initial'),
        q: sent(B, 1, 'peer'),
      });
    });
  });

  it('limits peer resends of a final flight the same way, though no timer runs for it', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const source = cold<TestFlight | null>('f', flights);
      const resendNow$ = hot('1s x 9ms x 9ms x 300ms x');
      expectObservable(source.pipe(retransmit({ ...RFC, resendNow$, scheduler })), '^ 2s !').toBe('f 999ms p 320ms q', {
        f: sent(F, 0, 'initial'),
        p: sent(F, 1, 'peer'),
        q: sent(F, 2, 'peer'),
      });
    });
  });

  it('arms no timer when a transmission ends the subscription (a handshake given up from inside it): nothing is left scheduled', () => {
    const time = new VirtualTime();
    const { scheduler } = time;
    const source = new Subject<TestFlight | null>();
    const seen: number[] = [];
    const subscription = source.pipe(retransmit({ ...RFC, scheduler })).subscribe((t) => {
      seen.push(t.attempt);
      if (t.attempt === 2) subscription.unsubscribe();
    });
    source.next(A);
    time.advanceBy(100_000);
    expect(seen).toEqual([0, 1, 2]);
    expect(scheduler.actions).toHaveLength(0);
  });
});
