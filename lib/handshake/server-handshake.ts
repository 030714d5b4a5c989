import type { CipherSuite } from '../crypto/cipher-suites.js';
import { timingSafeEqual } from '../crypto/constant-time.js';
import { computeVerifyData } from '../crypto/key-schedule.js';
import type { KeyShare } from '../crypto/ecdhe.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { ecdhePskPremasterSecret, pskPremasterSecret } from '../crypto/psk.js';
import { AlertDescription } from '../wire/alert.js';
import type { ClientHello } from '../wire/client-hello.js';
import { ClientCertificateType, encodeCertificateRequest } from '../wire/certificate-request.js';
import { decodeCertificateVerify } from '../wire/certificate-verify.js';
import {
  decodeClientKeyExchangeEcdhe,
  decodeClientKeyExchangeEcdhePsk,
  decodeClientKeyExchangePsk,
} from '../wire/client-key-exchange.js';
import { DTLS_1_2, HandshakeType } from '../wire/constants.js';
import {
  ExtensionType,
  NamedGroup,
  SignatureScheme,
  decodeSignatureAlgorithmsExtension,
  decodeSupportedGroupsExtension,
  findExtension,
} from '../wire/extensions.js';
import { decodeFinished, encodeFinished } from '../wire/finished.js';
import { encodeServerHello } from '../wire/server-hello.js';
import { encodeServerHelloDone } from '../wire/server-hello-done.js';
import {
  encodeServerKeyExchangeEcdhe,
  encodeServerKeyExchangeEcdhePsk,
  encodeServerKeyExchangePsk,
} from '../wire/server-key-exchange.js';
import { clientCertificateTypeToAsk, isEmptyCertificate, serverCertificateFor, verifyPeerCertificate } from './certificate-types.js';
import type { HandshakeMessage } from './handshake-message.js';
import { NOTHING, type HandshakeStep, type MaybePromise, type PeerIdentity } from './handshake-step.js';
import type { FlightEntry } from './flight.js';
import { FlightMachine, type ClosingState } from './flight-machine.js';
import { heartbeatExtension, peerHeartbeat, type NegotiatedHeartbeat } from './heartbeat-negotiation.js';
import { checkClientHelloExtensions, serverHelloExtensions } from './hello-extensions.js';
import { answerClientExtensions, type NegotiatedExtensions, type ServerExtensionOptions } from './negotiated-extensions.js';
import { serverConnectionIds, type ConnectionIdPolicy, type NegotiatedConnectionIds } from './connection-id-negotiation.js';
import { NEVER_ABORTED, type LookupContext } from './lookup-context.js';
import type { LocalCertificate, PeerAuthenticator } from './peer-authentication.js';
import type { ServerPskLookup } from './psk-credentials.js';
import { serverKeyExchangeSignedData } from './signed-params.js';
import { deriveSessionKeys, sessionKeysFromMaster, type SessionKeys } from './session-keys.js';
import type { ResumableSession } from './resumable-session.js';
import { chooseResumption } from './resumption-choice.js';
import type { ServerResumption } from './server-resumption.js';
import { encodeNewSessionTicket } from '../wire/new-session-ticket.js';
import type { Extension } from '../wire/extension-type.js';
import { Transcript } from './transcript.js';
import { withDowngradeSentinel } from './version-negotiation.js';

/** The credentials a server may serve a host name with (server_name, RFC 6066 §3). */
export type ServerCredentials = Pick<ServerHandshakeOptions, 'cipherSuites' | 'pskLookup' | 'pskIdentityHint' | 'certificates' | 'clientAuthenticator'>;

