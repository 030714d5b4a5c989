import { cipherSuiteById, type CipherSuite } from '../crypto/cipher-suites.js';
import { timingSafeEqual } from '../crypto/constant-time.js';
import type { KeyShare } from '../crypto/ecdhe.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { ecdhePskPremasterSecret, pskPremasterSecret } from '../crypto/psk.js';
import { computeVerifyData } from '../crypto/key-schedule.js';
import { AlertDescription } from '../wire/alert.js';
import { encodeClientHello, type ClientHello } from '../wire/client-hello.js';
import {
  encodeClientKeyExchangeEcdhePsk,
  encodeClientKeyExchangePsk,
} from '../wire/client-key-exchange.js';
import { DTLS_1_2, HandshakeType } from '../wire/constants.js';
import { ExtensionType, findExtension } from '../wire/extensions.js';
import { decodeFinished, encodeFinished } from '../wire/finished.js';
import { decodeHelloVerifyRequest } from '../wire/hello-verify-request.js';
import { decodeServerHello, type ServerHello } from '../wire/server-hello.js';
import { decodeServerHelloDone } from '../wire/server-hello-done.js';
import {
  decodeServerKeyExchangeEcdhePsk,
  decodeServerKeyExchangePsk,
} from '../wire/server-key-exchange.js';
import { clientHelloExtensions, checkServerHelloExtensions } from './hello-extensions.js';
import type { HandshakeMessage } from './handshake-message.js';
import { failure, NOTHING, type HandshakeStep, type HandshakeSummary } from './handshake-step.js';
import type { Flight, FlightEntry } from './flight.js';
import type { ClientPskSelector, PskCredential } from './psk-credentials.js';
import { deriveSessionKeys, type SessionKeys } from './session-keys.js';
import { Transcript } from './transcript.js';

export interface ClientHandshakeOptions {
  readonly provider: CryptoProvider;
  /** Offered in this order of preference. */
  readonly cipherSuites: readonly CipherSuite[];
  readonly psk?: ClientPskSelector;
  /** Groups for ECDHE, in order of preference (NamedGroup code points). */
  readonly groups: readonly number[];
}

type State = 'start' | 'wait-hello' | 'wait-server-flight' | 'wait-change-cipher-spec' | 'wait-finished' | 'established' | 'failed';

/** The messages of the server's flight 4 after ServerHello, as far as they have arrived. */
interface ServerFlight {
  hint: Uint8Array;
  serverKeyShare?: { group: number; publicKey: Uint8Array };
}

/**
 * The client's side of a full DTLS 1.2 handshake as flights (RFC 6347 §4.2.4):
 * 1 ClientHello -> [2 HelloVerifyRequest -> 3 ClientHello with cookie] ->
 * 4 ServerHello..ServerHelloDone -> 5 ClientKeyExchange, ChangeCipherSpec,
 * Finished -> 6 ChangeCipherSpec, Finished. Pure: messages in, steps out; it is
 * fed handshake messages already reassembled and in message_seq order.
 */
export class ClientHandshake {
  private state: State = 'start';
  private nextSendSeq = 0;
  private readonly random: Uint8Array;
  private hello!: ClientHello;
  private helloMessage!: HandshakeMessage;
  private readonly transcript = new Transcript();
  private serverHello?: ServerHello;
  private suite?: CipherSuite;
  private extendedMasterSecret = false;
  private serverFlight: ServerFlight = { hint: new Uint8Array(0) };
  private psk?: PskCredential;
  private keys?: SessionKeys;
  private pendingFinished?: HandshakeMessage;

  constructor(private readonly options: ClientHandshakeOptions) {
    this.random = options.provider.randomBytes(32);
  }

  get isEstablished(): boolean {
    return this.state === 'established';
  }

  /** Flight 1. */
  start(): HandshakeStep {
    if (this.state !== 'start') return NOTHING;
    this.state = 'wait-hello';
    return { flight: this.helloFlight(new Uint8Array(0), 1) };
  }

