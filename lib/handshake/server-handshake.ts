import type { CipherSuite } from '../crypto/cipher-suites.js';
import { timingSafeEqual } from '../crypto/constant-time.js';
import { computeVerifyData } from '../crypto/key-schedule.js';
import type { KeyShare } from '../crypto/ecdhe.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { ecdhePskPremasterSecret, pskPremasterSecret } from '../crypto/psk.js';
import { AlertDescription } from '../wire/alert.js';
import type { ClientHello } from '../wire/client-hello.js';
import { decodeClientKeyExchangeEcdhePsk, decodeClientKeyExchangePsk } from '../wire/client-key-exchange.js';
import { DTLS_1_2, HandshakeType } from '../wire/constants.js';
import { ExtensionType, NamedGroup, decodeSupportedGroupsExtension, findExtension } from '../wire/extensions.js';
import { decodeFinished, encodeFinished } from '../wire/finished.js';
import { encodeServerHello } from '../wire/server-hello.js';
import { encodeServerHelloDone } from '../wire/server-hello-done.js';
import { encodeServerKeyExchangeEcdhePsk, encodeServerKeyExchangePsk } from '../wire/server-key-exchange.js';
import type { HandshakeMessage } from './handshake-message.js';
import { failure, NOTHING, type HandshakeStep, type MaybePromise } from './handshake-step.js';
import type { FlightEntry } from './flight.js';
import { serverHelloExtensions } from './hello-extensions.js';
import type { ServerPskLookup } from './psk-credentials.js';
import { deriveSessionKeys, type SessionKeys } from './session-keys.js';
import { Transcript } from './transcript.js';

export interface ServerHandshakeOptions {
  readonly provider: CryptoProvider;
  /** Accepted in this order of preference (the server's preference wins). */
  readonly cipherSuites: readonly CipherSuite[];
  readonly pskLookup?: ServerPskLookup;
  /** RFC 4279 §2 identity hint; a ServerKeyExchange is sent for PSK only when there is one. */
  readonly pskIdentityHint?: Uint8Array;
  readonly groups: readonly number[];
}

type State = 'new' | 'wait-client-key-exchange' | 'wait-change-cipher-spec' | 'wait-finished' | 'established' | 'failed';

/**
 * The server's side of a full DTLS 1.2 handshake, from a ClientHello whose cookie
 * the endpoint already verified: flight 4 (ServerHello, [ServerKeyExchange],
 * ServerHelloDone), then the client's flight 5, then flight 6 (ChangeCipherSpec,
 * Finished), which is final (RFC 6347 §4.2.4).
 */
export class ServerHandshake {
  private state: State = 'new';
  private nextSendSeq: number;
  private readonly random: Uint8Array;
  private readonly transcript = new Transcript();
  private suite?: CipherSuite;
  private group?: number;
  private keyShare?: KeyShare;
  private extendedMasterSecret = false;
  private pskIdentity?: Uint8Array;
  private keys?: SessionKeys;
  private pendingFinished?: HandshakeMessage;

  constructor(
    private readonly options: ServerHandshakeOptions,
    private readonly clientHelloMessage: HandshakeMessage,
    private readonly clientHello: ClientHello,
  ) {
    this.random = options.provider.randomBytes(32);
    // A stateless cookie exchange consumed message_seq 0 on both sides: the server
    // answers with the ClientHello's message_seq (RFC 6347 §4.2.2).
    this.nextSendSeq = clientHelloMessage.messageSeq;
  }

  get isEstablished(): boolean {
    return this.state === 'established';
  }

  /** The message_seq the client's next message will carry. */
  get nextReceiveSeq(): number {
    return this.clientHelloMessage.messageSeq + 1;
  }

  /** Flight 4. */
  start(): HandshakeStep {
    if (this.state !== 'new') return NOTHING;
    const hello = this.clientHello;
    // DTLS versions count down (1.0 is 0xfeff, 1.2 is 0xfefd): a larger number is an older version only.
    if (hello.clientVersion > DTLS_1_2) return this.fail(AlertDescription.protocol_version, 'client does not offer DTLS 1.2');
    if (!hello.compressionMethods.includes(0)) return this.fail(AlertDescription.illegal_parameter, 'client offers no null compression');
    const groups = this.clientGroups();
    const suite = this.options.cipherSuites.find((s) => hello.cipherSuites.includes(s.id) && this.canServe(s, groups));
    if (!suite) return this.fail(AlertDescription.handshake_failure, 'no cipher suite in common');
    this.suite = suite;
    this.extendedMasterSecret = findExtension(hello.extensions, ExtensionType.extended_master_secret) !== undefined;
    this.transcript.add(this.clientHelloMessage);

    const serverHello = this.message(
      HandshakeType.server_hello,
      encodeServerHello({
        serverVersion: DTLS_1_2,
        random: this.random,
        sessionId: new Uint8Array(0),
        cipherSuite: suite.id,
        compressionMethod: 0,
        extensions: serverHelloExtensions(hello.extensions, hello.cipherSuites, suite),
      }),
    );
    const messages = [serverHello];
    const hint = this.options.pskIdentityHint ?? new Uint8Array(0);
    if (suite.keyExchange === 'PSK' && hint.length > 0) {
      messages.push(this.message(HandshakeType.server_key_exchange, encodeServerKeyExchangePsk({ pskIdentityHint: hint })));
    } else if (suite.keyExchange === 'ECDHE_PSK') {
      this.group = this.options.groups.find((g) => groups.includes(g))!;
      this.keyShare = this.options.provider.generateKeyShare(this.group);
      messages.push(
        this.message(
          HandshakeType.server_key_exchange,
          encodeServerKeyExchangeEcdhePsk({ pskIdentityHint: hint, namedGroup: this.group, publicKey: this.keyShare.publicKey }),
        ),
      );
    }
    messages.push(this.message(HandshakeType.server_hello_done, encodeServerHelloDone()));
    messages.forEach((m) => this.transcript.add(m));
    this.state = 'wait-client-key-exchange';
    const entries: FlightEntry[] = messages.map((message) => ({ kind: 'handshake', epoch: 0, message }));
    return { flight: { number: 4, final: false, entries } };
  }

