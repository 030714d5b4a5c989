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
import { decodeServerHello } from '../wire/server-hello.js';
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
import { heartbeatExtension, peerHeartbeat, type NegotiatedHeartbeat } from './heartbeat-negotiation.js';
import { checkServerHelloExtensions, clientHelloExtensions } from './hello-extensions.js';
import { checkServerExtensionAnswers, clientExtensionOffer, type ClientExtensionOptions, type NegotiatedExtensions } from './negotiated-extensions.js';
import { clientConnectionIds, offerConnectionId, type ConnectionIdPolicy, type NegotiatedConnectionIds } from './connection-id-negotiation.js';
import { NEVER_ABORTED } from './lookup-context.js';
import type { LocalCertificate, PeerAuthenticator } from './peer-authentication.js';
import type { ClientPskSelector, PskCredential } from './psk-credentials.js';
import { deriveSessionKeys, sessionKeysFromMaster, type SessionKeys } from './session-keys.js';
import type { ResumableSession } from './resumable-session.js';
import { decodeNewSessionTicket } from '../wire/new-session-ticket.js';
import { serverKeyExchangeSignedData } from './signed-params.js';
import { Transcript } from './transcript.js';
import { downgradeProblem } from './dual-client-hello.js';

/** What a {@link ClientHandshake} offers and authenticates with. */
export interface ClientHandshakeOptions extends ClientExtensionOptions {
  /** The cryptographic primitives: randomness, hashes, ECDHE, ECDSA, AEADs. */
  readonly provider: CryptoProvider;
  /** Offered in this order of preference. */
  readonly cipherSuites: readonly CipherSuite[];
  /** Chooses the PSK for the server's identity hint; required for PSK and ECDHE_PSK suites. */
  readonly psk?: ClientPskSelector;
  /** Groups for ECDHE, in order of preference (NamedGroup code points); secp256r1 is added last for ECDHE_ECDSA. */
  readonly groups: readonly number[];
  /** How the server's certificate is judged (required for ECDHE_ECDSA). */
  readonly authenticator?: PeerAuthenticator;
  /** Our certificate, sent when the server asks for one. */
  readonly certificate?: LocalCertificate;
  /** RFC 6066 server_name, sent when it is a host name (not an IP literal), and checked against the server's X.509 certificate by the authenticator. */
  readonly serverName?: string;
  /** Offer the heartbeat extension (RFC 6520), saying we answer the server's HeartbeatRequests. */
  readonly heartbeat?: boolean;
  /** Passed to an async trust callback; aborted when this handshake ends. */
  readonly signal?: AbortSignal;
  /** RFC 9146: offer Connection IDs, with the one we want to receive. */
  readonly connectionId?: ConnectionIdPolicy;
  /**
   * A session to resume with an abbreviated handshake (RFC 5246 §7.3), by its ID or its
   * RFC 5077 ticket; offered only when its suite is offered and it has the extended master
   * secret (RFC 7627 §5.3). A server that does not resume it gets a full handshake.
   */
  readonly resume?: ResumableSession;
  /** Whether to ask for an RFC 5077 ticket with an empty SessionTicket extension (default true). */
  readonly tickets?: boolean;
  /** The clock a new session's creation time is read from (ms; default Date.now). */
  readonly now?: () => number;
}

/** HelloVerifyRequests answered in one handshake before giving up. */
const MAX_HELLO_VERIFY_REQUESTS = 8;

/** The ClientHello we sent last; the server's answer puts its message into the transcript. */
interface Offer {
  readonly hello: ClientHello;
  readonly message: HandshakeMessage;
}

/** What the ServerHello settled. */
interface Agreement {
  readonly suite: CipherSuite;
  readonly serverRandom: Uint8Array;
  readonly extendedMasterSecret: boolean;
  readonly certificateTypes: { readonly server: number; readonly client: number };
  readonly negotiated: NegotiatedExtensions;
  readonly connectionIds?: NegotiatedConnectionIds;
  /** The session ID the server gave the new session (empty: not cached). */
  readonly sessionId: Uint8Array;
  /** RFC 5077 §3.2: the ServerHello's empty SessionTicket extension announces a NewSessionTicket. */
  readonly ticketExpected: boolean;
  readonly heartbeat?: NegotiatedHeartbeat;
}

