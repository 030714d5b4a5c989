import {
  EMPTY,
  asyncScheduler,
  concat,
  defer,
  map,
  merge,
  mergeMap,
  of,
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
 * previous one and restarts the timer; `null` stops retransmitting. Every send
 * (re)arms the timer with its current value and each expiry doubles it, up to
 * `maxTimeout` (§4.2.4.1), so a resend the peer asked for also pushes the next
 * timeout back. A flight marked `final` is never resent on a timer, only when
 * the peer shows it lost it by retransmitting (`resendNow$`).
 */
export function retransmit<F extends { readonly final: boolean }>(
  options: RetransmitOptions,
): OperatorFunction<F | null, Transmission<F>> {
  const { initialTimeout, maxTimeout, resendNow$ = EMPTY, scheduler = asyncScheduler } = options;
  return (source) =>
    source.pipe(
      switchMap((flight) => {
        if (flight === null) return EMPTY;
        return defer(() => {
          let attempt = 0;
          let timeout = initialTimeout;
          const send = (reason: Transmission<F>['reason']): Observable<Transmission<F>> =>
            concat(
              of({ flight, attempt: attempt++, reason }),
              flight.final
                ? EMPTY
                : timer(timeout, scheduler).pipe(
                    mergeMap(() => {
                      timeout = Math.min(timeout * 2, maxTimeout);
                      return send('timeout');
                    }),
                  ),
            );
          return merge(of('initial' as const), resendNow$.pipe(map(() => 'peer' as const))).pipe(switchMap(send));
        });
      }),
    );
}
