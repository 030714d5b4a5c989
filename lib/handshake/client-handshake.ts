import { cipherSuiteById, type CipherSuite } from '../crypto/cipher-suites.js';
import { timingSafeEqual } from '../crypto/constant-time.js';
import { computeVerifyData } from '../crypto/key-schedule.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { ecdhePskPremasterSecret, pskPremasterSecret } from '../crypto/psk.js';
import { AlertDescription } from '../wire/alert.js';
import { decodeCertificateRequest } from '../wire/certificate-request.js';
import { encodeCertificateVerify } from '../wire/certificate-verify.js';
import { encodeClientHello, type ClientHello } from '../wire/client-hello.js';
import {
  encodeClientKeyExchangeEcdhe,
  encodeClientKeyExchangeEcdhePsk,
  encodeClientKeyExchangePsk,
} from '../wire/client-key-exchange.js';
import { DTLS_1_2, HandshakeType } from '../wire/constants.js';
import { ExtensionType, NamedGroup, SignatureScheme, findExtension } from '../wire/extensions.js';
import { decodeFinished, encodeFinished } from '../wire/finished.js';
import { decodeHelloVerifyRequest } from '../wire/hello-verify-request.js';
import { decodeServerHello, type ServerHello } from '../wire/server-hello.js';
import { decodeServerHelloDone } from '../wire/server-hello-done.js';
import {
  decodeServerKeyExchangeEcdhe,
  decodeServerKeyExchangeEcdhePsk,
  decodeServerKeyExchangePsk,
} from '../wire/server-key-exchange.js';
import { negotiatedCertificateTypes, verifyPeerCertificate } from './certificate-types.js';
import type { Flight, FlightEntry } from './flight.js';
import { FlightMachine, type ClosingState } from './flight-machine.js';
import type { HandshakeMessage } from './handshake-message.js';
import { NOTHING, type HandshakeStep, type HandshakeSummary, type MaybePromise, type PeerIdentity } from './handshake-step.js';
import { checkServerHelloExtensions, clientHelloExtensions } from './hello-extensions.js';
import { NEVER_ABORTED } from './lookup-context.js';
import type { LocalCertificate, PeerAuthenticator } from './peer-authentication.js';
import type { ClientPskSelector, PskCredential } from './psk-credentials.js';
import { deriveSessionKeys, type SessionKeys } from './session-keys.js';
import { serverKeyExchangeSignedData } from './signed-params.js';
import { Transcript } from './transcript.js';

export interface ClientHandshakeOptions {
  readonly provider: CryptoProvider;
  /** Offered in this order of preference. */
  readonly cipherSuites: readonly CipherSuite[];
  readonly psk?: ClientPskSelector;
  /** Groups for ECDHE, in order of preference (NamedGroup code points); secp256r1 is added last for ECDHE_ECDSA. */
  readonly groups: readonly number[];
  /** How the server's certificate is judged (required for ECDHE_ECDSA). */
  readonly authenticator?: PeerAuthenticator;
  /** Our certificate, sent when the server asks for one. */
  readonly certificate?: LocalCertificate;
  /** RFC 6066 server_name, sent for X.509 and checked against the server's certificate by the authenticator. */
  readonly serverName?: string;
  /** Passed to an async trust callback; aborted when this handshake ends. */
  readonly signal?: AbortSignal;
}

/** HelloVerifyRequests answered in one handshake before giving up. */
const MAX_HELLO_VERIFY_REQUESTS = 8;

type State = 'start' | 'wait-hello' | 'wait-server-flight';

/** What the server's flight 4 told us after its ServerHello. */
interface ServerFlight {
  hint: Uint8Array;
  serverKeyShare?: { group: number; publicKey: Uint8Array };
  /** ECDHE_ECDSA: the server's verified public key and who it is. */
  serverKey?: { publicKey: Uint8Array; identity: PeerIdentity };
  /** A ServerKeyExchange arrived (optional for plain PSK, RFC 4279 §2). */
  keyExchangeSeen: boolean;
  certificateRequested: boolean;
}

/**
 * The client's side of a full DTLS 1.2 handshake as flights (RFC 6347 §4.2.4):
 * 1 ClientHello -> [2 HelloVerifyRequest -> 3 ClientHello with cookie] ->
 * 4 ServerHello..ServerHelloDone -> 5 [Certificate], ClientKeyExchange,
 * [CertificateVerify], ChangeCipherSpec, Finished -> 6 ChangeCipherSpec, Finished.
 * Pure: messages in, steps out; it is fed handshake messages already reassembled
 * and in message_seq order.
 */
