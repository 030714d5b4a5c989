import { timingSafeEqual } from '../crypto/constant-time.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { KeySchedule13, finishedVerifyData } from '../crypto/tls13-key-schedule.js';
import type { Tls13CipherSuite } from '../crypto/tls13-cipher-suites.js';
import { AlertDescription } from '../wire/alert.js';
import type { ClientHello } from '../wire/client-hello.js';
import { DTLS_1_2, DTLS_1_3, HandshakeType } from '../wire/constants.js';
import { encodeCertificateRequest13 } from '../wire/certificate-request13.js';
import { encodeEncryptedExtensions } from '../wire/encrypted-extensions.js';
import { ExtensionType, SignatureScheme, encodeSignatureAlgorithmsExtension, findExtension, type Extension } from '../wire/extensions.js';
import { decodeFinished, encodeFinished } from '../wire/finished.js';
import { encodeKeyShareSelected } from '../wire/key-share-extension.js';
import { bindersLength, decodeOfferedPsks, encodeSelectedIdentity } from '../wire/pre-shared-key-extension.js';
import { encodeServerHello } from '../wire/server-hello.js';
import { encodeSelectedVersion } from '../wire/supported-versions-extension.js';
import { clientCertificateTypeToAsk } from './certificate-types.js';
import { checkCertificateVerify13, signCertificateVerify13 } from './certificate-verify13.js';
import { certificate13Body, certificateTypeAnswers, decodePeerCertificate13, verifyPeerCertificate13 } from './certificates13.js';
import type { FlightEntry } from './flight.js';
import { FlightMachine, type ClosingState } from './flight-machine.js';
import type { HandshakeMessage } from './handshake-message.js';
import { NOTHING, type HandshakeStep, type HandshakeSummary13, type MaybePromise, type PeerIdentity } from './handshake-step.js';
import { helloRetryRequestBody, type RetryState } from './hello-retry13.js';
import { NEVER_ABORTED } from './lookup-context.js';
import type { LocalCertificate, PeerAuthenticator } from './peer-authentication.js';
import type { ServerPskLookup } from './psk-credentials.js';
import { authenticationOf, chooseHandshake13, type Choice13, type ServerOffer13 } from './server-choice13.js';
import { Transcript13 } from './transcript13.js';

/** What a {@link ServerHandshake13} serves with. */
export interface ServerHandshake13Options {
  /** The cryptographic primitives. */
  readonly provider: CryptoProvider;
  /** The 1.3 suites, in our order of preference. */
  readonly cipherSuites: readonly Tls13CipherSuite[];
  /** (EC)DHE groups in order of preference. */
  readonly groups: readonly number[];
  /** The key of a client's PSK identity; without it no PSK is taken. */
  readonly pskLookup?: ServerPskLookup;
  /** Our certificates (at most one per type, X.509 and raw public key) for a client that offers no PSK. */
  readonly certificates?: readonly LocalCertificate[];
  /** With a certificate: whether a CertificateRequest is sent, and whether an empty answer fails the handshake (as in 1.2). */
  readonly clientAuth?: 'none' | 'optional' | 'required';
  /** How client certificates are judged (the verifier 1.2 uses). */
  readonly clientAuthenticator?: PeerAuthenticator;
  /** Passed to an async PSK lookup or client key trust; aborted when this handshake ends. */
  readonly signal?: AbortSignal;
}

/** The second ClientHello's cookie, verified by the gate: what the HelloRetryRequest settled, and the cookie itself. */
export interface VerifiedRetry extends RetryState {
  /** The cookie as the HelloRetryRequest carried it, to rebuild that message for the transcript. */
  readonly cookie: Uint8Array;
}

/** What the server knows once its handshake keys exist. */
interface ServerKeyed13 {
  readonly suite: Tls13CipherSuite;
  readonly choice: Choice13;
  readonly handshakeSecrets: { readonly client: Uint8Array; readonly server: Uint8Array };
  readonly applicationSecrets: { readonly client: Uint8Array; readonly server: Uint8Array };
  readonly peer: PeerIdentity;
}

