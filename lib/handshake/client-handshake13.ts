import { timingSafeEqual } from '../crypto/constant-time.js';
import type { KeyShare } from '../crypto/ecdhe.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { KeySchedule13, finishedVerifyData } from '../crypto/tls13-key-schedule.js';
import type { HashAlgorithm } from '../crypto/hash.js';
import type { Tls13CipherSuite } from '../crypto/tls13-cipher-suites.js';
import { AlertDescription } from '../wire/alert.js';
import { decodeCertificateRequest13 } from '../wire/certificate-request13.js';
import { encodeClientHello, type ClientHello } from '../wire/client-hello.js';
import { DTLS_1_2, DTLS_1_3, HandshakeType } from '../wire/constants.js';
import { decodeCookieExtension, encodeCookieExtension } from '../wire/cookie-extension.js';
import type { Extension } from '../wire/extension-type.js';
import { decodeEncryptedExtensions } from '../wire/encrypted-extensions.js';
import {
  ExtensionType,
  SignatureScheme,
  decodeSignatureAlgorithmsExtension,
  encodeSignatureAlgorithmsExtension,
  encodeSupportedGroupsExtension,
  findExtension,
} from '../wire/extensions.js';
import { decodeFinished, encodeFinished } from '../wire/finished.js';
import { decodeKeyShareRetry, decodeKeyShareSelected, encodeKeyShareOffer } from '../wire/key-share-extension.js';
import { decodeSelectedIdentity } from '../wire/pre-shared-key-extension.js';
import { PskKeyExchangeMode, encodePskKeyExchangeModesExtension } from '../wire/psk-key-exchange-modes-extension.js';
import { decodeServerHello, type ServerHello } from '../wire/server-hello.js';
import { decodeSelectedVersion, encodeSupportedVersionsOffer } from '../wire/supported-versions-extension.js';
import { negotiatedCertificateTypes } from './certificate-types.js';
import { checkCertificateVerify13, signCertificateVerify13 } from './certificate-verify13.js';
import { certificate13Body, decodePeerCertificate13, verifyPeerCertificate13 } from './certificates13.js';
import type { Flight } from './flight.js';
import { FlightMachine, type ClosingState } from './flight-machine.js';
import type { HandshakeMessage } from './handshake-message.js';
import { NOTHING, type HandshakeStep, type HandshakeSummary13, type MaybePromise, type PeerIdentity } from './handshake-step.js';
import { certificateTypeOffer } from './hello-extensions.js';
import { ClientExtensions13, type ClientExtensions13Options } from './hello-extensions13.js';
import { paddingTo } from './hello-padding.js';
import { HELLO_RETRY_REQUEST_RANDOM, LONGEST_HELLO_RETRY_REQUEST_BODY } from './hello-retry13.js';
import { NEVER_ABORTED } from './lookup-context.js';
import type { LocalCertificate, PeerAuthenticator } from './peer-authentication.js';
import { withDtls12Offer } from './dual-client-hello.js';
import type { PskCredential } from './psk-credentials.js';
import { externalPsk13, withPskBinders, type PskCandidate13 } from './psk-offer13.js';
import { EXTERNAL_PSK_HASH, type KeyExchange13, type PskMode13 } from './server-choice13.js';
import { Transcript13, messageHash } from './transcript13.js';