/** What the session will be resumable as: its ID and ticket, and when it was made (a resumed one keeps its own). */
interface SessionHandle {
  readonly sessionId: Uint8Array;
  readonly createdAt?: number;
  readonly ticket?: Uint8Array;
  readonly ticketLifetimeHint?: number;
}

/** What the server's flight 4 told us so far after its ServerHello; filled in as its messages arrive. */
interface ServerFlight {
  hint: Uint8Array;
  serverKeyShare?: { group: number; publicKey: Uint8Array };
  /** ECDHE_ECDSA: the server's verified public key and who it is. */
  serverKey?: { publicKey: Uint8Array; identity: PeerIdentity };
  /** A ServerKeyExchange arrived (optional for plain PSK, RFC 4279 §2). */
  keyExchangeSeen: boolean;
  certificateRequested: boolean;
}

/** What the client knows once its keys exist. */
interface ClientKeyed {
  readonly suite: CipherSuite;
  readonly keys: SessionKeys;
  readonly peer: PeerIdentity;
  readonly extendedMasterSecret: boolean;
  readonly negotiated: NegotiatedExtensions;
  readonly connectionIds?: NegotiatedConnectionIds;
  /** An abbreviated handshake (RFC 5246 §7.3): the server's Finished comes first. */
  readonly resumed: boolean;
  readonly session: SessionHandle;
  readonly heartbeat?: NegotiatedHeartbeat;
}

type State =
  | { readonly name: 'start' }
  | { readonly name: 'wait-hello'; readonly offer: Offer; readonly helloVerifyRequests: number }
  | { readonly name: 'wait-server-flight'; readonly agreement: Agreement; readonly flight: ServerFlight }
  /** RFC 5077 §3.3: the NewSessionTicket before the server's ChangeCipherSpec, which may overtake it. */
  | { readonly name: 'wait-new-session-ticket'; readonly keyed: ClientKeyed; readonly changeCipherSpecSeen: boolean };

/** The ClientKeyExchange of the agreed key exchange and what it makes. */
interface KeyExchange {
  readonly body: Uint8Array;
  readonly preMasterSecret: Uint8Array;
  readonly psk?: PskCredential;
}

/**
 * The client's side of a full DTLS 1.2 handshake as flights (RFC 6347 §4.2.4):
 * 1 ClientHello -> [2 HelloVerifyRequest -> 3 ClientHello with cookie] ->
 * 4 ServerHello..ServerHelloDone -> 5 [Certificate], ClientKeyExchange,
 * [CertificateVerify], ChangeCipherSpec, Finished -> 6 [NewSessionTicket],
 * ChangeCipherSpec, Finished. Resuming a session (RFC 5246 §7.3), flight 4 is
 * ServerHello, [NewSessionTicket], ChangeCipherSpec, Finished and our flight 5,
 * ChangeCipherSpec and Finished, is the final one (RFC 6347 §4.2.4).
 * Pure: messages in, steps out; it is fed handshake messages already reassembled
 * and in message_seq order.
 */
export class ClientHandshake extends FlightMachine<State, ClientKeyed> {
  protected state: State | ClosingState<ClientKeyed> = { name: 'start' };
  private readonly random: Uint8Array;
  private readonly transcript = new Transcript();

  /** The groups we advertise: RFC 8422 §5.1 makes supported_groups cover certificate keys too, which are P-256. */
  private readonly groups: readonly number[];
  /** The session offered for resumption, if it can be. */
  private readonly offered?: ResumableSession;
  /** Our ClientHello offered DTLS 1.3 too: the ServerHello gets the downgrade check (RFC 8446 §4.1.3). */
  private offeredDtls13 = false;

  constructor(private readonly options: ClientHandshakeOptions) {
    super(0);
    this.random = options.provider.randomBytes(32);
    const { resume } = options;
    // RFC 7627 §5.3: only a session with the extended master secret is offered (we always send the extension).
    if (resume?.extendedMasterSecret && options.cipherSuites.some((s) => s.id === resume.cipherSuite)) this.offered = resume;
    const ecdsa = options.cipherSuites.some((s) => s.keyExchange === 'ECDHE_ECDSA');
    this.groups = ecdsa && !options.groups.includes(NamedGroup.secp256r1) ? [...options.groups, NamedGroup.secp256r1] : options.groups;
  }