export class ClientHandshake extends FlightMachine<State> {
  protected state: State | ClosingState = 'start';
  private readonly random: Uint8Array;
  private hello?: ClientHello;
  private helloMessage!: HandshakeMessage;
  private readonly transcript = new Transcript();
  private serverHello?: ServerHello;
  private suite?: CipherSuite;
  private extendedMasterSecret = false;
  private certificateTypes = { server: 0, client: 0 };
  private serverFlight: ServerFlight = { hint: new Uint8Array(0), keyExchangeSeen: false, certificateRequested: false };
  private psk?: PskCredential;
  private keys?: SessionKeys;
  private helloVerifyRequests = 0;

  /** The groups we advertise: RFC 8422 §5.1 makes supported_groups cover certificate keys too, which are P-256. */
  private readonly groups: readonly number[];

  constructor(private readonly options: ClientHandshakeOptions) {
    super(0);
    this.random = options.provider.randomBytes(32);
    const ecdsa = options.cipherSuites.some((s) => s.keyExchange === 'ECDHE_ECDSA');
    this.groups = ecdsa && !options.groups.includes(NamedGroup.secp256r1) ? [...options.groups, NamedGroup.secp256r1] : options.groups;
  }

  /** Flight 1. */
  start(): HandshakeStep {
    if (this.state !== 'start') return NOTHING;
    this.state = 'wait-hello';
    return { flight: this.helloFlight(new Uint8Array(0), 1) };
  }

  onMessage(message: HandshakeMessage): MaybePromise<HandshakeStep> {
    switch (this.state) {
      case 'wait-hello':
        if (message.msgType === HandshakeType.hello_verify_request) return this.onHelloVerifyRequest(message);
        if (message.msgType === HandshakeType.server_hello) return this.onServerHello(message);
        return this.unexpected(message);
      case 'wait-server-flight':
        return this.onServerFlightMessage(message);
      case 'wait-change-cipher-spec':
        return this.holdFinished(message);
      case 'wait-finished':
        if (message.msgType === HandshakeType.finished) return this.onFinished(message);
        return this.unexpected(message);
      default:
        return NOTHING;
    }
  }

  private helloFlight(cookie: Uint8Array, number: number): Flight {
    const { options } = this;
    // RFC 6347 §4.2.1: the second ClientHello repeats the first with the cookie added, so
    // everything but the cookie is built once.
    this.hello = this.hello
      ? { ...this.hello, cookie }
      : {
          clientVersion: DTLS_1_2,
          random: this.random,
          sessionId: new Uint8Array(0),
          cookie,
          cipherSuites: options.cipherSuites.map((s) => s.id),
          compressionMethods: [0],
          extensions: clientHelloExtensions({
            suites: options.cipherSuites,
            groups: this.groups,
            authenticator: options.authenticator,
            certificate: options.certificate,
            serverName: options.serverName,
          }),
        };
    this.helloMessage = this.message(HandshakeType.client_hello, encodeClientHello(this.hello));
    return { number, final: false, entries: [{ kind: 'handshake', epoch: 0, message: this.helloMessage }] };
  }

  private onHelloVerifyRequest(message: HandshakeMessage): HandshakeStep {
    // Each HelloVerifyRequest costs a ClientHello and a message_seq; a real server asks
    // once (twice across a secret rotation), a flood of spoofed ones must not run us out.
    if (++this.helloVerifyRequests > MAX_HELLO_VERIFY_REQUESTS || this.nextSendSeq > 0xffff) {
      return this.fail(AlertDescription.handshake_failure, `more than ${MAX_HELLO_VERIFY_REQUESTS} HelloVerifyRequests`);
    }
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
    const problem = checkServerHelloExtensions(this.hello!.extensions, hello.extensions);
    if (problem) return this.fail(problem.alert, problem.reason);
    const types = negotiatedCertificateTypes(hello.extensions);
    if (!types.ok) return this.fail(AlertDescription.illegal_parameter, types.reason);
    this.certificateTypes = types.value;
    this.serverHello = hello;
    this.suite = suite;
    this.extendedMasterSecret = findExtension(hello.extensions, ExtensionType.extended_master_secret) !== undefined;
    // The transcript starts with the ClientHello that carried the cookie (RFC 6347 §4.2.6).
    this.transcript.add(this.helloMessage);
    this.transcript.add(message);
    this.state = 'wait-server-flight';
    return NOTHING;
  }

