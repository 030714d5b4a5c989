import { AlertDescription } from '../wire/alert.js';
import { HandshakeType } from '../wire/constants.js';
import type { HandshakeMessage } from './handshake-message.js';
import { failure, NOTHING, type HandshakeStep, type MaybePromise } from './handshake-step.js';

/**
 * The states every side of a handshake ends in: waiting for the peer's ChangeCipherSpec
 * and Finished (which may arrive in either order, RFC 6347 §4.1), then established or
 * failed. `Keyed` is what a side knows once its keys exist; a state before that has no
 * keys to read.
 */
export type ClosingState<Keyed> =
  | { readonly name: 'wait-change-cipher-spec'; readonly keyed: Keyed; readonly heldFinished?: HandshakeMessage }
  | { readonly name: 'wait-finished'; readonly keyed: Keyed }
  | { readonly name: 'established' }
  | { readonly name: 'failed' };

const CLOSING_STATES: ReadonlySet<string> = new Set<ClosingState<unknown>['name']>(['wait-change-cipher-spec', 'wait-finished', 'established', 'failed']);

/**
 * What the client and server state machines share: each state is an object of its own
 * type (`State`, a union discriminated by `name`, whose names differ from the closing
 * ones), so what a state knows (suite, keys, the peer's key) is there exactly when it
 * may be read. The machine numbers what it sends (message_seq, RFC 6347 §4.2.2), fails
 * with an alert, takes the peer's ChangeCipherSpec and Finished in either order, and
 * continues after an async check (a PSK lookup, a trust callback) only if nothing
 * moved it meanwhile. A DTLS 1.3 machine would extend it with its own states.
 */
export abstract class FlightMachine<State extends { readonly name: string }, Keyed> {
  protected abstract state: State | ClosingState<Keyed>;

  constructor(protected nextSendSeq: number) {}

  /** Whether the peer's Finished has been verified and the handshake is complete. */
  get isEstablished(): boolean {
    return this.state.name === 'established';
  }

  /**
   * Takes the peer's ChangeCipherSpec record. Before our keys exist it is ignored (the
   * retransmitted flight brings it again); a Finished that overtook it is processed now.
   */
  onChangeCipherSpec(): HandshakeStep {
    // A ChangeCipherSpec before our keys exist means the peer's flight lost its
    // first records; ignore it, the retransmitted flight brings it again. A
    // duplicate after it is harmless too.
    const state = this.closing();
    if (state?.name !== 'wait-change-cipher-spec') return NOTHING;
    this.state = { name: 'wait-finished', keyed: state.keyed };
    return state.heldFinished ? this.onFinished(state.heldFinished, state.keyed) : NOTHING;
  }

  /** The peer's Finished, once its ChangeCipherSpec has come. */
  protected abstract onFinished(message: HandshakeMessage, keyed: Keyed): HandshakeStep;

  /** A message in one of the closing states: a Finished that overtook the ChangeCipherSpec is held until it arrives. */
  protected onClosingMessage(message: HandshakeMessage): HandshakeStep {
    const state = this.closing();
    const finished = message.msgType === HandshakeType.finished;
    switch (state?.name) {
      case 'wait-change-cipher-spec':
        if (!finished || state.heldFinished !== undefined) return this.unexpected(message);
        this.state = { ...state, heldFinished: message };
        return NOTHING;
      case 'wait-finished':
        return finished ? this.onFinished(message, state.keyed) : this.unexpected(message);
      default:
        return NOTHING;
    }
  }

  protected message(msgType: number, body: Uint8Array): HandshakeMessage {
    return { msgType, messageSeq: this.nextSendSeq++, body };
  }

  protected unexpected(message: HandshakeMessage): HandshakeStep {
    return this.fail(AlertDescription.unexpected_message, `unexpected handshake message ${message.msgType} in state ${this.state.name}`);
  }

  protected fail(alert: number, reason: string): HandshakeStep {
    this.state = { name: 'failed' };
    return failure(alert, reason);
  }

  /**
   * Continues with `next` now, or once `pending` settles if it is a promise. A rejection
   * fails the handshake with internal_error and `failReason`; either way the continuation
   * runs only if the machine is still in the state it waited in.
   */
  protected after<T>(pending: MaybePromise<T>, failReason: (err: unknown) => string, next: (value: T) => HandshakeStep): MaybePromise<HandshakeStep> {
    if (!(pending instanceof Promise)) return next(pending);
    const waitedIn = this.state;
    return pending.then(
      (value) => (this.state === waitedIn ? next(value) : NOTHING),
      (err: unknown) => (this.state === waitedIn ? this.fail(AlertDescription.internal_error, failReason(err)) : NOTHING),
    );
  }

  private closing(): ClosingState<Keyed> | undefined {
    const { state } = this;
    return CLOSING_STATES.has(state.name) ? (state as ClosingState<Keyed>) : undefined;
  }
}