  /** Flight 1. */
  start(): HandshakeStep {
    if (this.state.name !== 'start') return NOTHING;
    const offer = this.offer(this.firstHello());
    this.state = { name: 'wait-hello', offer, helloVerifyRequests: 0 };
    return { flight: helloFlight(offer, 1) };
  }

  /** The ClientHello of flight 1, for a client that offers DTLS 1.3 in the same hello (withDtls12Offer). */
  helloToOffer(): ClientHello {
    return this.firstHello();
  }

  /**
   * Flight 1 went out as `message` (carrying `hello`), one ClientHello offering DTLS 1.3
   * too, built around {@link helloToOffer}'s, and the server answered as a 1.2 server: this
   * handshake goes on from there, waiting for that answer, with that hello in its transcript.
   */
  continueAfterDualOffer(hello: ClientHello, message: HandshakeMessage): void {
    if (this.state.name !== 'start') return;
    this.offeredDtls13 = true;
    this.nextSendSeq = message.messageSeq + 1;
    this.state = { name: 'wait-hello', offer: { hello, message }, helloVerifyRequests: 0 };
  }

  /**
   * Takes the server's next handshake message, already reassembled and in message_seq
   * order; the step is a promise while an async trust callback is pending.
   */
  onMessage(message: HandshakeMessage): MaybePromise<HandshakeStep> {
    const { state } = this;
    switch (state.name) {
      case 'wait-hello':
        if (message.msgType === HandshakeType.hello_verify_request) return this.onHelloVerifyRequest(message, state.offer, state.helloVerifyRequests);
        if (message.msgType === HandshakeType.server_hello) return this.onServerHello(message, state.offer);
        return this.unexpected(message);
      case 'wait-server-flight':
        return this.onServerFlightMessage(message, state.agreement, state.flight);
      case 'wait-new-session-ticket':
        return message.msgType === HandshakeType.new_session_ticket ? this.onNewSessionTicket(message, state.keyed, state.changeCipherSpecSeen) : this.unexpected(message);
      case 'start':
        return NOTHING;
      default:
        return this.onClosingMessage(message);
    }
  }

  private firstHello(): ClientHello {
    const { options, offered } = this;
    const cid = offerConnectionId(options.connectionId);
    const extensions = [
      ...clientHelloExtensions({
        suites: options.cipherSuites,
        groups: this.groups,
        authenticator: options.authenticator,
        certificate: options.certificate,
        serverName: options.serverName,
      }),
      ...clientExtensionOffer(options),
      ...(cid ? [cid] : []),
      ...(options.heartbeat ? [heartbeatExtension()] : []),
    ];
    // RFC 5077 §3.2: the ticket we hold, or an empty extension to ask for one.
    if (offered?.ticket || options.tickets !== false) {
      extensions.push({ type: ExtensionType.session_ticket, data: offered?.ticket ?? new Uint8Array(0) });
    }
    // RFC 5077 §3.4: with a ticket, a session ID of our own, which the server echoes when it resumes.
    const sessionId = offered ? (offered.sessionId.length > 0 ? offered.sessionId : options.provider.randomBytes(32)) : new Uint8Array(0);
    return {
      clientVersion: DTLS_1_2,
      random: this.random,
      sessionId,
      cookie: new Uint8Array(0),
      cipherSuites: options.cipherSuites.map((s) => s.id),
      compressionMethods: [0],
      extensions,
    };
  }

  private offer(hello: ClientHello): Offer {
    return { hello, message: this.message(HandshakeType.client_hello, encodeClientHello(hello)) };
  }