  /** Flight 4 after ServerHello: [Certificate], [ServerKeyExchange], [CertificateRequest], ServerHelloDone, in that order. */
  private onServerFlightMessage(message: HandshakeMessage): MaybePromise<HandshakeStep> {
    const suite = this.suite!;
    const flight = this.serverFlight;
    const signed = suite.keyExchange === 'ECDHE_ECDSA';
    switch (message.msgType) {
      case HandshakeType.certificate:
        if (!signed || flight.serverKey) return this.unexpected(message);
        this.transcript.add(message);
        return this.then(verifyPeerCertificate(this.options.authenticator, this.certificateTypes.server, message.body, { signal: this.options.signal ?? NEVER_ABORTED }), (check) => {
          if (!check.ok) return this.fail(check.alert, `server certificate rejected: ${check.reason}`);
          flight.serverKey = { publicKey: check.publicKey, identity: check.identity };
          return NOTHING;
        });
      case HandshakeType.server_key_exchange:
        if (flight.keyExchangeSeen || (signed && !flight.serverKey)) return this.unexpected(message);
        flight.keyExchangeSeen = true;
        this.transcript.add(message);
        return this.onServerKeyExchange(message);
      case HandshakeType.certificate_request: {
        if (!signed || !flight.keyExchangeSeen || flight.certificateRequested) return this.unexpected(message);
        if (!decodeCertificateRequest(message.body).ok) return this.fail(AlertDescription.decode_error, 'malformed CertificateRequest');
        flight.certificateRequested = true;
        this.transcript.add(message);
        return NOTHING;
      }
      case HandshakeType.server_hello_done: {
        if (!decodeServerHelloDone(message.body).ok) return this.fail(AlertDescription.decode_error, 'malformed ServerHelloDone');
        if (suite.keyExchange !== 'PSK' && !flight.keyExchangeSeen) return this.unexpected(message);
        this.transcript.add(message);
        return this.keyExchangeFlight();
      }
      default:
        return this.unexpected(message);
    }
  }

  private onServerKeyExchange(message: HandshakeMessage): HandshakeStep {
    const suite = this.suite!;
    const flight = this.serverFlight;
    if (suite.keyExchange === 'PSK') {
      const ske = decodeServerKeyExchangePsk(message.body);
      if (!ske.ok) return this.fail(AlertDescription.decode_error, 'malformed ServerKeyExchange');
      flight.hint = ske.value.pskIdentityHint;
      return NOTHING;
    }
    if (suite.keyExchange === 'ECDHE_PSK') {
      const ske = decodeServerKeyExchangeEcdhePsk(message.body);
      if (!ske.ok) return this.fail(AlertDescription.decode_error, 'malformed ServerKeyExchange');
      flight.hint = ske.value.pskIdentityHint;
      return this.takeServerShare(ske.value.namedGroup, ske.value.publicKey);
    }
    const ske = decodeServerKeyExchangeEcdhe(message.body);
    if (!ske.ok) return this.fail(AlertDescription.decode_error, 'malformed ServerKeyExchange');
    const { namedGroup, publicKey, signatureScheme, signature } = ske.value;
    if (signatureScheme !== SignatureScheme.ecdsa_secp256r1_sha256) {
      return this.fail(AlertDescription.illegal_parameter, `ServerKeyExchange signed with a scheme not offered (0x${signatureScheme.toString(16)})`);
    }
    const data = serverKeyExchangeSignedData(this.random, this.serverHello!.random, namedGroup, publicKey);
    if (!this.options.provider.ecdsaVerify(flight.serverKey!.publicKey, data, signature)) {
      return this.fail(AlertDescription.decrypt_error, 'ServerKeyExchange signature does not verify');
    }
    return this.takeServerShare(namedGroup, publicKey);
  }

  private takeServerShare(group: number, publicKey: Uint8Array): HandshakeStep {
    if (!this.groups.includes(group)) return this.fail(AlertDescription.illegal_parameter, 'server chose a group not offered');
    this.serverFlight.serverKeyShare = { group, publicKey };
    return NOTHING;
  }