  onMessage(message: HandshakeMessage): MaybePromise<HandshakeStep> {
    switch (this.state) {
      case 'wait-client-key-exchange':
        if (message.msgType === HandshakeType.client_key_exchange) return this.onClientKeyExchange(message);
        return this.unexpected(message);
      case 'wait-change-cipher-spec':
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

  /** The client's groups; RFC 8422 §4: without the extension, assume secp256r1. */
  private clientGroups(): number[] {
    const extension = findExtension(this.clientHello.extensions, ExtensionType.supported_groups);
    if (!extension) return [NamedGroup.secp256r1];
    const decoded = decodeSupportedGroupsExtension(extension.data);
    return decoded.ok ? decoded.value : [];
  }

  private canServe(suite: CipherSuite, clientGroups: readonly number[]): boolean {
    switch (suite.keyExchange) {
      case 'PSK':
        return this.options.pskLookup !== undefined;
      case 'ECDHE_PSK':
        return this.options.pskLookup !== undefined && this.options.groups.some((g) => clientGroups.includes(g));
      default:
        return false;
    }
  }

  private onClientKeyExchange(message: HandshakeMessage): MaybePromise<HandshakeStep> {
    const suite = this.suite!;
    let identity: Uint8Array;
    let ecdheShared: Uint8Array | undefined;
    if (suite.keyExchange === 'PSK') {
      const cke = decodeClientKeyExchangePsk(message.body);
      if (!cke.ok) return this.fail(AlertDescription.decode_error, 'malformed ClientKeyExchange');
      identity = cke.value.pskIdentity;
    } else {
      const cke = decodeClientKeyExchangeEcdhePsk(message.body);
      if (!cke.ok) return this.fail(AlertDescription.decode_error, 'malformed ClientKeyExchange');
      identity = cke.value.pskIdentity;
      const shared = this.options.provider.computeSharedSecret(this.group!, this.keyShare!.privateKey, cke.value.publicKey);
      if (!shared) return this.fail(AlertDescription.illegal_parameter, 'invalid client ECDHE public key');
      ecdheShared = shared;
    }
    this.pskIdentity = identity;
    this.transcript.add(message);
    const key = this.options.pskLookup!(identity);
    return key instanceof Promise
      ? key.then(
          (k) => this.withPsk(k, ecdheShared),
          () => this.fail(AlertDescription.internal_error, 'PSK lookup failed'),
        )
      : this.withPsk(key, ecdheShared);
  }

  private withPsk(key: Uint8Array | undefined, ecdheShared: Uint8Array | undefined): HandshakeStep {
    if (this.state !== 'wait-client-key-exchange') return NOTHING;
    // RFC 4279 §2: an unknown identity may be answered with unknown_psk_identity.
    if (!key) return this.fail(AlertDescription.unknown_psk_identity, 'unknown PSK identity');
    const suite = this.suite!;
    const preMasterSecret = ecdheShared ? ecdhePskPremasterSecret(ecdheShared, key) : pskPremasterSecret(key);
    this.keys = deriveSessionKeys({
      provider: this.options.provider,
      suite,
      role: 'server',
      preMasterSecret,
      clientRandom: this.clientHello.random,
      serverRandom: this.random,
      sessionHash: this.extendedMasterSecret ? this.transcript.hash(suite.prfHash) : undefined,
    });
    this.state = 'wait-change-cipher-spec';
    return { keys: { read: this.keys.read, write: this.keys.write, suite } };
  }

  private onFinished(message: HandshakeMessage): HandshakeStep {
    const suite = this.suite!;
    const keys = this.keys!;
    const decoded = decodeFinished(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed Finished');
    const expected = computeVerifyData(suite.prfHash, keys.masterSecret, 'client finished', this.transcript.hash(suite.prfHash));
    if (!timingSafeEqual(decoded.value.verifyData, expected)) {
      return this.fail(AlertDescription.decrypt_error, 'client Finished does not verify (wrong pre-shared key?)');
    }
    this.transcript.add(message);
    const verifyData = computeVerifyData(suite.prfHash, keys.masterSecret, 'server finished', this.transcript.hash(suite.prfHash));
    const finished = this.message(HandshakeType.finished, encodeFinished({ verifyData }));
    this.state = 'established';
    return {
      flight: {
        number: 6,
        final: true,
        entries: [
          { kind: 'change_cipher_spec', epoch: 0 },
          { kind: 'handshake', epoch: 1, message: finished },
        ],
      },
      established: {
        cipherSuite: suite,
        peer: { kind: 'psk', identity: this.pskIdentity! },
        extendedMasterSecret: this.extendedMasterSecret,
        clientRandom: this.clientHello.random,
        masterSecret: keys.masterSecret,
      },
    };
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