  private onHelloVerifyRequest(message: HandshakeMessage, previous: Offer, answered: number): HandshakeStep {
    // Each HelloVerifyRequest costs a ClientHello and a message_seq; a real server asks
    // once (twice across a secret rotation), a flood of spoofed ones must not run us out.
    const helloVerifyRequests = answered + 1;
    if (helloVerifyRequests > MAX_HELLO_VERIFY_REQUESTS || this.nextSendSeq > 0xffff) {
      return this.fail(AlertDescription.handshake_failure, `more than ${MAX_HELLO_VERIFY_REQUESTS} HelloVerifyRequests`);
    }
    const hvr = decodeHelloVerifyRequest(message.body);
    if (!hvr.ok) return this.fail(AlertDescription.decode_error, 'malformed HelloVerifyRequest');
    if (hvr.value.cookie.length === 0) return this.fail(AlertDescription.illegal_parameter, 'empty cookie in HelloVerifyRequest');
    // RFC 6347 §4.2.1: the second ClientHello repeats the first with the cookie added, so
    // everything but the cookie is built once.
    const offer = this.offer({ ...previous.hello, cookie: hvr.value.cookie });
    this.state = { name: 'wait-hello', offer, helloVerifyRequests };
    return { flight: helloFlight(offer, 3) };
  }

