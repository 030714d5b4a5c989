import { AlertDescription } from '../wire/alert.js';
import { decodeClientHello } from '../wire/client-hello.js';
import { HandshakeType } from '../wire/constants.js';
import { ClientHandshake, type ClientHandshakeOptions } from './client-handshake.js';
import { ClientHandshake13, type ClientHandshake13Options } from './client-handshake13.js';
import { answerVersion } from './dual-client-hello.js';
import type { HandshakeMessage } from './handshake-message.js';
import { failure, NOTHING, type HandshakeStep, type MaybePromise } from './handshake-step.js';

type State =
  /** Flight 1 is out; the server's first answer decides. */
  | { readonly name: 'wait-answer'; readonly hello?: HandshakeMessage }
  /** A HelloRetryRequest chose 1.3: the ServerHello must keep it (RFC 8446 §4.1.4). */
  | { readonly name: 'wait-server-hello13' }
  | { readonly name: 'dtls13' }
  /** The 1.2 handshake took over (or the answer was refused): nothing more comes here. */
  | { readonly name: 'done' };

/**
 * A client offering DTLS 1.3 and 1.2 in one ClientHello (RFC 8446 §4.2.1, RFC 9147 §5.3),
 * until the server's first answer says which it speaks. It runs as a 1.3 handshake: the 1.3
 * machine sends flight 1 (its hello carrying 1.2's suites and extensions beside its own,
 * see withDtls12Offer), and an answer selecting 1.3 (a HelloRetryRequest or a ServerHello)
 * goes on to it, as everything after. A 1.2 answer (a HelloVerifyRequest, or a ServerHello
 * without supported_versions) hands the 1.2 machine over in the step (`fallback12`): it
 * takes that ClientHello as its own flight 1 and the answer as its first message, so the
 * driver and record layer change to 1.2's. Pure: messages in, steps out.
 */
export class ClientVersionProbe {
  private state: State = { name: 'wait-answer' };

  private constructor(
    private readonly dtls13: ClientHandshake13,
    private readonly dtls12: ClientHandshake,
  ) {}

  /** The probe for a client with both sets of options: one random and one ClientHello between them. */
  static offering(options12: ClientHandshakeOptions, options13: ClientHandshake13Options): ClientVersionProbe {
    const dtls12 = new ClientHandshake(options12);
    const dtls13 = new ClientHandshake13({ ...options13, alsoOffer12: dtls12.helloToOffer() });
    return new ClientVersionProbe(dtls13, dtls12);
  }

  /** Whether the 1.3 handshake it went on with is complete (a 1.2 one completes in its own driver). */
  get isEstablished(): boolean {
    return this.state.name === 'dtls13' && this.dtls13.isEstablished;
  }

  /** Flight 1: the ClientHello offering both versions. */
  start(): HandshakeStep {
    const step = this.dtls13.start();
    const first = step.flight?.entries[0];
    if (this.state.name === 'wait-answer' && first?.kind === 'handshake') this.state = { name: 'wait-answer', hello: first.message };
    return step;
  }

  /** The server's messages: the first decides the version; then they go to the 1.3 machine. */
  onMessage(message: HandshakeMessage): MaybePromise<HandshakeStep> {
    const { state } = this;
    switch (state.name) {
      case 'wait-answer':
        return state.hello ? this.onAnswer(message, state.hello) : NOTHING;
      case 'wait-server-hello13':
        return this.onServerHelloAfterRetry(message);
      case 'dtls13':
        return this.dtls13.onMessage(message);
      case 'done':
        return NOTHING;
    }
  }

  private onAnswer(message: HandshakeMessage, hello: HandshakeMessage): MaybePromise<HandshakeStep> {
    const version = answerVersion(message);
    if (!version.ok) return this.refuse(version.failure.alert, version.failure.reason);
    if (version.version === '1.3') {
      this.state = version.helloRetryRequest ? { name: 'wait-server-hello13' } : { name: 'dtls13' };
      return this.dtls13.onMessage(message);
    }
    const decoded = decodeClientHello(hello.body);
    // Our own encoding: it decodes, or the handshake cannot go on in either version.
    if (!decoded.ok) return this.refuse(AlertDescription.internal_error, 'our ClientHello does not decode');
    this.state = { name: 'done' };
    this.dtls12.continueAfterDualOffer(decoded.value, hello);
    return { fallback12: this.dtls12 };
  }

  /**
   * RFC 8446 §4.1.4: the ServerHello after a HelloRetryRequest keeps the version it
   * selected; a 1.2 one (or a HelloVerifyRequest) now is illegal_parameter.
   */
  private onServerHelloAfterRetry(message: HandshakeMessage): MaybePromise<HandshakeStep> {
    if (message.msgType === HandshakeType.server_hello) {
      const version = answerVersion(message);
      if (!version.ok) return this.refuse(version.failure.alert, version.failure.reason);
      if (version.version !== '1.3') return this.refuse(AlertDescription.illegal_parameter, 'ServerHello for DTLS 1.2 after a HelloRetryRequest for 1.3 (RFC 8446 §4.1.4)');
      if (!version.helloRetryRequest) this.state = { name: 'dtls13' };
    } else if (message.msgType === HandshakeType.hello_verify_request) {
      return this.refuse(AlertDescription.illegal_parameter, 'HelloVerifyRequest (DTLS 1.2) after a HelloRetryRequest for 1.3 (RFC 8446 §4.1.4)');
    }
    return this.dtls13.onMessage(message);
  }

  private refuse(alert: number, reason: string): HandshakeStep {
    this.state = { name: 'done' };
    return failure(alert, reason);
  }
}
