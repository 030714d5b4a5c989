import { EMPTY, asyncScheduler, type Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { operate } from './operate.js';

/** The retransmission timer (RFC 6347 §4.2.4.1) and what else triggers a resend. */
export interface RetransmitOptions {
  /** RFC 6347 §4.2.4.1: 1 s initial timer. */
  readonly initialTimeout: number;
  /** RFC 6347 §4.2.4.1: the timer doubles up to at least 60 s. */
  readonly maxTimeout: number;
  /**
   * Resend the current flight at once: the peer retransmitted its previous flight.
   * Honoured at most once per quarter of the current timer (see PEER_RESEND_SPACING).
   */
  readonly resendNow$?: Observable<unknown>;
  /** The timer runs on this scheduler (a TestScheduler for virtual time). */
  readonly scheduler?: SchedulerLike;
}

/** One sending of a flight. */
export interface Transmission<F> {
  /** The flight. */
  readonly flight: F;
  /** 0 for the first send, then 1, 2, ... */
  readonly attempt: number;
  /** Its first sending, its timer, or the peer's retransmission. */
  readonly reason: 'initial' | 'timeout' | 'peer';
}

/**
 * Resends the peer asks for come at least this fraction of the current timer apart.
 * RFC 6347 §4.2.4 has us answer a retransmitted flight by retransmitting ours, and
 * §4.2.4.1 warns that retransmitting too fast congests the link: a peer (or a forger)
 * that repeats its flight in a tight loop would otherwise make us send in one as
 * well. The first request for a flight is always answered at once (the peer's timer
 * may be faster than ours); a genuine peer repeats its flight a timer of its own
 * (a second or more, doubling) later, past a quarter of ours.
 */
const PEER_RESEND_SPACING = 1 / 4;

/**
 * Flights in, transmissions out (RFC 6347 §4.2.4). Each new flight replaces the
 * previous one and restarts the timer; `null` stops retransmitting. Every send
 * (re)arms the timer with its current value and each expiry doubles it, up to
 * `maxTimeout` (§4.2.4.1), so a resend the peer asked for also pushes the next
 * timeout back. A flight marked `final` is never resent on a timer, only when
 * the peer shows it lost it by retransmitting (`resendNow$`); such resends
 * closer together than a quarter of the timer are not made. Completes once its
 * source has and nothing is left to resend.
 *
 * One scheduled action at a time, nothing allocated per flight but the
 * transmissions: every handshake runs this for each of its flights.
 *
 * @example
 * const flights = new Subject<Flight>(); // next() each step.flight of the state machine
 * flights
 *   .pipe(retransmit({ initialTimeout: 1000, maxTimeout: 60_000, resendNow$: resendNow }), fragment({ maxDatagramSize: 1200, overhead: (e) => writeEpochs.overhead(e) }), encrypt(writeEpochs), pack(1200))
 *   .subscribe((datagrams) => datagrams.forEach((d) => transport.send(d, peer)));
 */
export function retransmit<
  F extends {
    /** The handshake's last flight: resent only when the peer retransmits (RFC 6347 §4.2.4). */
    readonly final: boolean;
  },
>(
  options: RetransmitOptions,
): OperatorFunction<F | null, Transmission<F>> {
  const { initialTimeout, maxTimeout, resendNow$ = EMPTY, scheduler = asyncScheduler } = options;
  return operate<F | null, Transmission<F>>((subscriber, alsoSubscribe) => {
    let flight: F | null = null;
    let attempt = 0;
    let timeout = initialTimeout;
    let timer: Subscription | undefined;
    let lastPeerResend = Number.NEGATIVE_INFINITY;
    let sourceDone = false;
    let resendDone = false;

    const disarm = (): void => {
      timer?.unsubscribe();
      timer = undefined;
    };
    const send = (sending: F, reason: Transmission<F>['reason']): void => {
      disarm();
      subscriber.next({ flight: sending, attempt: attempt++, reason });
      // Sending may have led (synchronously) to a newer flight, which armed its own timer,
      // or to the end of the subscription (a handshake given up), after which nothing is armed.
      if (subscriber.closed || flight !== sending || sending.final) return;
      timer = scheduler.schedule(() => {
        timer = undefined;
        timeout = Math.min(timeout * 2, maxTimeout);
        send(sending, 'timeout');
      }, timeout);
    };
    const completeIfIdle = (): void => {
      if (sourceDone && (flight === null || (flight.final && resendDone))) subscriber.complete();
    };

    alsoSubscribe(resendNow$, {
      next() {
        if (flight === null || scheduler.now() - lastPeerResend < timeout * PEER_RESEND_SPACING) return;
        lastPeerResend = scheduler.now();
        send(flight, 'peer');
      },
      complete() {
        resendDone = true;
        completeIfIdle();
      },
    });
    return {
      next(next) {
        disarm();
        flight = next;
        attempt = 0;
        timeout = initialTimeout;
        lastPeerResend = Number.NEGATIVE_INFINITY;
        if (next !== null) send(next, 'initial');
      },
      complete() {
        sourceDone = true;
        completeIfIdle();
      },
      teardown: disarm,
    };
  });
}