/** What a {@link ServerHandshake} negotiates with and answers from. */
export interface ServerHandshakeOptions extends ServerExtensionOptions<ServerCredentials> {
  /** The cryptographic primitives: randomness, hashes, ECDHE, ECDSA, AEADs. */
  readonly provider: CryptoProvider;
  /** Accepted in this order of preference (the server's preference wins). */
  readonly cipherSuites: readonly CipherSuite[];
  /** The key for a client's PSK identity; without it, PSK and ECDHE_PSK suites are not chosen. */
  readonly pskLookup?: ServerPskLookup;
  /** RFC 4279 §2 identity hint; a ServerKeyExchange is sent for PSK only when there is one. */
  readonly pskIdentityHint?: Uint8Array;
  /** Groups for ECDHE, in order of preference (NamedGroup code points); the first the client also supports is used. */
  readonly groups: readonly number[];
  /** Our certificates for ECDHE_ECDSA, at most one per certificate type (X.509, raw public key). */
  readonly certificates?: readonly LocalCertificate[];
  /** Whether a CertificateRequest is sent, and whether an empty answer fails the handshake. */
  readonly clientAuth?: 'none' | 'optional' | 'required';
  /** How client certificates are judged. */
  readonly clientAuthenticator?: PeerAuthenticator;
  /** Passed to async lookups (PSK, client key trust); aborted when this handshake ends. */
  readonly signal?: AbortSignal;
  /** RFC 9146: the CID this handshake issues when the client offers the extension. */
  readonly connectionId?: ConnectionIdPolicy;
  /** The server's session cache and ticket keys; without it no session is resumable. */
  readonly resumption?: ServerResumption;
  /** The server accepts DTLS 1.3 too: a 1.2 ServerHello.random ends with the downgrade sentinel (RFC 8446 §4.1.3). */
  readonly downgradeSentinel?: boolean;
}

/** Our ECDHE key share and its group. */
interface Ecdhe {
  readonly group: number;
  readonly keyShare: KeyShare;
}

/** The key exchange of the suite we chose, with what it takes: the PSK lookup, our ECDHE share. */
type Exchange =
  | { readonly kind: 'PSK'; readonly lookup: ServerPskLookup }
  | { readonly kind: 'ECDHE_PSK'; readonly lookup: ServerPskLookup; readonly ecdhe: Ecdhe }
  | { readonly kind: 'ECDHE_ECDSA'; readonly ecdhe: Ecdhe };

/** A suite we can serve to this client, and what serving it takes. */
type Choice =
  | { readonly suite: CipherSuite; readonly kind: 'PSK'; readonly lookup: ServerPskLookup }
  | { readonly suite: CipherSuite; readonly kind: 'ECDHE_PSK'; readonly lookup: ServerPskLookup; readonly group: number }
  | { readonly suite: CipherSuite; readonly kind: 'ECDHE_ECDSA'; readonly group: number; readonly certificate: LocalCertificate };

/**
 * What becomes of the session: resumed by an abbreviated handshake, or new, with the ID
 * our ServerHello gave it (empty: not cached) and whether a ticket is issued (RFC 5077).
 */
type SessionPlan = { readonly kind: 'resumed'; readonly sessionId: Uint8Array } | { readonly kind: 'new'; readonly sessionId: Uint8Array; readonly ticket: boolean };

/** What our flight 4 settled. */
interface Agreement {
  readonly suite: CipherSuite;
  readonly extendedMasterSecret: boolean;
  readonly exchange: Exchange;
  readonly connectionIds?: NegotiatedConnectionIds;
  readonly session: SessionPlan;
  readonly heartbeat?: NegotiatedHeartbeat;
}

/** A client certificate that verified: the key its CertificateVerify must be signed with, and who it names. */
interface ClientCertificate {
  readonly publicKey: Uint8Array;
  readonly identity: PeerIdentity;
}

/** What the server knows once its keys exist. */
interface ServerKeyed {
  readonly suite: CipherSuite;
  readonly keys: SessionKeys;
  readonly peer: PeerIdentity;
  readonly extendedMasterSecret: boolean;
  readonly connectionIds?: NegotiatedConnectionIds;
  readonly session: SessionPlan;
  readonly heartbeat?: NegotiatedHeartbeat;
}

type State =
  | { readonly name: 'new' }
  | { readonly name: 'wait-client-certificate'; readonly agreement: Agreement; readonly clientCertificateType: number }
  /** `client` is absent when the client answered the CertificateRequest with an empty list. */
  | { readonly name: 'wait-client-key-exchange'; readonly agreement: Agreement; readonly client?: ClientCertificate }
  | { readonly name: 'wait-certificate-verify'; readonly keyed: ServerKeyed; readonly client: ClientCertificate };