/** A client certificate that verified: the key its CertificateVerify must be signed with, and who it names. */
interface ClientCertificate13 {
  readonly publicKey: Uint8Array;
  readonly identity: PeerIdentity;
}

type State =
  | { readonly name: 'new' }
  /** After our CertificateRequest (RFC 8446 §4.3.2): the client's Certificate of this type, possibly empty. */
  | { readonly name: 'wait-client-certificate'; readonly keyed: ServerKeyed13; readonly clientCertificateType: number }
  | { readonly name: 'wait-client-certificate-verify'; readonly keyed: ServerKeyed13; readonly client: ClientCertificate13 };

/**
 * The server's side of a DTLS 1.3 handshake (RFC 9147 §5, RFC 8446 §4) from the second
 * ClientHello: every 1.3 handshake here passes the stateless cookie exchange first (the
 * HelloRetryRequest, built by the gate), so the transcript starts with
 * message_hash(ClientHello1) and the HelloRetryRequest the cookie lets it rebuild.
 * With an external PSK (psk_dhe_ke or psk_ke), flight 4 is ServerHello (epoch 0),
 * EncryptedExtensions and Finished (epoch 2). With a certificate ((EC)DHE, RFC 8446 §4.4),
 * it is ServerHello, EncryptedExtensions, [CertificateRequest], Certificate,
 * CertificateVerify, Finished, and a client asked for its certificate answers with
 * Certificate, [CertificateVerify] before its Finished. The client's Finished (epoch 2)
 * completes it. Pure: messages in, steps out; the driver acknowledges the client's
 * Finished (RFC 9147 §7.1).
 */
export class ServerHandshake13 extends FlightMachine<State, ServerKeyed13> {
  protected state: State | ClosingState<ServerKeyed13> = { name: 'new' };
  private readonly random: Uint8Array;
  private readonly transcript: Transcript13;

  constructor(
    private readonly options: ServerHandshake13Options,
    private readonly clientHelloMessage: HandshakeMessage,
    private readonly clientHello: ClientHello,
    private readonly retry: VerifiedRetry,
  ) {
    // RFC 9147 §5.2: the HelloRetryRequest took message_seq 0; we answer the second ClientHello with its own.
    super(clientHelloMessage.messageSeq);
    this.random = options.provider.randomBytes(32);
    this.transcript = Transcript13.afterRetry(retry.suite.hash, retry.clientHello1Hash);
    this.transcript.add({ msgType: HandshakeType.server_hello, body: helloRetryRequestBody(clientHello.sessionId, retry, retry.cookie) });
  }

  /** The message_seq the client's next message will carry. */
  get nextReceiveSeq(): number {
    return this.clientHelloMessage.messageSeq + 1;
  }