  /** Flight 5: [Certificate], ClientKeyExchange, [CertificateVerify], ChangeCipherSpec, Finished. */
  private keyExchangeFlight(): HandshakeStep {
    const suite = this.suite!;
    const { provider } = this.options;
    const flight = this.serverFlight;
    const messages: HandshakeMessage[] = [];

    let clientKeyExchange: Uint8Array;
    let preMasterSecret: Uint8Array;
    const certificate = this.options.certificate?.type === this.certificateTypes.client ? this.options.certificate : undefined;
    if (suite.keyExchange === 'ECDHE_ECDSA') {
      if (flight.certificateRequested) {
        // RFC 5246 §7.4.6: with no suitable certificate the client sends an empty list.
        messages.push(this.message(HandshakeType.certificate, certificate?.certificateBody ?? new Uint8Array(3)));
      }
      const exchange = this.ecdhe();
      if (!exchange) return this.fail(AlertDescription.illegal_parameter, 'invalid server ECDHE public key');
      clientKeyExchange = encodeClientKeyExchangeEcdhe({ publicKey: exchange.publicKey });
      preMasterSecret = exchange.shared;
    } else {
      const psk = this.options.psk?.(flight.hint);
      if (!psk) return this.fail(AlertDescription.handshake_failure, 'no pre-shared key for this server');
      this.psk = psk;
      if (suite.keyExchange === 'PSK') {
        clientKeyExchange = encodeClientKeyExchangePsk({ pskIdentity: psk.identity });
        preMasterSecret = pskPremasterSecret(psk.key);
      } else {
        const exchange = this.ecdhe();
        if (!exchange) return this.fail(AlertDescription.illegal_parameter, 'invalid server ECDHE public key');
        clientKeyExchange = encodeClientKeyExchangeEcdhePsk({ pskIdentity: psk.identity, publicKey: exchange.publicKey });
        preMasterSecret = ecdhePskPremasterSecret(exchange.shared, psk.key);
      }
    }
    const cke = this.message(HandshakeType.client_key_exchange, clientKeyExchange);
    messages.forEach((m) => this.transcript.add(m));
    this.transcript.add(cke);
    messages.push(cke);

    const keys = deriveSessionKeys({
      provider,
      suite,
      role: 'client',
      preMasterSecret,
      clientRandom: this.random,
      serverRandom: this.serverHello!.random,
      // RFC 7627 §3: the session hash runs up to and including ClientKeyExchange.
      sessionHash: this.extendedMasterSecret ? this.transcript.hash(suite.prfHash) : undefined,
    });
    this.keys = keys;
    if (flight.certificateRequested && certificate) {
      // RFC 5246 §7.4.8: signs every handshake message so far.
      const signature = provider.ecdsaSign(certificate.privateKey, this.transcript.bytes());
      const verify = this.message(
        HandshakeType.certificate_verify,
        encodeCertificateVerify({ signatureScheme: SignatureScheme.ecdsa_secp256r1_sha256, signature }),
      );
      this.transcript.add(verify);
      messages.push(verify);
    }
    const verifyData = computeVerifyData(suite.prfHash, keys.master, 'client finished', this.transcript.hash(suite.prfHash));
    const finished = this.message(HandshakeType.finished, encodeFinished({ verifyData }));
    this.transcript.add(finished);
    const entries: FlightEntry[] = [
      ...messages.map((message) => ({ kind: 'handshake' as const, epoch: 0, message })),
      { kind: 'change_cipher_spec', epoch: 0 },
      { kind: 'handshake', epoch: 1, message: finished },
    ];
    this.state = 'wait-change-cipher-spec';
    return { flight: { number: 5, final: false, entries }, keys: { read: keys.read, write: keys.write, suite } };
  }

  /** Our ECDHE share against the server's, or undefined when the server's key is invalid. */
  private ecdhe(): { publicKey: Uint8Array; shared: Uint8Array } | undefined {
    const { provider } = this.options;
    const server = this.serverFlight.serverKeyShare!;
    const share = provider.generateKeyShare(server.group);
    const shared = provider.computeSharedSecret(server.group, share.privateKey, server.publicKey);
    return shared ? { publicKey: share.publicKey, shared } : undefined;
  }

  protected onFinished(message: HandshakeMessage): HandshakeStep {
    const suite = this.suite!;
    const decoded = decodeFinished(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed Finished');
    const expected = computeVerifyData(suite.prfHash, this.keys!.master, 'server finished', this.transcript.hash(suite.prfHash));
    if (!timingSafeEqual(decoded.value.verifyData, expected)) {
      return this.fail(AlertDescription.decrypt_error, 'server Finished does not verify');
    }
    // Both Finished messages are done: nothing more is derived from the master secret.
    this.keys!.master.destroy();
    this.state = 'established';
    const peer: PeerIdentity = this.serverFlight.serverKey?.identity ?? { kind: 'psk', identity: this.psk!.identity };
    const established: HandshakeSummary = {
      cipherSuite: suite,
      peer,
      extendedMasterSecret: this.extendedMasterSecret,
      clientRandom: this.random,
      masterSecret: this.keys!.masterSecret,
    };
    return { established };
  }

  /** Continues with `next` now, or once an async check settles. */
  private then<T>(value: MaybePromise<T>, next: (v: T) => HandshakeStep): MaybePromise<HandshakeStep> {
    return value instanceof Promise
      ? value.then(next, (err: unknown) => this.fail(AlertDescription.internal_error, `certificate check failed: ${String(err)}`))
      : next(value);
  }
}