/**
 * The server's side of a full DTLS 1.2 handshake, from a ClientHello whose cookie
 * the endpoint already verified: flight 4 (ServerHello, [ServerKeyExchange],
 * ServerHelloDone), then the client's flight 5, then flight 6 ([NewSessionTicket],
 * ChangeCipherSpec, Finished), which is final (RFC 6347 §4.2.4). A session it can
 * resume takes the abbreviated handshake (RFC 5246 §7.3) instead: flight 4 is
 * ServerHello, [NewSessionTicket], ChangeCipherSpec, Finished, retransmitted until the
 * client's ChangeCipherSpec and Finished (flight 5, the final one) arrive.
 */
export class ServerHandshake extends FlightMachine<State, ServerKeyed> {
  protected state: State | ClosingState<ServerKeyed> = { name: 'new' };
  private readonly random: Uint8Array;
  private readonly transcript = new Transcript();
  private negotiated: NegotiatedExtensions = {};

  constructor(
    /** Replaced by the credentials of the host name the client asks for, if it is one we serve. */
    private options: ServerHandshakeOptions,
    private readonly clientHelloMessage: HandshakeMessage,
    private readonly clientHello: ClientHello,
  ) {
    // A stateless cookie exchange consumed message_seq 0 on both sides: the server
    // answers with the ClientHello's message_seq (RFC 6347 §4.2.2).
    super(clientHelloMessage.messageSeq);
    const random = options.provider.randomBytes(32);
    this.random = options.downgradeSentinel ? withDowngradeSentinel(random) : random;
  }

  private get lookupContext(): LookupContext {
    return { signal: this.options.signal ?? NEVER_ABORTED };
  }

  /** The message_seq the client's next message will carry. */
  get nextReceiveSeq(): number {
    return this.clientHelloMessage.messageSeq + 1;
  }

  /** Flight 4: ServerHello, [Certificate], [ServerKeyExchange], [CertificateRequest], ServerHelloDone. */
  start(): HandshakeStep {
    if (this.state.name !== 'new') return NOTHING;
    const hello = this.clientHello;
    // DTLS versions count down (1.0 is 0xfeff, 1.2 is 0xfefd): a larger number is an older version only.
    if (hello.clientVersion > DTLS_1_2) return this.fail(AlertDescription.protocol_version, 'client does not offer DTLS 1.2');
    if (!hello.compressionMethods.includes(0)) return this.fail(AlertDescription.illegal_parameter, 'client offers no null compression');
    const extensionProblem = checkClientHelloExtensions(hello.extensions);
    if (extensionProblem) return this.fail(extensionProblem.alert, extensionProblem.reason);
    const answers = answerClientExtensions(hello.extensions, this.options);
    if (!answers.ok) return this.fail(answers.failure.alert, answers.failure.reason);
    if (answers.value.credentials) this.options = { ...this.options, ...answers.value.credentials };
    this.negotiated = answers.value.negotiated;
    const { heartbeat, problem: heartbeatProblem } = peerHeartbeat(hello.extensions);
    if (heartbeatProblem) return this.fail(heartbeatProblem.alert, heartbeatProblem.reason);
    // RFC 6520 §2: answered only to a client that sent it; we answer its requests.
    const heartbeatAnswer = heartbeat ? [heartbeatExtension()] : [];
    const cids = serverConnectionIds(this.options.connectionId, hello.extensions);
    if (!cids.ok) return this.fail(cids.alert, cids.reason);
    const resumption = chooseResumption(hello, this.options.resumption, this.options.cipherSuites);
    if (resumption.kind === 'abort') return this.fail(AlertDescription.handshake_failure, resumption.reason);
    if (resumption.kind === 'resume') return this.resume(resumption.session, resumption.suite, resumption.byTicket, [...answers.value.extensions, ...(cids.value ? [cids.value.extension] : []), ...heartbeatAnswer], cids.value?.ids, heartbeat);
    const choice = this.chooseSuite(this.clientGroups());
    if (!choice) return this.fail(AlertDescription.handshake_failure, 'no cipher suite in common');
    const { suite } = choice;
    const extendedMasterSecret = findExtension(hello.extensions, ExtensionType.extended_master_secret) !== undefined;
    this.transcript.add(this.clientHelloMessage);
    const clientCertificateType = choice.kind === 'ECDHE_ECDSA' ? this.chooseClientCertificateType() : undefined;
    if (choice.kind === 'ECDHE_ECDSA' && clientCertificateType === undefined && this.options.clientAuth === 'required') {
      return this.fail(AlertDescription.unsupported_certificate, 'no client certificate type in common');
    }

    const session = this.newSessionPlan(extendedMasterSecret);
    const serverHello = this.serverHello(session.sessionId, suite, session.ticket, [...answers.value.extensions, ...(cids.value ? [cids.value.extension] : []), ...heartbeatAnswer], {
      serverCertificateType: choice.kind === 'ECDHE_ECDSA' ? choice.certificate.type : undefined,
      clientCertificateType,
    });
    const { messages, exchange } = this.keyExchangeMessages(choice, clientCertificateType !== undefined);
    messages.unshift(serverHello);
    messages.push(this.message(HandshakeType.server_hello_done, encodeServerHelloDone()));
    messages.forEach((m) => this.transcript.add(m));
    const agreement: Agreement = { suite, extendedMasterSecret, exchange, session, connectionIds: cids.value?.ids, heartbeat };
    this.state =
      clientCertificateType !== undefined
        ? { name: 'wait-client-certificate', agreement, clientCertificateType }
        : { name: 'wait-client-key-exchange', agreement };
    const entries: FlightEntry[] = messages.map((message) => ({ kind: 'handshake', epoch: 0, message }));
    // RFC 6066 §4: a max_fragment_length binds flight 4 already.
    return { flight: { number: 4, final: false, entries }, recordLimit: this.negotiated.recordLimit };
  }