  /** Flight 4, at once with a certificate, once the PSK is looked up with one. */
  start(): MaybePromise<HandshakeStep> {
    if (this.state.name !== 'new') return NOTHING;
    const { options, retry, clientHello } = this;
    const chosen = chooseHandshake13(clientHello, { ...options, psk: options.pskLookup !== undefined } satisfies ServerOffer13);
    if (!chosen.ok) return this.fail(chosen.alert, chosen.reason);
    const { choice } = chosen;
    // RFC 8446 §4.1.4: the second ClientHello keeps the suite; with a group asked for, it brings exactly that share.
    if (choice.suite !== retry.suite || authenticationOf(choice.keyExchange) !== retry.authentication) {
      return this.fail(AlertDescription.illegal_parameter, 'the second ClientHello changed the cipher suites or the authentication');
    }
    if (retry.group !== undefined && (choice.group !== retry.group || !choice.clientShare)) {
      return this.fail(AlertDescription.illegal_parameter, 'the second ClientHello has no share for the group the HelloRetryRequest asked for');
    }
    if (choice.keyExchange !== 'psk_ke' && !choice.clientShare) return this.fail(AlertDescription.illegal_parameter, 'no key share after the HelloRetryRequest');
    const extensions = clientHello.extensions;
    if (findExtension(extensions, ExtensionType.early_data)) {
      // No 0-RTT here: RFC 8446 §4.2.10 lets a server ignore early_data it rejects, but after a HelloRetryRequest it must not be offered at all.
      return this.fail(AlertDescription.illegal_parameter, 'early_data offered after a HelloRetryRequest');
    }
    if (choice.certificate) return this.answerWithCertificate(choice, choice.certificate);
    // RFC 8446 §4.2.11: pre_shared_key is the last extension of the ClientHello.
    const pskExtension = extensions[extensions.length - 1];
    if (pskExtension?.type !== ExtensionType.pre_shared_key) return this.fail(AlertDescription.illegal_parameter, 'pre_shared_key is not the last extension');
    const offered = decodeOfferedPsks(pskExtension.data);
    if (!offered.ok) return this.fail(AlertDescription.decode_error, 'malformed pre_shared_key');
    const [first] = offered.value.identities;
    const lookup = options.pskLookup;
    if (!first || !lookup) return this.fail(AlertDescription.unknown_psk_identity, 'no PSK identity offered');
    const identity = first.identity.slice();
    const binderCut = bindersLength(offered.value);
    const binder = offered.value.binders[0];
    return this.after(lookup(identity, { signal: options.signal ?? NEVER_ABORTED }), () => 'PSK lookup failed', (key) => {
      // RFC 8446 §6.2: unknown_psk_identity may be sent when no acceptable identity was offered.
      if (!key) return this.fail(AlertDescription.unknown_psk_identity, 'unknown PSK identity');
      return this.answerWithPsk(choice, key, identity, binder, binderCut);
    });
  }

  private answerWithPsk(choice: Choice13, key: Uint8Array, identity: Uint8Array, binder: Uint8Array, binderCut: number): HandshakeStep {
    const { suite } = choice;
    const schedule = new KeySchedule13(suite.hash, key);
    // RFC 8446 §4.2.11.2: the binder is a Finished over the transcript up to the binders list.
    const expected = finishedVerifyData(suite.hash, schedule.binderKey('external'), this.transcript.partialHash(suite.hash, this.clientHelloMessage, binderCut));
    if (!timingSafeEqual(binder, expected)) return this.fail(AlertDescription.decrypt_error, 'PSK binder does not verify (wrong pre-shared key?)');
    this.transcript.add(this.clientHelloMessage);
    const hello = this.serverHello(choice, [encodeSelectedIdentity(0)]);
    if (!hello) return this.fail(AlertDescription.illegal_parameter, 'invalid client key share');
    const handshakeSecrets = schedule.handshakeSecrets(hello.shared, this.transcript.hash(suite.hash));
    // RFC 8446 §4.3.1: nothing of ours needs saying yet (no ALPN, no record limit in 1.3 so far).
    const encryptedExtensions = this.add(HandshakeType.encrypted_extensions, encodeEncryptedExtensions([]));
    return this.finishFlight(schedule, { suite, choice, handshakeSecrets, peer: { kind: 'psk', identity } }, [hello.message, encryptedExtensions]);
  }