  private onServerHello(message: HandshakeMessage, offer: Offer): HandshakeStep {
    const decoded = decodeServerHello(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed ServerHello');
    const hello = decoded.value;
    const downgrade = this.offeredDtls13 ? downgradeProblem(hello) : undefined;
    if (downgrade) return this.fail(downgrade.alert, downgrade.reason);
    if (hello.serverVersion !== DTLS_1_2) return this.fail(AlertDescription.protocol_version, 'server did not choose DTLS 1.2');
    const suite = cipherSuiteById(hello.cipherSuite);
    if (!suite || !this.options.cipherSuites.includes(suite)) {
      return this.fail(AlertDescription.illegal_parameter, `server chose a cipher suite not offered (0x${hello.cipherSuite.toString(16)})`);
    }
    if (hello.compressionMethod !== 0) return this.fail(AlertDescription.illegal_parameter, 'server chose compression');
    const problem = checkServerHelloExtensions(offer.hello.extensions, hello.extensions);
    if (problem) return this.fail(problem.alert, problem.reason);
    const types = negotiatedCertificateTypes(hello.extensions);
    if (!types.ok) return this.fail(AlertDescription.illegal_parameter, types.reason);
    const answers = checkServerExtensionAnswers(this.options, hello.extensions);
    if (!answers.ok) return this.fail(answers.failure.alert, answers.failure.reason);
    const cids = clientConnectionIds(this.options.connectionId, hello.extensions);
    if (!cids.ok) return this.fail(cids.alert, cids.reason);
    const extendedMasterSecret = findExtension(hello.extensions, ExtensionType.extended_master_secret) !== undefined;
    const ticketExpected = findExtension(hello.extensions, ExtensionType.session_ticket) !== undefined;
    const { heartbeat, problem: heartbeatProblem } = peerHeartbeat(hello.extensions);
    if (heartbeatProblem) return this.fail(heartbeatProblem.alert, heartbeatProblem.reason);
    // The transcript starts with the ClientHello that carried the cookie (RFC 6347 §4.2.6).
    this.transcript.add(offer.message);
    this.transcript.add(message);
    // RFC 5246 §7.4.1.3: the server resumes by echoing the session ID we offered.
    if (this.offered && hello.sessionId.length > 0 && sameBytes(hello.sessionId, offer.hello.sessionId)) {
      return this.onResumed(this.offered, suite, hello.random, { extendedMasterSecret, ticketExpected, negotiated: answers.value, connectionIds: cids.value, heartbeat });
    }
    this.state = {
      name: 'wait-server-flight',
      agreement: {
        suite,
        serverRandom: hello.random,
        extendedMasterSecret,
        certificateTypes: types.value,
        negotiated: answers.value,
        connectionIds: cids.value,
        sessionId: hello.sessionId.slice(),
        ticketExpected,
        heartbeat,
      },
      flight: { hint: new Uint8Array(0), keyExchangeSeen: false, certificateRequested: false },
    };
    // RFC 6066 §4: a max_fragment_length binds our flight 5 already.
    return answers.value.recordLimit ? { recordLimit: answers.value.recordLimit } : NOTHING;
  }

  /** The abbreviated handshake (RFC 5246 §7.3): keys from the resumed master secret and the new randoms. */
  private onResumed(
    session: ResumableSession,
    suite: CipherSuite,
    serverRandom: Uint8Array,
    agreed: { extendedMasterSecret: boolean; ticketExpected: boolean; negotiated: NegotiatedExtensions; connectionIds?: NegotiatedConnectionIds; heartbeat?: NegotiatedHeartbeat },
  ): HandshakeStep {
    const { extendedMasterSecret, ticketExpected, negotiated, connectionIds, heartbeat } = agreed;
    // RFC 5246 §7.4.1.3: a resumed session keeps its cipher suite.
    if (suite.id !== session.cipherSuite) return this.fail(AlertDescription.illegal_parameter, 'server resumed the session with another cipher suite');
    // RFC 7627 §5.3: a session with the extended master secret resumed without it: abort.
    if (!extendedMasterSecret) return this.fail(AlertDescription.handshake_failure, 'server resumed the session without the extended master secret (RFC 7627 §5.3)');
    const keys = sessionKeysFromMaster({
      provider: this.options.provider,
      suite,
      role: 'client',
      masterSecret: session.masterSecret,
      clientRandom: this.random,
      serverRandom,
      connectionIds,
    });
    const keyed: ClientKeyed = { suite, keys, peer: session.peer, extendedMasterSecret, negotiated, connectionIds, heartbeat, resumed: true, session };
    this.state = ticketExpected ? { name: 'wait-new-session-ticket', keyed, changeCipherSpecSeen: false } : { name: 'wait-change-cipher-spec', keyed };
    // The hello extensions settle a resumed handshake as a full one (RFC 6066 §4: a record limit binds our flight 5).
    return { keys: { read: keys.read, write: keys.write, suite }, ...(negotiated.recordLimit ? { recordLimit: negotiated.recordLimit } : {}) };
  }

  /** RFC 5077 §3.3: the ticket to resume with next time (an empty one: none this time). */
  private onNewSessionTicket(message: HandshakeMessage, keyed: ClientKeyed, changeCipherSpecSeen: boolean): HandshakeStep {
    const decoded = decodeNewSessionTicket(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed NewSessionTicket');
    this.transcript.add(message);
    const { ticket, ticketLifetimeHint } = decoded.value;
    const session = ticket.length > 0 ? { ...keyed.session, ticket: ticket.slice(), ticketLifetimeHint } : keyed.session;
    const next = { ...keyed, session };
    this.state = changeCipherSpecSeen ? { name: 'wait-finished', keyed: next } : { name: 'wait-change-cipher-spec', keyed: next };
    return NOTHING;
  }

  /** A ChangeCipherSpec that overtook the NewSessionTicket is remembered; otherwise as every side takes it. */
  override onChangeCipherSpec(): HandshakeStep {
    if (this.state.name !== 'wait-new-session-ticket') return super.onChangeCipherSpec();
    this.state = { ...this.state, changeCipherSpecSeen: true };
    return NOTHING;
  }

  /** Flight 4 after ServerHello: [Certificate], [ServerKeyExchange], [CertificateRequest], ServerHelloDone, in that order. */
  private onServerFlightMessage(message: HandshakeMessage, agreement: Agreement, flight: ServerFlight): MaybePromise<HandshakeStep> {
    const { suite } = agreement;
    const signed = suite.keyExchange === 'ECDHE_ECDSA';
    switch (message.msgType) {
      case HandshakeType.certificate: {
        if (!signed || flight.serverKey) return this.unexpected(message);
        this.transcript.add(message);
        const check = verifyPeerCertificate(this.options.authenticator, agreement.certificateTypes.server, message.body, {
          signal: this.options.signal ?? NEVER_ABORTED,
        });
        return this.after(check, (err) => `certificate check failed: ${String(err)}`, (result) => {
          if (!result.ok) return this.fail(result.alert, `server certificate rejected: ${result.reason}`);
          flight.serverKey = { publicKey: result.publicKey, identity: result.identity };
          return NOTHING;
        });
      }
      case HandshakeType.server_key_exchange:
        if (flight.keyExchangeSeen || (signed && !flight.serverKey)) return this.unexpected(message);
        flight.keyExchangeSeen = true;
        this.transcript.add(message);
        return this.onServerKeyExchange(message, agreement, flight);
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
        return this.keyExchangeFlight(agreement, flight);
      }
      default:
        return this.unexpected(message);
    }
  }

  private onServerKeyExchange(message: HandshakeMessage, agreement: Agreement, flight: ServerFlight): HandshakeStep {
    const { suite } = agreement;
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
      return this.takeServerShare(flight, ske.value.namedGroup, ske.value.publicKey);
    }
    const ske = decodeServerKeyExchangeEcdhe(message.body);
    if (!ske.ok) return this.fail(AlertDescription.decode_error, 'malformed ServerKeyExchange');
    const { namedGroup, publicKey, signatureScheme, signature } = ske.value;
    if (signatureScheme !== SignatureScheme.ecdsa_secp256r1_sha256) {
      return this.fail(AlertDescription.illegal_parameter, `ServerKeyExchange signed with a scheme not offered (0x${signatureScheme.toString(16)})`);
    }
    const data = serverKeyExchangeSignedData(this.random, agreement.serverRandom, namedGroup, publicKey);
    // onServerFlightMessage let a signed ServerKeyExchange through only after the certificate.
    if (!flight.serverKey || !this.options.provider.ecdsaVerify(flight.serverKey.publicKey, data, signature)) {
      return this.fail(AlertDescription.decrypt_error, 'ServerKeyExchange signature does not verify');
    }
    return this.takeServerShare(flight, namedGroup, publicKey);
  }

