import {
  EMPTY,
  asyncScheduler,
  expand,
  map,
  merge,
  of,
  scan,
  switchMap,
  timer,
  type Observable,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';

export interface RetransmitOptions {
  /** RFC 6347 §4.2.4.1: 1 s initial timer. */
  readonly initialTimeout: number;
  /** RFC 6347 §4.2.4.1: the timer doubles up to at least 60 s. */
  readonly maxTimeout: number;
  /** Resend the current flight at once: the peer retransmitted its previous flight. */
  readonly resendNow$?: Observable<unknown>;
  readonly scheduler?: SchedulerLike;
}

export interface Transmission<F> {
  readonly flight: F;
  /** 0 for the first send, then 1, 2, ... */
  readonly attempt: number;
  readonly reason: 'initial' | 'timeout' | 'peer';
}

/**
 * Flights in, transmissions out (RFC 6347 §4.2.4). Each new flight replaces the
 * previous one and restarts the timer; `null` stops retransmitting. A flight
 * marked `final` is never resent on a timer, only when the peer shows it lost
 * it by retransmitting (`resendNow$`).
 */
export function retransmit<F extends { readonly final: boolean }>(
  options: RetransmitOptions,
): OperatorFunction<F | null, Transmission<F>> {
  const { initialTimeout, maxTimeout, resendNow$ = EMPTY, scheduler = asyncScheduler } = options;
  // Attempt n waits initial * 2^(n-1), capped (RFC 6347 §4.2.4.1).
  const backoff$ = timer(initialTimeout, scheduler).pipe(
    map(() => 1),
    expand((n) => timer(Math.min(initialTimeout * 2 ** n, maxTimeout), scheduler).pipe(map(() => n + 1))),
  );
  return (source) =>
    source.pipe(
      switchMap((flight) => {
        if (flight === null) return EMPTY;
        const timeouts$ = flight.final ? EMPTY : backoff$.pipe(map(() => 'timeout' as const));
        return merge(of('initial' as const), timeouts$, resendNow$.pipe(map(() => 'peer' as const))).pipe(
          scan((previous: Transmission<F> | undefined, reason) => ({ flight, attempt: previous ? previous.attempt + 1 : 0, reason }), undefined),
          map((t) => t!),
        );
      }),
    );
}