  /**
   * The abbreviated handshake's flight 4 (RFC 5246 §7.3): ServerHello echoing the client's
   * session ID (RFC 5077 §3.4 for a ticket too), a renewed ticket when one was used,
   * ChangeCipherSpec and Finished, keyed from the resumed master secret and the new randoms.
   */
  private resume(resumed: ResumableSession, suite: CipherSuite, byTicket: boolean, answers: readonly Extension[], connectionIds: NegotiatedConnectionIds | undefined, heartbeat: NegotiatedHeartbeat | undefined): HandshakeStep {
    const hello = this.clientHello;
    this.transcript.add(this.clientHelloMessage);
    const { resumption } = this.options;
    const renewTicket = byTicket && resumption?.tickets === true;
    const messages = [this.serverHello(hello.sessionId, suite, renewTicket, answers, {})];
    if (renewTicket) messages.push(this.newSessionTicket(resumption, resumed));
    messages.forEach((m) => this.transcript.add(m));
    const keys = sessionKeysFromMaster({
      provider: this.options.provider,
      suite,
      role: 'server',
      masterSecret: resumed.masterSecret,
      clientRandom: hello.random,
      serverRandom: this.random,
      connectionIds,
    });
    const finished = this.finished(suite, keys, 'server finished');
    const keyed: ServerKeyed = { suite, keys, peer: resumed.peer, extendedMasterSecret: true, session: { kind: 'resumed', sessionId: resumed.sessionId }, connectionIds, heartbeat };
    this.state = { name: 'wait-change-cipher-spec', keyed };
    const entries: FlightEntry[] = [
      ...messages.map((message) => ({ kind: 'handshake' as const, epoch: 0, message })),
      { kind: 'change_cipher_spec', epoch: 0 },
      { kind: 'handshake', epoch: 1, message: finished },
    ];
    // RFC 6066 §4: a max_fragment_length binds flight 4 already, as in a full handshake.
    return { flight: { number: 4, final: false, entries }, ...keysInstalled(keyed), recordLimit: this.negotiated.recordLimit };
  }