  private takeServerShare(flight: ServerFlight, group: number, publicKey: Uint8Array): HandshakeStep {
    if (!this.groups.includes(group)) return this.fail(AlertDescription.illegal_parameter, 'server chose a group not offered');
    flight.serverKeyShare = { group, publicKey };
    return NOTHING;
  }

  /** Flight 5: [Certificate], ClientKeyExchange, [CertificateVerify], ChangeCipherSpec, Finished. */
  private keyExchangeFlight(agreement: Agreement, flight: ServerFlight): HandshakeStep {
    const { suite, extendedMasterSecret, negotiated, connectionIds, heartbeat } = agreement;
    const { provider } = this.options;
    const exchange = this.keyExchange(agreement, flight);
    if (!('body' in exchange)) return exchange;
    const certificate = this.options.certificate?.type === agreement.certificateTypes.client ? this.options.certificate : undefined;
    const messages: HandshakeMessage[] = [];
    if (flight.certificateRequested) {
      // RFC 5246 §7.4.6: with no suitable certificate the client sends an empty list.
      messages.push(this.message(HandshakeType.certificate, certificate?.certificateBody ?? new Uint8Array(3)));
    }
    messages.push(this.message(HandshakeType.client_key_exchange, exchange.body));
    messages.forEach((m) => this.transcript.add(m));

    const keys = deriveSessionKeys({
      provider,
      suite,
      role: 'client',
      preMasterSecret: exchange.preMasterSecret,
      clientRandom: this.random,
      serverRandom: agreement.serverRandom,
      // RFC 7627 §3: the session hash runs up to and including ClientKeyExchange.
      sessionHash: extendedMasterSecret ? this.transcript.hash(suite.prfHash) : undefined,
      connectionIds,
    });
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
    const peer: PeerIdentity = flight.serverKey?.identity ?? (exchange.psk ? { kind: 'psk', identity: exchange.psk.identity } : { kind: 'anonymous' });
    const keyed: ClientKeyed = { suite, keys, peer, extendedMasterSecret, negotiated, connectionIds, heartbeat, resumed: false, session: { sessionId: agreement.sessionId } };
    this.state = agreement.ticketExpected ? { name: 'wait-new-session-ticket', keyed, changeCipherSpecSeen: false } : { name: 'wait-change-cipher-spec', keyed };
    return { flight: { number: 5, final: false, entries }, keys: { read: keys.read, write: keys.write, suite } };
  }