/** What a {@link ClientHandshake13} offers. */
export interface ClientHandshake13Options {
  /** The cryptographic primitives. */
  readonly provider: CryptoProvider;
  /**
   * The 1.3 suites in order of preference; with an external PSK and no authenticator only
   * SHA-256 ones are offered (RFC 8446 §4.2.11), and a PSK is used only with one of them.
   */
  readonly cipherSuites: readonly Tls13CipherSuite[];
  /** (EC)DHE groups in order of preference; the first gets a key share in the first ClientHello. */
  readonly groups: readonly number[];
  /** The external PSK offered. A PSK, an authenticator or both. */
  readonly psk?: PskCredential;
  /** The PSK key exchange modes offered, preferred first (default psk_dhe_ke, psk_ke). */
  readonly keyExchanges?: readonly PskMode13[];
  /** How the server's certificate is judged (the verifier 1.2 uses): with it, a server without our PSK may authenticate with a certificate. */
  readonly authenticator?: PeerAuthenticator;
  /** Our certificate, sent when the server asks for one (RFC 8446 §4.4.2.4: an empty Certificate otherwise). */
  readonly certificate?: LocalCertificate;
  /** Passed to an async trust callback; aborted when this handshake ends. */
  readonly signal?: AbortSignal;
  /** A ticket of an earlier session, offered first, before `psk` (RFC 8446 §2.2, §4.2.11). */
  readonly ticket?: PskCandidate13;
  /** ALPN, record_size_limit, server_name and Connection IDs to offer. */
  readonly extensions?: ClientExtensions13Options;
  /** A client offering DTLS 1.2 too: the 1.2 ClientHello whose random, suites and extensions the first ClientHello carries beside 1.3's (withDtls12Offer). */
  readonly alsoOffer12?: ClientHello;
}

/** The ClientHello we sent last, the key shares and the PSKs it carries. */
interface Offer {
  readonly hello: ClientHello;
  readonly message: HandshakeMessage;
  readonly shares: readonly KeyShare[];
  readonly psks: readonly PskCandidate13[];
}

/** What the client knows once its handshake keys exist. */
interface ClientKeyed13 {
  readonly suite: Tls13CipherSuite;
  readonly keyExchange: KeyExchange13;
  readonly group?: number;
  readonly schedule: KeySchedule13;
  readonly handshakeSecrets: { readonly client: Uint8Array; readonly server: Uint8Array };
  /** Who the server proved to be: its PSK identity, or its certificate once verified (or in the session a ticket resumes). */
  readonly peer: PeerIdentity;
  /** Whether the server took our ticket: the PSK authenticates it, as in the session resumed. */
  readonly resumed: boolean;
  /** The client certificate type the server's CertificateRequest asked for: we answer with a Certificate before our Finished. */
  readonly certificateRequested?: { readonly type: number; readonly ecdsa: boolean };
}

/** The certificate types the EncryptedExtensions settled (RFC 7250 §4.2), X.509 where they are silent. */
interface CertificateTypes {
  readonly server: number;
  readonly client: number;
}

type State =
  | { readonly name: 'start' }
  | { readonly name: 'wait-server-hello'; readonly offer: Offer; readonly retry?: { readonly suite: Tls13CipherSuite } }
  | { readonly name: 'wait-encrypted-extensions'; readonly keyed: ClientKeyed13 }
  /** Certificate path: a CertificateRequest may come first, then the server's Certificate. */
  | { readonly name: 'wait-certificate'; readonly keyed: ClientKeyed13; readonly types: CertificateTypes }
  | { readonly name: 'wait-certificate-verify'; readonly keyed: ClientKeyed13; readonly serverKey: Uint8Array };

/** HelloRetryRequests answered in one handshake: RFC 8446 §4.1.4 allows one. */
const MAX_RETRIES = 1;

/**
 * The client's side of a DTLS 1.3 handshake (RFC 9147 §5, RFC 8446 §4): 1 ClientHello
 * (key share for our first group, signature_algorithms, with a PSK psk_key_exchange_modes
 * and the PSK and its binder last) -> [2 HelloRetryRequest -> 3 ClientHello with the cookie
 * and, if asked, a share for another group] -> 4 ServerHello (epoch 0),
 * EncryptedExtensions, Finished (epoch 2) with the PSK, or EncryptedExtensions,
 * [CertificateRequest], Certificate, CertificateVerify, Finished with the server's
 * certificate -> 5 [Certificate, [CertificateVerify]] Finished (epoch 2), after which
 * application data flows in epoch 3. Pure: messages in, steps out.
 */
export class ClientHandshake13 extends FlightMachine<State, ClientKeyed13> {
  protected state: State | ClosingState<ClientKeyed13> = { name: 'start' };
  private readonly random: Uint8Array;
  private transcript = new Transcript13();
  /** The PSKs we offer, in order: the ticket (when its suite's hash is offered), then the external PSK. */
  private readonly psks: readonly PskCandidate13[];
  private readonly suites: readonly Tls13CipherSuite[];
  private readonly modes: readonly PskMode13[];
  /** Whether we send key shares: for psk_dhe_ke, and always for a certificate handshake. */
  private readonly dhe: boolean;
  private retries = 0;
  private readonly extensions13: ClientExtensions13;