  /**
   * A full handshake's session: cached under a new ID, or given to the client as a ticket
   * when it asked for one (RFC 5077 §3.2: then the ID stays empty); only with the extended
   * master secret, as only such a session may be resumed (RFC 7627 §5.3).
   */
  private newSessionPlan(extendedMasterSecret: boolean): SessionPlan & { readonly kind: 'new' } {
    const resumption = this.options.resumption;
    const none = { kind: 'new', sessionId: new Uint8Array(0), ticket: false } as const;
    if (!resumption || !extendedMasterSecret) return none;
    if (resumption.tickets && findExtension(this.clientHello.extensions, ExtensionType.session_ticket)) return { ...none, ticket: true };
    return { ...none, sessionId: resumption.newSessionId() };
  }

  private serverHello(
    sessionId: Uint8Array,
    suite: CipherSuite,
    ticket: boolean,
    answers: readonly Extension[],
    certificateTypes: { readonly serverCertificateType?: number; readonly clientCertificateType?: number },
  ): HandshakeMessage {
    const hello = this.clientHello;
    const extensions = [
      ...serverHelloExtensions({ clientExtensions: hello.extensions, clientSuites: hello.cipherSuites, suite, ...certificateTypes }),
      ...answers,
    ];
    // RFC 5077 §3.2: an empty SessionTicket extension announces a NewSessionTicket.
    if (ticket) extensions.push({ type: ExtensionType.session_ticket, data: new Uint8Array(0) });
    return this.message(
      HandshakeType.server_hello,
      encodeServerHello({ serverVersion: DTLS_1_2, random: this.random, sessionId, cipherSuite: suite.id, compressionMethod: 0, extensions }),
    );
  }

  /** RFC 5077 §3.3: the session sealed under our current ticket key. */
  private newSessionTicket(resumption: ServerResumption, session: ResumableSession): HandshakeMessage {
    const body = encodeNewSessionTicket({ ticketLifetimeHint: resumption.ticketLifetimeHint, ticket: resumption.sealTicket(session) });
    return this.message(HandshakeType.new_session_ticket, body);
  }

  private finished(suite: CipherSuite, keys: SessionKeys, label: 'server finished'): HandshakeMessage {
    const verifyData = computeVerifyData(suite.prfHash, keys.master, label, this.transcript.hash(suite.prfHash));
    const finished = this.message(HandshakeType.finished, encodeFinished({ verifyData }));
    this.transcript.add(finished);
    return finished;
  }

  /**
   * Takes the client's next handshake message, already reassembled and in message_seq
   * order; the step is a promise while an async lookup (PSK, client key trust) is pending.
   */
  onMessage(message: HandshakeMessage): MaybePromise<HandshakeStep> {
    const { state } = this;
    const expect = (type: number, handle: (m: HandshakeMessage) => MaybePromise<HandshakeStep>) =>
      message.msgType === type ? handle(message) : this.unexpected(message);
    switch (state.name) {
      case 'wait-client-certificate':
        return expect(HandshakeType.certificate, (m) => this.onClientCertificate(m, state.agreement, state.clientCertificateType));
      case 'wait-client-key-exchange':
        return expect(HandshakeType.client_key_exchange, (m) => this.onClientKeyExchange(m, state.agreement, state.client));
      case 'wait-certificate-verify':
        return expect(HandshakeType.certificate_verify, (m) => this.onCertificateVerify(m, state.keyed, state.client));
      case 'new':
        return NOTHING;
      default:
        return this.onClosingMessage(message);
    }
  }