  /** The ClientKeyExchange body and premaster secret of the agreed key exchange (RFC 4279 §2, RFC 5489 §2, RFC 8422 §5.7). */
  private keyExchange({ suite }: Agreement, flight: ServerFlight): KeyExchange | HandshakeStep {
    if (suite.keyExchange === 'ECDHE_ECDSA') {
      const ecdhe = this.ecdhe(flight);
      if (!ecdhe) return this.fail(AlertDescription.illegal_parameter, 'invalid server ECDHE public key');
      return { body: encodeClientKeyExchangeEcdhe({ publicKey: ecdhe.publicKey }), preMasterSecret: ecdhe.shared };
    }
    const psk = this.options.psk?.(flight.hint);
    if (!psk) return this.fail(AlertDescription.handshake_failure, 'no pre-shared key for this server');
    if (suite.keyExchange === 'PSK') {
      return { body: encodeClientKeyExchangePsk({ pskIdentity: psk.identity }), preMasterSecret: pskPremasterSecret(psk.key), psk };
    }
    const ecdhe = this.ecdhe(flight);
    if (!ecdhe) return this.fail(AlertDescription.illegal_parameter, 'invalid server ECDHE public key');
    return {
      body: encodeClientKeyExchangeEcdhePsk({ pskIdentity: psk.identity, publicKey: ecdhe.publicKey }),
      preMasterSecret: ecdhePskPremasterSecret(ecdhe.shared, psk.key),
      psk,
    };
  }

  /** Our ECDHE share against the server's, or undefined when the server sent none or an invalid key. */
  private ecdhe({ serverKeyShare: server }: ServerFlight): { publicKey: Uint8Array; shared: Uint8Array } | undefined {
    if (!server) return undefined;
    const { provider } = this.options;
    const share = provider.generateKeyShare(server.group);
    const shared = provider.computeSharedSecret(server.group, share.privateKey, server.publicKey);
    return shared ? { publicKey: share.publicKey, shared } : undefined;
  }

  protected onFinished(message: HandshakeMessage, keyed: ClientKeyed): HandshakeStep {
    const { suite, keys, peer, extendedMasterSecret, resumed, negotiated, connectionIds, heartbeat } = keyed;
    const decoded = decodeFinished(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed Finished');
    const expected = computeVerifyData(suite.prfHash, keys.master, 'server finished', this.transcript.hash(suite.prfHash));
    if (!timingSafeEqual(decoded.value.verifyData, expected)) {
      return this.fail(AlertDescription.decrypt_error, 'server Finished does not verify');
    }
    // RFC 5246 §7.3: resuming, our Finished answers the server's and ends the handshake.
    let flight: Flight | undefined;
    if (resumed) {
      this.transcript.add(message);
      const verifyData = computeVerifyData(suite.prfHash, keys.master, 'client finished', this.transcript.hash(suite.prfHash));
      const finished = this.message(HandshakeType.finished, encodeFinished({ verifyData }));
      flight = {
        number: 5,
        final: true,
        entries: [
          { kind: 'change_cipher_spec', epoch: 0 },
          { kind: 'handshake', epoch: 1, message: finished },
        ],
      };
    }
    // Both Finished messages are done: nothing more is derived from the master secret.
    keys.master.destroy();
    this.state = { name: 'established' };
    const established: HandshakeSummary = {
      cipherSuite: suite,
      peer,
      extendedMasterSecret,
      resumed,
      resumable: this.resumable(keyed),
      heartbeat,
      clientRandom: this.random,
      masterSecret: keys.masterSecret,
      negotiated,
      connectionIds,
    };
    return flight ? { flight, established } : { established };
  }

  /** The session to resume later: only one with the extended master secret and an ID or a ticket to name it by. */
  private resumable({ suite, keys, peer, extendedMasterSecret, session }: ClientKeyed): ResumableSession | undefined {
    if (!extendedMasterSecret || (session.sessionId.length === 0 && !session.ticket)) return undefined;
    return {
      masterSecret: keys.masterSecret.slice(),
      cipherSuite: suite.id,
      extendedMasterSecret,
      peer,
      createdAt: session.createdAt ?? (this.options.now ?? Date.now)(),
      sessionId: session.sessionId,
      ...(session.ticket ? { ticket: session.ticket, ticketLifetimeHint: session.ticketLifetimeHint ?? 0 } : {}),
    };
  }
}

/** Session IDs are public: a plain comparison. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function helloFlight(offer: Offer, number: number): Flight {
  return { number, final: false, entries: [{ kind: 'handshake', epoch: 0, message: offer.message }] };
}