  /**
   * The certificate path (RFC 8446 §4.3.2, §4.4): (EC)DHE alone, our Certificate and a
   * CertificateVerify signed with its key, and a CertificateRequest (an empty
   * certificate_request_context, signature_algorithms) when the client's is asked for.
   */
  private answerWithCertificate(choice: Choice13, certificate: LocalCertificate): HandshakeStep {
    const { suite } = choice;
    const { options } = this;
    const clientCertificateType = clientCertificateTypeToAsk(options.clientAuth, options.clientAuthenticator, this.clientHello.extensions);
    if (clientCertificateType === undefined && options.clientAuth === 'required') {
      return this.fail(AlertDescription.unsupported_certificate, 'no client certificate type in common');
    }
    this.transcript.add(this.clientHelloMessage);
    const schedule = new KeySchedule13(suite.hash);
    const hello = this.serverHello(choice, []);
    if (!hello) return this.fail(AlertDescription.illegal_parameter, 'invalid client key share');
    const handshakeSecrets = schedule.handshakeSecrets(hello.shared, this.transcript.hash(suite.hash));
    const encryptedExtensions = this.add(
      HandshakeType.encrypted_extensions,
      encodeEncryptedExtensions(certificateTypeAnswers(this.clientHello.extensions, certificate.type, clientCertificateType)),
    );
    const messages = [hello.message, encryptedExtensions];
    if (clientCertificateType !== undefined) {
      const signatureAlgorithms: Extension[] = [encodeSignatureAlgorithmsExtension([SignatureScheme.ecdsa_secp256r1_sha256])];
      messages.push(this.add(HandshakeType.certificate_request, encodeCertificateRequest13({ context: new Uint8Array(0), extensions: signatureAlgorithms })));
    }
    messages.push(this.add(HandshakeType.certificate, certificate13Body(certificate)));
    const signed = signCertificateVerify13(options.provider, certificate.privateKey, 'server', this.transcript.hash(suite.hash));
    messages.push(this.add(HandshakeType.certificate_verify, signed));
    return this.finishFlight(schedule, { suite, choice, handshakeSecrets, peer: { kind: 'anonymous' } }, messages, clientCertificateType);
  }

  /** The ServerHello (RFC 8446 §4.1.3) with our share for the chosen group, added to the transcript; undefined for an invalid client share. */
  private serverHello(choice: Choice13, extensions: readonly Extension[]): { message: HandshakeMessage; shared?: Uint8Array } | undefined {
    const { provider } = this.options;
    const serverExtensions = [encodeSelectedVersion(DTLS_1_3)];
    let shared: Uint8Array | undefined;
    if (choice.keyExchange !== 'psk_ke' && choice.group !== undefined && choice.clientShare) {
      const share = provider.generateKeyShare(choice.group);
      shared = provider.computeSharedSecret(choice.group, share.privateKey, choice.clientShare.keyExchange) ?? undefined;
      if (!shared) return undefined;
      serverExtensions.push(encodeKeyShareSelected({ group: choice.group, keyExchange: share.publicKey }));
    }
    serverExtensions.push(...extensions);
    const message = this.add(
      HandshakeType.server_hello,
      encodeServerHello({ serverVersion: DTLS_1_2, random: this.random, sessionId: this.clientHello.sessionId, cipherSuite: choice.suite.id, compressionMethod: 0, extensions: serverExtensions }),
    );
    return { message, ...(shared ? { shared } : {}) };
  }

  /** Our Finished ends flight 4; the application secrets follow from the transcript through it (RFC 8446 §7.1). */
  private finishFlight(schedule: KeySchedule13, keyed: Omit<ServerKeyed13, 'applicationSecrets'>, messages: readonly HandshakeMessage[], clientCertificateType?: number): HandshakeStep {
    const { suite, handshakeSecrets } = keyed;
    const verifyData = finishedVerifyData(suite.hash, handshakeSecrets.server, this.transcript.hash(suite.hash));
    const finished = this.add(HandshakeType.finished, encodeFinished({ verifyData }));
    const applicationSecrets = schedule.applicationSecrets(this.transcript.hash(suite.hash));
    const full: ServerKeyed13 = { ...keyed, applicationSecrets };
    this.state = clientCertificateType === undefined ? { name: 'wait-finished', keyed: full } : { name: 'wait-client-certificate', keyed: full, clientCertificateType };
    const entries: FlightEntry[] = [...messages, finished].map((message, i) => ({ kind: 'handshake', epoch: i === 0 ? 0 : 2, message }));
    return {
      flight: { number: 4, final: false, entries },
      epochs13: [{ epoch: 2, suite, read: handshakeSecrets.client, write: handshakeSecrets.server }],
    };
  }