  constructor(private readonly options: ClientHandshake13Options) {
    super(0);
    this.random = options.alsoOffer12?.random ?? options.provider.randomBytes(32);
    if (!options.psk && !options.authenticator) throw new RangeError('a 1.3 client needs a PSK or a way to authenticate the server');
    this.suites = options.authenticator ? options.cipherSuites : options.cipherSuites.filter((s) => s.hash === EXTERNAL_PSK_HASH);
    if (this.suites.length === 0) throw new RangeError('an external PSK needs a SHA-256 suite (RFC 8446 §4.2.11)');
    const { ticket } = options;
    const tickets = ticket && this.suites.some((s) => s.hash === ticket.hash) ? [ticket] : [];
    this.psks = [...tickets, ...(options.psk ? [externalPsk13(options.psk, EXTERNAL_PSK_HASH)] : [])];
    this.modes = this.psks.length > 0 ? (options.keyExchanges ?? ['psk_dhe_ke', 'psk_ke']) : [];
    this.dhe = options.authenticator !== undefined || this.modes.includes('psk_dhe_ke');
    this.extensions13 = new ClientExtensions13(options.extensions ?? {});
  }

  /** Flight 1. */
  start(): HandshakeStep {
    if (this.state.name !== 'start') return NOTHING;
    const shares = this.dhe && this.options.groups.length > 0 ? [this.options.provider.generateKeyShare(this.options.groups[0])] : [];
    const offer = this.offer(this.firstHello(shares), shares);
    this.state = { name: 'wait-server-hello', offer };
    return { flight: helloFlight(offer, 1) };
  }

  /** Takes the server's next handshake message (reassembled, in message_seq order). */
  onMessage(message: HandshakeMessage): MaybePromise<HandshakeStep> {
    const { state } = this;
    switch (state.name) {
      case 'wait-server-hello':
        return message.msgType === HandshakeType.server_hello ? this.onServerHello(message, state.offer, state.retry) : this.unexpected(message);
      case 'wait-encrypted-extensions':
        return message.msgType === HandshakeType.encrypted_extensions ? this.onEncryptedExtensions(message, state.keyed) : this.unexpected(message);
      case 'wait-certificate':
        if (message.msgType === HandshakeType.certificate_request && !state.keyed.certificateRequested) return this.onCertificateRequest(message, state.keyed, state.types);
        return message.msgType === HandshakeType.certificate ? this.onServerCertificate(message, state.keyed, state.types) : this.unexpected(message);
      case 'wait-certificate-verify':
        return message.msgType === HandshakeType.certificate_verify ? this.onServerCertificateVerify(message, state.keyed, state.serverKey) : this.unexpected(message);
      case 'start':
        return NOTHING;
      default:
        return this.onClosingMessage(message);
    }
  }

  private firstHello(shares: readonly KeyShare[]): ClientHello {
    const { options } = this;
    const extensions: Extension[] = [
      encodeSupportedVersionsOffer([DTLS_1_3]),
      // Required for certificates (RFC 8446 §9.2); not needed for a PSK, but peers that check for it everywhere find it.
      encodeSignatureAlgorithmsExtension([SignatureScheme.ecdsa_secp256r1_sha256]),
    ];
    if (this.psks.length > 0) extensions.push(encodePskKeyExchangeModesExtension(this.modes.map((m) => PskKeyExchangeMode[m])));
    if (shares.length > 0) {
      extensions.push(encodeSupportedGroupsExtension([...options.groups]));
      extensions.push(encodeKeyShareOffer(shares.map((s) => ({ group: s.group, keyExchange: s.publicKey }))));
    }
    if (options.authenticator) extensions.push(...certificateTypeOffer(options.authenticator, options.certificate));
    extensions.push(...this.extensions13.offer());
    const hello: ClientHello = {
      clientVersion: DTLS_1_2,
      random: this.random,
      // RFC 9147 §5.3: no middlebox compatibility mode, so no legacy session ID and no legacy cookie.
      sessionId: new Uint8Array(0),
      cookie: new Uint8Array(0),
      cipherSuites: this.suites.map((s) => s.id),
      compressionMethods: [0],
      extensions,
    };
    // A hello without a PSK and its binder can be shorter than the HelloRetryRequest it asks
    // for, which a server that never amplifies (ours) would not send: padded up to it.
    const offered = withDtls12Offer(hello, options.alsoOffer12);
    return this.psks.length > 0 ? offered : { ...offered, extensions: [...offered.extensions, ...paddingTo(offered, LONGEST_HELLO_RETRY_REQUEST_BODY)] };
  }