  onMessage(message: HandshakeMessage): HandshakeStep {
    switch (this.state) {
      case 'wait-hello':
        if (message.msgType === HandshakeType.hello_verify_request) return this.onHelloVerifyRequest(message);
        if (message.msgType === HandshakeType.server_hello) return this.onServerHello(message);
        return this.unexpected(message);
      case 'wait-server-flight':
        return this.onServerFlightMessage(message);
      case 'wait-change-cipher-spec':
        // RFC 6347 §4.1: the Finished may overtake the ChangeCipherSpec; hold it until CCS arrives.
        if (message.msgType === HandshakeType.finished && this.pendingFinished === undefined) {
          this.pendingFinished = message;
          return NOTHING;
        }
        return this.unexpected(message);
      case 'wait-finished':
        if (message.msgType === HandshakeType.finished) return this.onFinished(message);
        return this.unexpected(message);
      default:
        return NOTHING;
    }
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

  private helloFlight(cookie: Uint8Array, number: number): Flight {
    const { options } = this;
    this.hello = {
      clientVersion: DTLS_1_2,
      random: this.random,
      sessionId: new Uint8Array(0),
      cookie,
      cipherSuites: options.cipherSuites.map((s) => s.id),
      compressionMethods: [0],
      extensions: clientHelloExtensions(options.cipherSuites, options.groups),
    };
    this.helloMessage = this.message(HandshakeType.client_hello, encodeClientHello(this.hello));
    return { number, final: false, entries: [{ kind: 'handshake', epoch: 0, message: this.helloMessage }] };
  }

  private onHelloVerifyRequest(message: HandshakeMessage): HandshakeStep {
    const hvr = decodeHelloVerifyRequest(message.body);
    if (!hvr.ok) return this.fail(AlertDescription.decode_error, 'malformed HelloVerifyRequest');
    if (hvr.value.cookie.length === 0) return this.fail(AlertDescription.illegal_parameter, 'empty cookie in HelloVerifyRequest');
    // RFC 6347 §4.2.1: the second ClientHello repeats the first with the cookie added.
    return { flight: this.helloFlight(hvr.value.cookie, 3) };
  }

  private onServerHello(message: HandshakeMessage): HandshakeStep {
    const decoded = decodeServerHello(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed ServerHello');
    const hello = decoded.value;
    if (hello.serverVersion !== DTLS_1_2) return this.fail(AlertDescription.protocol_version, 'server did not choose DTLS 1.2');
    const suite = cipherSuiteById(hello.cipherSuite);
    if (!suite || !this.options.cipherSuites.includes(suite)) {
      return this.fail(AlertDescription.illegal_parameter, `server chose a cipher suite not offered (0x${hello.cipherSuite.toString(16)})`);
    }
    if (hello.compressionMethod !== 0) return this.fail(AlertDescription.illegal_parameter, 'server chose compression');
    const problem = checkServerHelloExtensions(this.hello.extensions, hello.extensions);
    if (problem) return this.fail(problem.alert, problem.reason);
    this.serverHello = hello;
    this.suite = suite;
    this.extendedMasterSecret = findExtension(hello.extensions, ExtensionType.extended_master_secret) !== undefined;
    // The transcript starts with the ClientHello that carried the cookie (RFC 6347 §4.2.6).
    this.transcript.add(this.helloMessage);
    this.transcript.add(message);
    this.state = 'wait-server-flight';
    return NOTHING;
  }

  private onServerFlightMessage(message: HandshakeMessage): HandshakeStep {
    const suite = this.suite!;
    switch (message.msgType) {
      case HandshakeType.server_key_exchange: {
        if (suite.keyExchange === 'PSK') {
          const ske = decodeServerKeyExchangePsk(message.body);
          if (!ske.ok) return this.fail(AlertDescription.decode_error, 'malformed ServerKeyExchange');
          this.serverFlight.hint = ske.value.pskIdentityHint;
        } else if (suite.keyExchange === 'ECDHE_PSK') {
          const ske = decodeServerKeyExchangeEcdhePsk(message.body);
          if (!ske.ok) return this.fail(AlertDescription.decode_error, 'malformed ServerKeyExchange');
          if (!this.options.groups.includes(ske.value.namedGroup)) {
            return this.fail(AlertDescription.illegal_parameter, 'server chose a group not offered');
          }
          this.serverFlight.hint = ske.value.pskIdentityHint;
          this.serverFlight.serverKeyShare = { group: ske.value.namedGroup, publicKey: ske.value.publicKey };
        } else {
          return this.unexpected(message);
        }
        this.transcript.add(message);
        return NOTHING;
      }
      case HandshakeType.server_hello_done: {
        if (!decodeServerHelloDone(message.body).ok) return this.fail(AlertDescription.decode_error, 'malformed ServerHelloDone');
        this.transcript.add(message);
        return this.keyExchangeFlight();
      }
      default:
        return this.unexpected(message);
    }
  }

  /** Flight 5: ClientKeyExchange, ChangeCipherSpec, Finished. */
  private keyExchangeFlight(): HandshakeStep {
    const suite = this.suite!;
    const { provider } = this.options;
    const psk = this.options.psk?.(this.serverFlight.hint);
    if (!psk) return this.fail(AlertDescription.handshake_failure, 'no pre-shared key for this server');
    this.psk = psk;

    let clientKeyExchange: Uint8Array;
    let preMasterSecret: Uint8Array;
    if (suite.keyExchange === 'PSK') {
      clientKeyExchange = encodeClientKeyExchangePsk({ pskIdentity: psk.identity });
      preMasterSecret = pskPremasterSecret(psk.key);
    } else if (suite.keyExchange === 'ECDHE_PSK') {
      const server = this.serverFlight.serverKeyShare;
      if (!server) return this.fail(AlertDescription.unexpected_message, 'ECDHE_PSK without ServerKeyExchange');
      const share: KeyShare = provider.generateKeyShare(server.group);
      const shared = provider.computeSharedSecret(server.group, share.privateKey, server.publicKey);
      if (!shared) return this.fail(AlertDescription.illegal_parameter, 'invalid server ECDHE public key');
      clientKeyExchange = encodeClientKeyExchangeEcdhePsk({ pskIdentity: psk.identity, publicKey: share.publicKey });
      preMasterSecret = ecdhePskPremasterSecret(shared, psk.key);
    } else {
      return this.fail(AlertDescription.handshake_failure, `${suite.name} is not supported yet`);
    }

    const cke = this.message(HandshakeType.client_key_exchange, clientKeyExchange);
    this.transcript.add(cke);
    const keys = deriveSessionKeys({
      provider,
      suite,
      role: 'client',
      preMasterSecret,
      clientRandom: this.random,
      serverRandom: this.serverHello!.random,
      sessionHash: this.extendedMasterSecret ? this.transcript.hash(suite.prfHash) : undefined,
    });
    this.keys = keys;
    const verifyData = computeVerifyData(suite.prfHash, keys.masterSecret, 'client finished', this.transcript.hash(suite.prfHash));
    const finished = this.message(HandshakeType.finished, encodeFinished({ verifyData }));
    this.transcript.add(finished);
    const entries: FlightEntry[] = [
      { kind: 'handshake', epoch: 0, message: cke },
      { kind: 'change_cipher_spec', epoch: 0 },
      { kind: 'handshake', epoch: 1, message: finished },
    ];
    this.state = 'wait-change-cipher-spec';
    return { flight: { number: 5, final: false, entries }, keys: { read: keys.read, write: keys.write, suite } };
  }

  private onFinished(message: HandshakeMessage): HandshakeStep {
    const suite = this.suite!;
    const decoded = decodeFinished(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed Finished');
    const expected = computeVerifyData(suite.prfHash, this.keys!.masterSecret, 'server finished', this.transcript.hash(suite.prfHash));
    if (!timingSafeEqual(decoded.value.verifyData, expected)) {
      return this.fail(AlertDescription.decrypt_error, 'server Finished does not verify');
    }
    this.state = 'established';
    const established: HandshakeSummary = {
      cipherSuite: suite,
      peer: { kind: 'psk', identity: this.psk!.identity },
      extendedMasterSecret: this.extendedMasterSecret,
      clientRandom: this.random,
      masterSecret: this.keys!.masterSecret,
    };
    return { established };
  }

  private message(msgType: number, body: Uint8Array): HandshakeMessage {
    return { msgType, messageSeq: this.nextSendSeq++, body };
  }

  private unexpected(message: HandshakeMessage): HandshakeStep {
    return this.fail(AlertDescription.unexpected_message, `unexpected handshake message ${message.msgType} in state ${this.state}`);
  }

  private fail(alert: number, reason: string): HandshakeStep {
    this.state = 'failed';
    return failure(alert, reason);
  }
}