  /**
   * The messages of flight 4 between ServerHello and ServerHelloDone for the chosen key
   * exchange: [ServerKeyExchange] for PSK (RFC 4279 §2: only with a hint), ServerKeyExchange
   * for ECDHE_PSK (RFC 5489 §2), Certificate, signed ServerKeyExchange and [CertificateRequest]
   * for ECDHE_ECDSA (RFC 8422 §2).
   */
  private keyExchangeMessages(choice: Choice, requestClientCertificate: boolean): { messages: HandshakeMessage[]; exchange: Exchange } {
    const hint = this.options.pskIdentityHint ?? new Uint8Array(0);
    if (choice.kind === 'PSK') {
      const messages = hint.length > 0 ? [this.message(HandshakeType.server_key_exchange, encodeServerKeyExchangePsk({ pskIdentityHint: hint }))] : [];
      return { messages, exchange: { kind: 'PSK', lookup: choice.lookup } };
    }
    const { group } = choice;
    const ecdhe: Ecdhe = { group, keyShare: this.options.provider.generateKeyShare(group) };
    const { publicKey } = ecdhe.keyShare;
    if (choice.kind === 'ECDHE_PSK') {
      const ske = encodeServerKeyExchangeEcdhePsk({ pskIdentityHint: hint, namedGroup: group, publicKey });
      return { messages: [this.message(HandshakeType.server_key_exchange, ske)], exchange: { kind: 'ECDHE_PSK', lookup: choice.lookup, ecdhe } };
    }
    const { certificate } = choice;
    const signed = serverKeyExchangeSignedData(this.clientHello.random, this.random, group, publicKey);
    const signature = this.options.provider.ecdsaSign(certificate.privateKey, signed);
    const ske = encodeServerKeyExchangeEcdhe({ namedGroup: group, publicKey, signatureScheme: SignatureScheme.ecdsa_secp256r1_sha256, signature });
    const messages = [this.message(HandshakeType.certificate, certificate.certificateBody), this.message(HandshakeType.server_key_exchange, ske)];
    if (requestClientCertificate) {
      const request = encodeCertificateRequest({
        certificateTypes: [ClientCertificateType.ecdsa_sign],
        signatureSchemes: [SignatureScheme.ecdsa_secp256r1_sha256],
        certificateAuthorities: [],
      });
      messages.push(this.message(HandshakeType.certificate_request, request));
    }
    return { messages, exchange: { kind: 'ECDHE_ECDSA', ecdhe } };
  }

  /** The client's groups; RFC 8422 §4: without the extension, assume secp256r1. */
  private clientGroups(): number[] {
    const extension = findExtension(this.clientHello.extensions, ExtensionType.supported_groups);
    if (!extension) return [NamedGroup.secp256r1];
    const decoded = decodeSupportedGroupsExtension(extension.data);
    return decoded.ok ? decoded.value : [];
  }

  /** The first of our suites, in our order of preference, that the client offers and we can serve. */
  private chooseSuite(clientGroups: readonly number[]): Choice | undefined {
    for (const suite of this.options.cipherSuites) {
      if (!this.clientHello.cipherSuites.includes(suite.id)) continue;
      const choice = this.canServe(suite, clientGroups);
      if (choice) return choice;
    }
    return undefined;
  }

  private canServe(suite: CipherSuite, clientGroups: readonly number[]): Choice | undefined {
    const { pskLookup: lookup } = this.options;
    const group = this.options.groups.find((g) => clientGroups.includes(g));
    switch (suite.keyExchange) {
      case 'PSK':
        return lookup ? { suite, kind: 'PSK', lookup } : undefined;
      case 'ECDHE_PSK':
        return lookup && group !== undefined ? { suite, kind: 'ECDHE_PSK', lookup, group } : undefined;
      case 'ECDHE_ECDSA': {
        // RFC 8422 §5.1: the client's curves also bound the certificate key, and ours are P-256.
        if (group === undefined || !clientGroups.includes(NamedGroup.secp256r1) || !this.clientAcceptsEcdsa()) return undefined;
        const certificate = this.chooseCertificate();
        return certificate ? { suite, kind: 'ECDHE_ECDSA', group, certificate } : undefined;
      }
    }
  }

  /** RFC 5246 §7.4.1.4.1: the client must list ecdsa_secp256r1_sha256 when it sends signature_algorithms. */
  private clientAcceptsEcdsa(): boolean {
    const extension = findExtension(this.clientHello.extensions, ExtensionType.signature_algorithms);
    if (!extension) return true;
    const decoded = decodeSignatureAlgorithmsExtension(extension.data);
    return decoded.ok && decoded.value.includes(SignatureScheme.ecdsa_secp256r1_sha256);
  }

  /** Our certificate of a type the client accepts (RFC 7250 §4.2: in the client's order). */
  private chooseCertificate(): LocalCertificate | undefined {
    return serverCertificateFor(this.clientHello.extensions, this.options.certificates ?? []);
  }

  /** The client certificate type to ask for; undefined when client authentication is off or impossible. */
  private chooseClientCertificateType(): number | undefined {
    return clientCertificateTypeToAsk(this.options.clientAuth, this.options.clientAuthenticator, this.clientHello.extensions);
  }

