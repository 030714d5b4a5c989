import { AlertDescription } from '../wire/alert.js';
import { HandshakeType } from '../wire/constants.js';
import type { HandshakeMessage } from './handshake-message.js';
import { failure, NOTHING, type HandshakeStep } from './handshake-step.js';

/** The states every side of a handshake goes through at its end. */
export type ClosingState = 'wait-change-cipher-spec' | 'wait-finished' | 'established' | 'failed';

/**
 * What the client and server state machines share: numbering what they send
 * (message_seq, RFC 6347 §4.2.2), failing with an alert, and taking the peer's
 * ChangeCipherSpec and Finished in either order (RFC 6347 §4.1).
 */
export abstract class FlightMachine<State extends string> {
  protected abstract state: State | ClosingState;
  private pendingFinished?: HandshakeMessage;

  constructor(protected nextSendSeq: number) {}

  get isEstablished(): boolean {
    return this.state === 'established';
  }

  onChangeCipherSpec(): HandshakeStep {
    // A ChangeCipherSpec before our keys exist means the peer's flight lost its
    // first records; ignore it, the retransmitted flight brings it again. A
    // duplicate after it is harmless too.
    if (this.state !== 'wait-change-cipher-spec') return NOTHING;
    this.state = 'wait-finished';
    const held = this.pendingFinished;
    this.pendingFinished = undefined;
    return held ? this.onFinished(held) : NOTHING;
  }

  /** The peer's Finished, once its ChangeCipherSpec has come. */
  protected abstract onFinished(message: HandshakeMessage): HandshakeStep;

  /** In state wait-change-cipher-spec: a Finished that overtook the ChangeCipherSpec is held until it arrives. */
  protected holdFinished(message: HandshakeMessage): HandshakeStep {
    if (message.msgType === HandshakeType.finished && this.pendingFinished === undefined) {
      this.pendingFinished = message;
      return NOTHING;
    }
    return this.unexpected(message);
  }

  protected message(msgType: number, body: Uint8Array): HandshakeMessage {
    return { msgType, messageSeq: this.nextSendSeq++, body };
  }

  protected unexpected(message: HandshakeMessage): HandshakeStep {
    return this.fail(AlertDescription.unexpected_message, `unexpected handshake message ${message.msgType} in state ${this.state}`);
  }

  protected fail(alert: number, reason: string): HandshakeStep {
    this.state = 'failed';
    return failure(alert, reason);
  }
}