  /** A message of ours, numbered and in the transcript. */
  private add(msgType: number, body: Uint8Array): HandshakeMessage {
    const message = this.message(msgType, body);
    this.transcript.add(message);
    return message;
  }

  /** Takes the client's next handshake message (reassembled, in message_seq order). */
  onMessage(message: HandshakeMessage): MaybePromise<HandshakeStep> {
    const { state } = this;
    switch (state.name) {
      case 'new':
        return NOTHING;
      case 'wait-client-certificate':
        return message.msgType === HandshakeType.certificate ? this.onClientCertificate(message, state.keyed, state.clientCertificateType) : this.unexpected(message);
      case 'wait-client-certificate-verify':
        return message.msgType === HandshakeType.certificate_verify ? this.onClientCertificateVerify(message, state.keyed, state.client) : this.unexpected(message);
      default:
        return this.onClosingMessage(message);
    }
  }

  /** RFC 8446 §4.4.2.4: an empty Certificate is the client declining; with clientAuth 'required' that is certificate_required. */
  private onClientCertificate(message: HandshakeMessage, keyed: ServerKeyed13, certificateType: number): MaybePromise<HandshakeStep> {
    const decoded = decodePeerCertificate13(message.body);
    if (!decoded.ok) return this.fail(decoded.alert, decoded.reason);
    this.transcript.add(message);
    if (decoded.entries.length === 0) {
      if (this.options.clientAuth === 'required') return this.fail(AlertDescription.certificate_required, 'the client sent no certificate');
      this.state = { name: 'wait-finished', keyed };
      return NOTHING;
    }
    const check = verifyPeerCertificate13(this.options.clientAuthenticator, certificateType, decoded.entries, { signal: this.options.signal ?? NEVER_ABORTED });
    return this.after(check, (err) => `certificate check failed: ${String(err)}`, (result) => {
      if (!result.ok) return this.fail(result.alert, `client certificate rejected: ${result.reason}`);
      this.state = { name: 'wait-client-certificate-verify', keyed, client: { publicKey: result.publicKey, identity: result.identity } };
      return NOTHING;
    });
  }

  /** RFC 8446 §4.4.3: the client proves it holds its certificate's key by signing the transcript through its Certificate. */
  private onClientCertificateVerify(message: HandshakeMessage, keyed: ServerKeyed13, client: ClientCertificate13): HandshakeStep {
    const problem = checkCertificateVerify13(this.options.provider, client.publicKey, 'client', this.transcript.hash(keyed.suite.hash), message.body);
    if (problem) return this.fail(problem.alert, problem.reason);
    this.transcript.add(message);
    this.state = { name: 'wait-finished', keyed: { ...keyed, peer: client.identity } };
    return NOTHING;
  }

  /** The client's Finished (epoch 2), over the transcript through our Finished. */
  protected onFinished(message: HandshakeMessage, { suite, choice, handshakeSecrets, applicationSecrets, peer }: ServerKeyed13): HandshakeStep {
    const decoded = decodeFinished(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed Finished');
    const expected = finishedVerifyData(suite.hash, handshakeSecrets.client, this.transcript.hash(suite.hash));
    if (!timingSafeEqual(decoded.value.verifyData, expected)) return this.fail(AlertDescription.decrypt_error, 'client Finished does not verify');
    this.transcript.add(message);
    this.state = { name: 'established' };
    const established13: HandshakeSummary13 = {
      cipherSuite: suite,
      peer,
      keyExchange: choice.keyExchange,
      ...(choice.group === undefined ? {} : { group: choice.group }),
      clientRandom: this.clientHello.random,
      nextMessageSeq: this.nextSendSeq,
      applicationSecrets: { read: applicationSecrets.client, write: applicationSecrets.server },
    };
    return { epochs13: [{ epoch: 3, suite, read: applicationSecrets.client, write: applicationSecrets.server }], established13 };
  }
}