  private onClientCertificate(message: HandshakeMessage, agreement: Agreement, certificateType: number): MaybePromise<HandshakeStep> {
    this.transcript.add(message);
    if (isEmptyCertificate(message.body)) {
      // RFC 5246 §7.4.6: a server that requires client authentication answers an empty list with handshake_failure.
      if (this.options.clientAuth === 'required') return this.fail(AlertDescription.handshake_failure, 'the client sent no certificate');
      this.state = { name: 'wait-client-key-exchange', agreement };
      return NOTHING;
    }
    const check = verifyPeerCertificate(this.options.clientAuthenticator, certificateType, message.body, this.lookupContext);
    return this.after(check, (err) => `certificate check failed: ${String(err)}`, (result) => {
      if (!result.ok) return this.fail(result.alert, `client certificate rejected: ${result.reason}`);
      this.state = { name: 'wait-client-key-exchange', agreement, client: { publicKey: result.publicKey, identity: result.identity } };
      return NOTHING;
    });
  }

  private onClientKeyExchange(message: HandshakeMessage, agreement: Agreement, client: ClientCertificate | undefined): MaybePromise<HandshakeStep> {
    const { exchange } = agreement;
    this.transcript.add(message);
    if (exchange.kind === 'ECDHE_ECDSA') {
      const cke = decodeClientKeyExchangeEcdhe(message.body);
      if (!cke.ok) return this.fail(AlertDescription.decode_error, 'malformed ClientKeyExchange');
      const shared = this.sharedSecret(exchange.ecdhe, cke.value.publicKey);
      if (!shared) return this.fail(AlertDescription.illegal_parameter, 'invalid client ECDHE public key');
      const keyed = this.deriveKeys(agreement, shared, client?.identity ?? { kind: 'anonymous' });
      this.state = client ? { name: 'wait-certificate-verify', keyed, client } : { name: 'wait-change-cipher-spec', keyed };
      return keysInstalled(keyed);
    }
    const offered = this.pskClientKeyExchange(message.body, exchange);
    if (!('identity' in offered)) return offered;
    const { identity, ecdheShared } = offered;
    return this.after(exchange.lookup(identity, this.lookupContext), () => 'PSK lookup failed', (key) => {
      // RFC 4279 §2: an unknown identity may be answered with unknown_psk_identity.
      if (!key) return this.fail(AlertDescription.unknown_psk_identity, 'unknown PSK identity');
      const preMasterSecret = ecdheShared ? ecdhePskPremasterSecret(ecdheShared, key) : pskPremasterSecret(key);
      const keyed = this.deriveKeys(agreement, preMasterSecret, { kind: 'psk', identity });
      this.state = { name: 'wait-change-cipher-spec', keyed };
      return keysInstalled(keyed);
    });
  }

  /** The PSK identity of a PSK or ECDHE_PSK ClientKeyExchange, and the ECDHE secret of the latter. */
  private pskClientKeyExchange(body: Uint8Array, exchange: Exchange & { readonly lookup: ServerPskLookup }): { identity: Uint8Array; ecdheShared?: Uint8Array } | HandshakeStep {
    if (exchange.kind === 'PSK') {
      const cke = decodeClientKeyExchangePsk(body);
      return cke.ok ? { identity: cke.value.pskIdentity } : this.fail(AlertDescription.decode_error, 'malformed ClientKeyExchange');
    }
    const cke = decodeClientKeyExchangeEcdhePsk(body);
    if (!cke.ok) return this.fail(AlertDescription.decode_error, 'malformed ClientKeyExchange');
    const ecdheShared = this.sharedSecret(exchange.ecdhe, cke.value.publicKey);
    if (!ecdheShared) return this.fail(AlertDescription.illegal_parameter, 'invalid client ECDHE public key');
    return { identity: cke.value.pskIdentity, ecdheShared };
  }

  private sharedSecret({ group, keyShare }: Ecdhe, clientPublicKey: Uint8Array): Uint8Array | undefined {
    return this.options.provider.computeSharedSecret(group, keyShare.privateKey, clientPublicKey) ?? undefined;
  }

