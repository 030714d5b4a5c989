import type { DtlsError } from '../dtls-error.js';
import type { HandshakeBudget } from '../handshake/handshake-budget.js';
import type { HandshakeMessage } from '../handshake/handshake-message.js';
import type { HandshakeStep, MaybePromise } from '../handshake/handshake-step.js';
import { AlertDescription } from '../wire/alert.js';
import { HANDSHAKE_HEADER_LENGTH } from '../wire/constants.js';
import type { HandshakeEffect, HandshakeOutcome } from './handshake-outcome.js';

/** Handshake inputs queued behind an async step (a PSK lookup, a trust callback) at most. */
const MAX_WAITING_INPUTS = 32;

/** An outcome while it is being collected. */
interface Collecting {
  heard: boolean;
  dropped: number;
  readonly effects: HandshakeEffect[];
}

/**
 * What the DTLS 1.2 and 1.3 handshake drivers share: how a call's effects become one
 * HandshakeOutcome (and what happens between calls, one of its own for `onLater`), and the
 * queue that feeds the flight machine its inputs in arrival order, one at a time, waiting
 * for async steps. Each driver says how a step is applied and how it stops.
 */
export abstract class StepDriver {
  /** The outcome of the call in progress, if any. */
  private collecting?: Collecting;
  private busy = false;
  private readonly waiting: Array<() => MaybePromise<HandshakeStep>> = [];
  protected stopped = false;

  protected constructor(
    /** Takes the outcome of what happened between calls: a timer, an async step settling. */
    private readonly onLater: (outcome: HandshakeOutcome) => void,
    /**
     * What every stage that holds the peer's bytes charges (maxHandshakeBufferBytes): partial
     * messages, messages held for later, next-epoch records, messages handed to the state
     * machine. Closed when the driver stops.
     */
    readonly budget: HandshakeBudget,
  ) {}

  /** Does what the flight machine asked: keys, a flight, established, failed. */
  protected abstract apply(step: HandshakeStep): void;

  /** Tears the driver down; it must call stopSteps(). */
  abstract stop(): void;

  /** Marks the driver stopped and forgets the inputs still queued; false when it already was. */
  protected stopSteps(): boolean {
    if (this.stopped) return false;
    this.stopped = true;
    this.waiting.length = 0;
    return true;
  }

  /** Runs `work`, returning the outcome it collected. The stages deliver synchronously, so everything a call causes lands in its outcome. */
  protected collect(work: () => void): HandshakeOutcome {
    const outcome: Collecting = { heard: false, dropped: 0, effects: [] };
    this.collecting = outcome;
    try {
      work();
    } finally {
      this.collecting = undefined;
    }
    return outcome;
  }

  /** Runs `work` within the call in progress, or, between calls (a timer, an async step), as an outcome of its own for `onLater`. */
  protected report(work: () => void): void {
    if (this.collecting) work();
    else this.onLater(this.collect(work));
  }

  protected effect(effect: HandshakeEffect): void {
    this.report(() => this.collecting!.effects.push(effect));
  }

  /** The peer was heard from: a record decoded (and authenticated, if protected). */
  protected heard(): void {
    this.report(() => (this.collecting!.heard = true));
  }

  protected drop(count = 1): void {
    if (count > 0) this.report(() => (this.collecting!.dropped += count));
  }

  /** Ends the handshake with `error`, after the fatal `alert` if given; the driver stops at once. */
  protected fail(error: DtlsError, alert?: number): void {
    this.effect({ kind: 'failed', error, alert });
    this.stop();
  }

  /**
   * Charges the budget for a message handed to the state machine for as long as it
   * lives: the state machine copies it into its transcript and may keep fields of it (a PSK
   * identity, a certificate), and it may wait in the queue behind an async step. So it is
   * charged twice, and is a copy when its body is a view into a larger buffer (a datagram).
   * Undefined when the budget has no room.
   */
  protected keep(message: HandshakeMessage): HandshakeMessage | undefined {
    if (!this.budget.charge(2 * message.body.length + HANDSHAKE_HEADER_LENGTH)) return undefined;
    const { body } = message;
    return body.byteLength === body.buffer.byteLength ? message : { ...message, body: body.slice() };
  }

  /**
   * Runs state machine inputs strictly in arrival order, one at a time, waiting
   * for async steps (a PSK looked up in a database, a trust callback). Inputs that
   * arrive meanwhile, including records released by newly installed keys, queue
   * behind the ones already waiting.
   */
  protected run(input: () => MaybePromise<HandshakeStep>): void {
    // While an async step is pending, a peer (or a spoofer) could queue without end: a
    // genuine flight is a handful of inputs, so beyond a bound they are dropped.
    if (this.waiting.length >= MAX_WAITING_INPUTS) {
      this.drop();
      return;
    }
    this.waiting.push(input);
    if (!this.busy) this.drain();
  }

  private drain(): void {
    this.busy = true;
    while (this.waiting.length > 0 && !this.stopped) {
      const step = this.waiting.shift()!();
      if (step instanceof Promise) {
        step.then(
          (s) => this.afterAsync(s),
          (err) => this.afterAsync({ failure: { alert: AlertDescription.internal_error, reason: String(err) } }),
        );
        return;
      }
      this.apply(step);
    }
    this.busy = false;
  }

  /** An async step settled, between calls: it and the inputs queued behind it make one outcome. */
  private afterAsync(step: HandshakeStep): void {
    if (this.stopped) return;
    this.report(() => {
      this.apply(step);
      this.drain();
    });
  }
}