  /**
   * The ClientHello with the PSKs last, each with its binder (RFC 8446 §4.2.11.2); `hash`
   * leaves out those of another hash. Without a PSK the hello as it is.
   */
  private offer(hello: ClientHello, shares: readonly KeyShare[], hash?: HashAlgorithm): Offer {
    const psks = hash === undefined ? this.psks : this.psks.filter((p) => p.hash === hash);
    const final = psks.length > 0 ? withPskBinders(hello, psks, this.transcript) : hello;
    const message = this.message(HandshakeType.client_hello, encodeClientHello(final));
    return { hello: final, message, shares, psks };
  }

  private onServerHello(message: HandshakeMessage, offer: Offer, retry: { suite: Tls13CipherSuite } | undefined): HandshakeStep {
    const decoded = decodeServerHello(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed ServerHello');
    const hello = decoded.value;
    const version = findExtension(hello.extensions, ExtensionType.supported_versions);
    const selected = version && decodeSelectedVersion(version.data);
    // A 1.3-only client: a server that does not select 1.3 cannot be talked to (RFC 8446 §4.2.1).
    if (!selected?.ok || selected.value !== DTLS_1_3) return this.fail(AlertDescription.protocol_version, 'server did not choose DTLS 1.3');
    const suite = this.suites.find((s) => s.id === hello.cipherSuite);
    if (!suite) return this.fail(AlertDescription.illegal_parameter, `server chose a cipher suite not offered (0x${hello.cipherSuite.toString(16)})`);
    if (hello.compressionMethod !== 0 || !sameBytes(hello.sessionId, offer.hello.sessionId)) {
      return this.fail(AlertDescription.illegal_parameter, 'ServerHello legacy fields do not echo the ClientHello');
    }
    if (sameBytes(hello.random, HELLO_RETRY_REQUEST_RANDOM)) return this.onHelloRetryRequest(message, hello, suite, offer);
    // RFC 8446 §4.1.4: the ServerHello keeps the suite the HelloRetryRequest chose.
    if (retry && retry.suite !== suite) return this.fail(AlertDescription.illegal_parameter, 'ServerHello changed the cipher suite of the HelloRetryRequest');
    const authenticated = this.serverAuthentication(hello, offer, suite);
    if (!('schedule' in authenticated)) return authenticated;
    const { schedule, peer, resumed } = authenticated;
    const viaPsk = peer.kind === 'psk' || resumed;
    const shareExtension = findExtension(hello.extensions, ExtensionType.key_share);
    let shared: Uint8Array | undefined;
    let keyExchange: KeyExchange13 = viaPsk ? 'psk_ke' : 'ecdhe';
    let group: number | undefined;
    if (shareExtension) {
      const share = decodeKeyShareSelected(shareExtension.data);
      if (!share.ok) return this.fail(AlertDescription.decode_error, 'malformed key_share');
      const ours = offer.shares.find((s) => s.group === share.value.group);
      if (!ours || !this.dhe) return this.fail(AlertDescription.illegal_parameter, 'server answered a key share we did not send');
      shared = this.options.provider.computeSharedSecret(ours.group, ours.privateKey, share.value.keyExchange) ?? undefined;
      if (!shared) return this.fail(AlertDescription.illegal_parameter, 'invalid server key share');
      if (viaPsk) keyExchange = 'psk_dhe_ke';
      group = ours.group;
    } else if (!viaPsk) {
      // RFC 8446 §4.2.8: without a PSK, (EC)DHE is the key exchange.
      return this.fail(AlertDescription.missing_extension, 'a ServerHello without pre_shared_key or key_share');
    } else if (!this.modes.includes('psk_ke')) {
      return this.fail(AlertDescription.missing_extension, 'server chose psk_ke, which we did not offer');
    }
    const cids = this.extensions13.onServerHello(hello.extensions, offer.hello.extensions);
    if (cids) return this.fail(cids.alert, cids.reason);
    this.transcript.add(offer.message);
    this.transcript.add(message);
    const handshakeSecrets = schedule.handshakeSecrets(shared, this.transcript.hash(suite.hash));
    const keyed: ClientKeyed13 = { suite, keyExchange, ...(group === undefined ? {} : { group }), schedule, handshakeSecrets, peer, resumed };
    this.state = { name: 'wait-encrypted-extensions', keyed };
    const connectionIds13 = this.extensions13.agreedConnectionIds;
    return { epochs13: [{ epoch: 2, suite, read: handshakeSecrets.server, write: handshakeSecrets.client }], ...(connectionIds13 && { connectionIds13 }) };
  }

  /**
   * How the server means to authenticate (RFC 8446 §4.2.11): a ServerHello selecting our
   * PSK (identity 0, with a SHA-256 suite) keys the handshake with it; one without
   * pre_shared_key means a certificate, which only a client with an authenticator takes.
   * `peer` is the PSK's identity, or anonymous until the certificate verifies.
   */
  private serverAuthentication(hello: ServerHello, offer: Offer, suite: Tls13CipherSuite): { schedule: KeySchedule13; peer: PeerIdentity; resumed: boolean } | HandshakeStep {
    const pskExtension = findExtension(hello.extensions, ExtensionType.pre_shared_key);
    const offeredPsk = findExtension(offer.hello.extensions, ExtensionType.pre_shared_key) !== undefined;
    if (!pskExtension) {
      if (!this.options.authenticator) return this.fail(AlertDescription.illegal_parameter, 'server did not select our PSK');
      return { schedule: new KeySchedule13(suite.hash), peer: { kind: 'anonymous' }, resumed: false };
    }
    const identity = decodeSelectedIdentity(pskExtension.data);
    const psk = offeredPsk && identity.ok ? offer.psks[identity.value] : undefined;
    if (!psk) return this.fail(AlertDescription.illegal_parameter, 'server did not select our PSK');
    // RFC 8446 §4.2.11: a PSK goes with its hash (SHA-256 for an external one, the ticket's suite's).
    if (suite.hash !== psk.hash) return this.fail(AlertDescription.illegal_parameter, 'server chose our PSK with a suite of another hash');
    return { schedule: psk.schedule, peer: psk.peer, resumed: psk.resumption };
  }

  /**
   * RFC 8446 §4.1.4: the second ClientHello echoes the cookie and, when the server names a
   * group we sent no share for, brings one for it; the transcript restarts from
   * message_hash(ClientHello1) and the HelloRetryRequest.
   */
  private onHelloRetryRequest(message: HandshakeMessage, hrr: ServerHello, suite: Tls13CipherSuite, offer: Offer): HandshakeStep {
    if (++this.retries > MAX_RETRIES) return this.fail(AlertDescription.unexpected_message, 'a second HelloRetryRequest');
    const cookieExtension = findExtension(hrr.extensions, ExtensionType.cookie);
    const cookie = cookieExtension && decodeCookieExtension(cookieExtension.data);
    if (cookieExtension && !cookie?.ok) return this.fail(AlertDescription.decode_error, 'malformed cookie');
    let shares = offer.shares;
    const retryShare = findExtension(hrr.extensions, ExtensionType.key_share);
    if (retryShare) {
      const group = decodeKeyShareRetry(retryShare.data);
      if (!group.ok) return this.fail(AlertDescription.decode_error, 'malformed key_share');
      // RFC 8446 §4.2.8: a group we did not offer, or one we already sent a share for, is illegal.
      if (!this.options.groups.includes(group.value) || shares.some((s) => s.group === group.value) || !this.dhe) {
        return this.fail(AlertDescription.illegal_parameter, 'HelloRetryRequest asks for a group we cannot use');
      }
      shares = [this.options.provider.generateKeyShare(group.value)];
    }
    if (!cookie && !retryShare) return this.fail(AlertDescription.illegal_parameter, 'HelloRetryRequest that changes nothing');
    this.transcript = Transcript13.afterRetry(suite.hash, messageHash(suite.hash, offer.message));
    this.transcript.add(message);
    const withoutPsk = offer.hello.extensions.filter((e) => e.type !== ExtensionType.pre_shared_key && e.type !== ExtensionType.key_share);
    const extensions: Extension[] = [...withoutPsk];
    if (shares.length > 0) extensions.push(encodeKeyShareOffer(shares.map((s) => ({ group: s.group, keyExchange: s.publicKey }))));
    if (cookie?.ok) extensions.push(encodeCookieExtension(cookie.value));
    // RFC 8446 §4.2.11: the second ClientHello offers no PSK whose hash is not the chosen suite's.
    const second = this.offer({ ...offer.hello, extensions }, shares, suite.hash);
    this.state = { name: 'wait-server-hello', offer: second, retry: { suite } };
    return { flight: helloFlight(second, 3) };
  }

  private onEncryptedExtensions(message: HandshakeMessage, keyed: ClientKeyed13): HandshakeStep {
    const decoded = decodeEncryptedExtensions(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed EncryptedExtensions');
    // RFC 8446 §4.2.10: we offered no early_data, so the server cannot accept it.
    if (findExtension(decoded.value, ExtensionType.early_data)) return this.fail(AlertDescription.unsupported_extension, 'server accepted early data we did not offer');
    const answers = this.extensions13.onEncryptedExtensions(decoded.value);
    if (answers) return this.fail(answers.alert, answers.reason);
    this.transcript.add(message);
    if (keyed.peer.kind === 'psk' || keyed.resumed) {
      this.state = { name: 'wait-finished', keyed };
      return NOTHING;
    }
    const types = negotiatedCertificateTypes(decoded.value);
    if (!types.ok) return this.fail(AlertDescription.illegal_parameter, types.reason);
    this.state = { name: 'wait-certificate', keyed, types: types.value };
    return NOTHING;
  }

  /**
   * RFC 8446 §4.3.2: in the handshake the certificate_request_context is empty and
   * signature_algorithms is there (missing_extension otherwise); we answer with our
   * certificate when it is of the type settled and the server takes its signature.
   */
  private onCertificateRequest(message: HandshakeMessage, keyed: ClientKeyed13, types: CertificateTypes): HandshakeStep {
    const decoded = decodeCertificateRequest13(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed CertificateRequest');
    if (decoded.value.context.length !== 0) return this.fail(AlertDescription.illegal_parameter, 'CertificateRequest with a certificate_request_context in the handshake');
    const schemes = findExtension(decoded.value.extensions, ExtensionType.signature_algorithms);
    if (!schemes) return this.fail(AlertDescription.missing_extension, 'CertificateRequest without signature_algorithms');
    const accepted = decodeSignatureAlgorithmsExtension(schemes.data);
    if (!accepted.ok) return this.fail(AlertDescription.decode_error, 'malformed signature_algorithms');
    this.transcript.add(message);
    const certificateRequested = { type: types.client, ecdsa: accepted.value.includes(SignatureScheme.ecdsa_secp256r1_sha256) };
    this.state = { name: 'wait-certificate', keyed: { ...keyed, certificateRequested }, types };
    return NOTHING;
  }

  /** The server's Certificate, judged by the authenticator as 1.2 judges it (RFC 8446 §4.4.2.4: an empty one is a decode_error). */
  private onServerCertificate(message: HandshakeMessage, keyed: ClientKeyed13, types: CertificateTypes): MaybePromise<HandshakeStep> {
    const decoded = decodePeerCertificate13(message.body);
    if (!decoded.ok) return this.fail(decoded.alert, decoded.reason);
    if (decoded.entries.length === 0) return this.fail(AlertDescription.decode_error, 'the server sent an empty Certificate');
    this.transcript.add(message);
    const check = verifyPeerCertificate13(this.options.authenticator, types.server, decoded.entries, { signal: this.options.signal ?? NEVER_ABORTED });
    return this.after(check, (err) => `certificate check failed: ${String(err)}`, (result) => {
      if (!result.ok) return this.fail(result.alert, `server certificate rejected: ${result.reason}`);
      this.state = { name: 'wait-certificate-verify', keyed: { ...keyed, peer: result.identity }, serverKey: result.publicKey };
      return NOTHING;
    });
  }

  /** RFC 8446 §4.4.3: the server's signature over the transcript through its Certificate, with its certificate's key. */
  private onServerCertificateVerify(message: HandshakeMessage, keyed: ClientKeyed13, serverKey: Uint8Array): HandshakeStep {
    const problem = checkCertificateVerify13(this.options.provider, serverKey, 'server', this.transcript.hash(keyed.suite.hash), message.body);
    if (problem) return this.fail(problem.alert, problem.reason);
    this.transcript.add(message);
    this.state = { name: 'wait-finished', keyed };
    return NOTHING;
  }

  /** The server's Finished, then ours (flight 5, after our Certificate and CertificateVerify when asked) and the application keys. */
  protected onFinished(message: HandshakeMessage, keyed: ClientKeyed13): HandshakeStep {
    const { suite, keyExchange, group, schedule, handshakeSecrets, peer, resumed } = keyed;
    const decoded = decodeFinished(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed Finished');
    const expected = finishedVerifyData(suite.hash, handshakeSecrets.server, this.transcript.hash(suite.hash));
    if (!timingSafeEqual(decoded.value.verifyData, expected)) return this.fail(AlertDescription.decrypt_error, `server Finished does not verify${peer.kind === 'psk' ? ' (wrong pre-shared key?)' : ''}`);
    this.transcript.add(message);
    const applicationSecrets = schedule.applicationSecrets(this.transcript.hash(suite.hash));
    const messages = keyed.certificateRequested ? this.clientCertificate(suite, keyed.certificateRequested) : [];
    const verifyData = finishedVerifyData(suite.hash, handshakeSecrets.client, this.transcript.hash(suite.hash));
    const finished = this.message(HandshakeType.finished, encodeFinished({ verifyData }));
    this.transcript.add(finished);
    this.state = { name: 'established' };
    const established13: HandshakeSummary13 = {
      ...this.extensions13.agreed(),
      cipherSuite: suite,
      peer,
      resumed,
      keyExchange,
      ...(group === undefined ? {} : { group }),
      clientRandom: this.random,
      nextMessageSeq: this.nextSendSeq,
      applicationSecrets: { read: applicationSecrets.server, write: applicationSecrets.client },
      handshakeSecrets: { read: handshakeSecrets.server, write: handshakeSecrets.client },
      resumptionMasterSecret: schedule.resumptionMasterSecret(this.transcript.hash(suite.hash)),
    };
    // RFC 9147 §5.8.1, §7.1: the client's last flight is retransmitted until the server acknowledges it.
    const flight: Flight = { number: 5, final: false, entries: [...messages, finished].map((m) => ({ kind: 'handshake', epoch: 2, message: m })) };
    return { flight, epochs13: [{ epoch: 3, suite, read: applicationSecrets.server, write: applicationSecrets.client }], established13 };
  }

  /**
   * Our answer to a CertificateRequest (RFC 8446 §4.4.2.4): our certificate of the type
   * settled, if the server takes our signature scheme, and its CertificateVerify; an empty
   * Certificate when we have none to give.
   */
  private clientCertificate(suite: Tls13CipherSuite, requested: { readonly type: number; readonly ecdsa: boolean }): HandshakeMessage[] {
    const { certificate, provider } = this.options;
    const ours = certificate?.type === requested.type && requested.ecdsa ? certificate : undefined;
    const message = this.message(HandshakeType.certificate, certificate13Body(ours));
    this.transcript.add(message);
    if (!ours) return [message];
    const verify = this.message(HandshakeType.certificate_verify, signCertificateVerify13(provider, ours.privateKey, 'client', this.transcript.hash(suite.hash)));
    this.transcript.add(verify);
    return [message, verify];
  }
}

/** Randoms and session IDs are public: a plain comparison. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function helloFlight(offer: Offer, number: number): Flight {
  return { number, final: false, entries: [{ kind: 'handshake', epoch: 0, message: offer.message }] };
}