  private deriveKeys({ suite, extendedMasterSecret, session, connectionIds, heartbeat }: Agreement, preMasterSecret: Uint8Array, peer: PeerIdentity): ServerKeyed {
    const keys = deriveSessionKeys({
      provider: this.options.provider,
      suite,
      role: 'server',
      preMasterSecret,
      clientRandom: this.clientHello.random,
      serverRandom: this.random,
      // RFC 7627 §3: the session hash runs up to and including ClientKeyExchange.
      sessionHash: extendedMasterSecret ? this.transcript.hash(suite.prfHash) : undefined,
      connectionIds,
    });
    return { suite, keys, peer, extendedMasterSecret, session, connectionIds, heartbeat };
  }

  /** RFC 5246 §7.4.8: the client proves it holds the key of its certificate by signing the transcript so far. */
  private onCertificateVerify(message: HandshakeMessage, keyed: ServerKeyed, client: ClientCertificate): HandshakeStep {
    const decoded = decodeCertificateVerify(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed CertificateVerify');
    if (decoded.value.signatureScheme !== SignatureScheme.ecdsa_secp256r1_sha256) {
      return this.fail(AlertDescription.illegal_parameter, 'CertificateVerify with a scheme not offered');
    }
    if (!this.options.provider.ecdsaVerify(client.publicKey, this.transcript.bytes(), decoded.value.signature)) {
      return this.fail(AlertDescription.decrypt_error, 'CertificateVerify signature does not verify');
    }
    this.transcript.add(message);
    this.state = { name: 'wait-change-cipher-spec', keyed };
    return NOTHING;
  }

  protected onFinished(message: HandshakeMessage, { suite, keys, peer, extendedMasterSecret, session, connectionIds, heartbeat }: ServerKeyed): HandshakeStep {
    const decoded = decodeFinished(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed Finished');
    const expected = computeVerifyData(suite.prfHash, keys.master, 'client finished', this.transcript.hash(suite.prfHash));
    if (!timingSafeEqual(decoded.value.verifyData, expected)) {
      return this.fail(AlertDescription.decrypt_error, 'client Finished does not verify (wrong pre-shared key?)');
    }
    this.transcript.add(message);
    const established = {
      cipherSuite: suite,
      peer,
      extendedMasterSecret,
      resumed: session.kind === 'resumed',
      sessionId: session.sessionId,
      heartbeat,
      clientRandom: this.clientHello.random,
      masterSecret: keys.masterSecret,
      negotiated: this.negotiated,
      connectionIds,
    };
    if (session.kind === 'resumed') {
      // RFC 5246 §7.3: the client's Finished ends an abbreviated handshake; our flight was the first.
      keys.master.destroy();
      this.state = { name: 'established' };
      return { established };
    }
    const messages: HandshakeMessage[] = [];
    const { resumption } = this.options;
    if (resumption && (session.sessionId.length > 0 || session.ticket)) {
      const resumable = resumption.remember({
        masterSecret: keys.masterSecret.slice(),
        cipherSuite: suite.id,
        extendedMasterSecret,
        peer,
        sessionId: session.sessionId,
      });
      // RFC 5077 §3.3: NewSessionTicket goes before our ChangeCipherSpec, into the transcript.
      if (session.ticket) messages.push(this.newSessionTicket(resumption, resumable));
    }
    messages.forEach((m) => this.transcript.add(m));
    const finished = this.finished(suite, keys, 'server finished');
    // Both Finished messages are done: nothing more is derived from the master secret.
    keys.master.destroy();
    this.state = { name: 'established' };
    const entries: FlightEntry[] = [
      ...messages.map((m) => ({ kind: 'handshake' as const, epoch: 0, message: m })),
      { kind: 'change_cipher_spec', epoch: 0 },
      { kind: 'handshake', epoch: 1, message: finished },
    ];
    return { flight: { number: 6, final: true, entries }, established };
  }
}

/** The step that installs the epoch 1 keys just derived. */
function keysInstalled({ suite, keys }: ServerKeyed): HandshakeStep {
  return { keys: { read: keys.read, write: keys.write, suite } };
}
