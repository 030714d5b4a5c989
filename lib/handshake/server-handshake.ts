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
import { isEmptyCertificate, offeredCertificateTypes, verifyPeerCertificate } from './certificate-types.js';
import type { HandshakeMessage } from './handshake-message.js';
import { NOTHING, type HandshakeStep, type MaybePromise, type PeerIdentity } from './handshake-step.js';
import type { FlightEntry } from './flight.js';
import { FlightMachine, type ClosingState } from './flight-machine.js';
import { checkClientHelloExtensions, serverHelloExtensions } from './hello-extensions.js';
import { acceptedTypes, type LocalCertificate, type PeerAuthenticator } from './peer-authentication.js';
import { NEVER_ABORTED, type LookupContext } from './lookup-context.js';
import type { ServerPskLookup } from './psk-credentials.js';
import { serverKeyExchangeSignedData } from './signed-params.js';
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
  /** Our certificates for ECDHE_ECDSA, at most one per certificate type (X.509, raw public key). */
  readonly certificates?: readonly LocalCertificate[];
  /** Whether a CertificateRequest is sent, and whether an empty answer fails the handshake. */
  readonly clientAuth?: 'none' | 'optional' | 'required';
  /** How client certificates are judged. */
  readonly clientAuthenticator?: PeerAuthenticator;
  /** Passed to async lookups (PSK, client key trust); aborted when this handshake ends. */
  readonly signal?: AbortSignal;
}

type State =
  | 'new'
  | 'wait-client-certificate'
  | 'wait-client-key-exchange'
  | 'wait-certificate-verify';

/**
 * The server's side of a full DTLS 1.2 handshake, from a ClientHello whose cookie
 * the endpoint already verified: flight 4 (ServerHello, [ServerKeyExchange],
 * ServerHelloDone), then the client's flight 5, then flight 6 (ChangeCipherSpec,
 * Finished), which is final (RFC 6347 §4.2.4).
 */
export class ServerHandshake extends FlightMachine<State> {
  protected state: State | ClosingState = 'new';
  private readonly random: Uint8Array;
  private readonly transcript = new Transcript();
  private suite?: CipherSuite;
  private group?: number;
  private keyShare?: KeyShare;
  private extendedMasterSecret = false;
  private pskIdentity?: Uint8Array;
  private certificate?: LocalCertificate;
  private clientCertificateType?: number;
  private client?: { publicKey: Uint8Array; identity: PeerIdentity };
  private keys?: SessionKeys;

  constructor(
    private readonly options: ServerHandshakeOptions,
    private readonly clientHelloMessage: HandshakeMessage,
    private readonly clientHello: ClientHello,
  ) {
    // A stateless cookie exchange consumed message_seq 0 on both sides: the server
    // answers with the ClientHello's message_seq (RFC 6347 §4.2.2).
    super(clientHelloMessage.messageSeq);
    this.random = options.provider.randomBytes(32);
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
    if (this.state !== 'new') return NOTHING;
    const hello = this.clientHello;
    // DTLS versions count down (1.0 is 0xfeff, 1.2 is 0xfefd): a larger number is an older version only.
    if (hello.clientVersion > DTLS_1_2) return this.fail(AlertDescription.protocol_version, 'client does not offer DTLS 1.2');
    if (!hello.compressionMethods.includes(0)) return this.fail(AlertDescription.illegal_parameter, 'client offers no null compression');
    const extensionProblem = checkClientHelloExtensions(hello.extensions);
    if (extensionProblem) return this.fail(extensionProblem.alert, extensionProblem.reason);
    const groups = this.clientGroups();
    const suite = this.options.cipherSuites.find((s) => hello.cipherSuites.includes(s.id) && this.canServe(s, groups));
    if (!suite) return this.fail(AlertDescription.handshake_failure, 'no cipher suite in common');
    this.suite = suite;
    this.extendedMasterSecret = findExtension(hello.extensions, ExtensionType.extended_master_secret) !== undefined;
    this.transcript.add(this.clientHelloMessage);
    const requestClientCertificate = suite.keyExchange === 'ECDHE_ECDSA' && this.chooseClientCertificateType();
    if (suite.keyExchange === 'ECDHE_ECDSA' && !requestClientCertificate && this.options.clientAuth === 'required') {
      return this.fail(AlertDescription.unsupported_certificate, 'no client certificate type in common');
    }

    const messages = [
      this.message(
        HandshakeType.server_hello,
        encodeServerHello({
          serverVersion: DTLS_1_2,
          random: this.random,
          sessionId: new Uint8Array(0),
          cipherSuite: suite.id,
          compressionMethod: 0,
          extensions: serverHelloExtensions({
            clientExtensions: hello.extensions,
            clientSuites: hello.cipherSuites,
            suite,
            serverCertificateType: this.certificate?.type,
            clientCertificateType: requestClientCertificate ? this.clientCertificateType : undefined,
          }),
        }),
      ),
    ];
    const hint = this.options.pskIdentityHint ?? new Uint8Array(0);
    if (suite.keyExchange === 'PSK') {
      if (hint.length > 0) {
        messages.push(this.message(HandshakeType.server_key_exchange, encodeServerKeyExchangePsk({ pskIdentityHint: hint })));
      }
    } else {
      this.group = this.options.groups.find((g) => groups.includes(g))!;
      this.keyShare = this.options.provider.generateKeyShare(this.group);
      const { publicKey } = this.keyShare;
      if (suite.keyExchange === 'ECDHE_PSK') {
        const ske = encodeServerKeyExchangeEcdhePsk({ pskIdentityHint: hint, namedGroup: this.group, publicKey });
        messages.push(this.message(HandshakeType.server_key_exchange, ske));
      } else {
        const certificate = this.certificate!;
        const signed = serverKeyExchangeSignedData(hello.random, this.random, this.group, publicKey);
        const signature = this.options.provider.ecdsaSign(certificate.privateKey, signed);
        const ske = encodeServerKeyExchangeEcdhe({
          namedGroup: this.group,
          publicKey,
          signatureScheme: SignatureScheme.ecdsa_secp256r1_sha256,
          signature,
        });
        messages.push(this.message(HandshakeType.certificate, certificate.certificateBody));
        messages.push(this.message(HandshakeType.server_key_exchange, ske));
        if (requestClientCertificate) {
          const request = encodeCertificateRequest({
            certificateTypes: [ClientCertificateType.ecdsa_sign],
            signatureSchemes: [SignatureScheme.ecdsa_secp256r1_sha256],
            certificateAuthorities: [],
          });
          messages.push(this.message(HandshakeType.certificate_request, request));
        }
      }
    }
    messages.push(this.message(HandshakeType.server_hello_done, encodeServerHelloDone()));
    messages.forEach((m) => this.transcript.add(m));
    this.state = requestClientCertificate ? 'wait-client-certificate' : 'wait-client-key-exchange';
    const entries: FlightEntry[] = messages.map((message) => ({ kind: 'handshake', epoch: 0, message }));
    return { flight: { number: 4, final: false, entries } };
  }

  onMessage(message: HandshakeMessage): MaybePromise<HandshakeStep> {
    const expect = (type: number, handle: (m: HandshakeMessage) => MaybePromise<HandshakeStep>) =>
      message.msgType === type ? handle(message) : this.unexpected(message);
    switch (this.state) {
      case 'wait-client-certificate':
        return expect(HandshakeType.certificate, (m) => this.onClientCertificate(m));
      case 'wait-client-key-exchange':
        return expect(HandshakeType.client_key_exchange, (m) => this.onClientKeyExchange(m));
      case 'wait-certificate-verify':
        return expect(HandshakeType.certificate_verify, (m) => this.onCertificateVerify(m));
      case 'wait-change-cipher-spec':
        return this.holdFinished(message);
      case 'wait-finished':
        return expect(HandshakeType.finished, (m) => this.onFinished(m));
      default:
        return NOTHING;
    }
  }

  /** The client's groups; RFC 8422 §4: without the extension, assume secp256r1. */
  private clientGroups(): number[] {
    const extension = findExtension(this.clientHello.extensions, ExtensionType.supported_groups);
    if (!extension) return [NamedGroup.secp256r1];
    const decoded = decodeSupportedGroupsExtension(extension.data);
    return decoded.ok ? decoded.value : [];
  }

  private canServe(suite: CipherSuite, clientGroups: readonly number[]): boolean {
    const commonGroup = this.options.groups.some((g) => clientGroups.includes(g));
    switch (suite.keyExchange) {
      case 'PSK':
        return this.options.pskLookup !== undefined;
      case 'ECDHE_PSK':
        return this.options.pskLookup !== undefined && commonGroup;
      case 'ECDHE_ECDSA':
        // RFC 8422 §5.1: the client's curves also bound the certificate key, and ours are P-256.
        return commonGroup && clientGroups.includes(NamedGroup.secp256r1) && this.clientAcceptsEcdsa() && this.chooseCertificate();
    }
  }

  /** RFC 5246 §7.4.1.4.1: the client must list ecdsa_secp256r1_sha256 when it sends signature_algorithms. */
  private clientAcceptsEcdsa(): boolean {
    const extension = findExtension(this.clientHello.extensions, ExtensionType.signature_algorithms);
    if (!extension) return true;
    const decoded = decodeSignatureAlgorithmsExtension(extension.data);
    return decoded.ok && decoded.value.includes(SignatureScheme.ecdsa_secp256r1_sha256);
  }

  /** Picks our certificate of a type the client accepts (RFC 7250 §4.2: in the client's order). */
  private chooseCertificate(): boolean {
    const offered = offeredCertificateTypes(this.clientHello.extensions, 'server') ?? [];
    const ours = this.options.certificates ?? [];
    for (const type of offered) {
      this.certificate = ours.find((c) => c.type === type);
      if (this.certificate) return true;
    }
    return false;
  }

  /** Picks the client certificate type to ask for; false when client authentication is off or impossible. */
  private chooseClientCertificateType(): boolean {
    if ((this.options.clientAuth ?? 'none') === 'none') return false;
    const accepted = acceptedTypes(this.options.clientAuthenticator);
    const offered = offeredCertificateTypes(this.clientHello.extensions, 'client') ?? [];
    this.clientCertificateType = offered.find((t) => accepted.includes(t));
    return this.clientCertificateType !== undefined;
  }

  private onClientCertificate(message: HandshakeMessage): MaybePromise<HandshakeStep> {
    this.transcript.add(message);
    if (isEmptyCertificate(message.body)) {
      // RFC 5246 §7.4.6: a server that requires client authentication answers an empty list with handshake_failure.
      if (this.options.clientAuth === 'required') return this.fail(AlertDescription.handshake_failure, 'the client sent no certificate');
      this.state = 'wait-client-key-exchange';
      return NOTHING;
    }
    const check = verifyPeerCertificate(this.options.clientAuthenticator, this.clientCertificateType!, message.body, this.lookupContext);
    const next = (result: Awaited<typeof check>): HandshakeStep => {
      if (this.state !== 'wait-client-certificate') return NOTHING;
      if (!result.ok) return this.fail(result.alert, `client certificate rejected: ${result.reason}`);
      this.client = { publicKey: result.publicKey, identity: result.identity };
      this.state = 'wait-client-key-exchange';
      return NOTHING;
    };
    return check instanceof Promise
      ? check.then(next, (err: unknown) => this.fail(AlertDescription.internal_error, `certificate check failed: ${String(err)}`))
      : next(check);
  }

  private onClientKeyExchange(message: HandshakeMessage): MaybePromise<HandshakeStep> {
    const suite = this.suite!;
    this.transcript.add(message);
    if (suite.keyExchange === 'ECDHE_ECDSA') {
      const cke = decodeClientKeyExchangeEcdhe(message.body);
      if (!cke.ok) return this.fail(AlertDescription.decode_error, 'malformed ClientKeyExchange');
      const shared = this.sharedSecret(cke.value.publicKey);
      if (!shared) return this.fail(AlertDescription.illegal_parameter, 'invalid client ECDHE public key');
      return this.deriveKeys(shared, this.client ? 'wait-certificate-verify' : 'wait-change-cipher-spec');
    }
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
      ecdheShared = this.sharedSecret(cke.value.publicKey);
      if (!ecdheShared) return this.fail(AlertDescription.illegal_parameter, 'invalid client ECDHE public key');
    }
    this.pskIdentity = identity;
    const key = this.options.pskLookup!(identity, this.lookupContext);
    return key instanceof Promise
      ? key.then(
          (k) => this.withPsk(k, ecdheShared),
          () => this.fail(AlertDescription.internal_error, 'PSK lookup failed'),
        )
      : this.withPsk(key, ecdheShared);
  }

  private sharedSecret(clientPublicKey: Uint8Array): Uint8Array | undefined {
    return this.options.provider.computeSharedSecret(this.group!, this.keyShare!.privateKey, clientPublicKey) ?? undefined;
  }

  private withPsk(key: Uint8Array | undefined, ecdheShared: Uint8Array | undefined): HandshakeStep {
    if (this.state !== 'wait-client-key-exchange') return NOTHING;
    // RFC 4279 §2: an unknown identity may be answered with unknown_psk_identity.
    if (!key) return this.fail(AlertDescription.unknown_psk_identity, 'unknown PSK identity');
    return this.deriveKeys(ecdheShared ? ecdhePskPremasterSecret(ecdheShared, key) : pskPremasterSecret(key), 'wait-change-cipher-spec');
  }

  private deriveKeys(preMasterSecret: Uint8Array, next: State | ClosingState): HandshakeStep {
    const suite = this.suite!;
    this.keys = deriveSessionKeys({
      provider: this.options.provider,
      suite,
      role: 'server',
      preMasterSecret,
      clientRandom: this.clientHello.random,
      serverRandom: this.random,
      // RFC 7627 §3: the session hash runs up to and including ClientKeyExchange.
      sessionHash: this.extendedMasterSecret ? this.transcript.hash(suite.prfHash) : undefined,
    });
    this.state = next;
    return { keys: { read: this.keys.read, write: this.keys.write, suite } };
  }

  /** RFC 5246 §7.4.8: the client proves it holds the key of its certificate by signing the transcript so far. */
  private onCertificateVerify(message: HandshakeMessage): HandshakeStep {
    const decoded = decodeCertificateVerify(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed CertificateVerify');
    if (decoded.value.signatureScheme !== SignatureScheme.ecdsa_secp256r1_sha256) {
      return this.fail(AlertDescription.illegal_parameter, 'CertificateVerify with a scheme not offered');
    }
    if (!this.options.provider.ecdsaVerify(this.client!.publicKey, this.transcript.bytes(), decoded.value.signature)) {
      return this.fail(AlertDescription.decrypt_error, 'CertificateVerify signature does not verify');
    }
    this.transcript.add(message);
    this.state = 'wait-change-cipher-spec';
    return NOTHING;
  }

  protected onFinished(message: HandshakeMessage): HandshakeStep {
    const suite = this.suite!;
    const keys = this.keys!;
    const decoded = decodeFinished(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed Finished');
    const expected = computeVerifyData(suite.prfHash, keys.master, 'client finished', this.transcript.hash(suite.prfHash));
    if (!timingSafeEqual(decoded.value.verifyData, expected)) {
      return this.fail(AlertDescription.decrypt_error, 'client Finished does not verify (wrong pre-shared key?)');
    }
    this.transcript.add(message);
    const verifyData = computeVerifyData(suite.prfHash, keys.master, 'server finished', this.transcript.hash(suite.prfHash));
    const finished = this.message(HandshakeType.finished, encodeFinished({ verifyData }));
    // Both Finished messages are done: nothing more is derived from the master secret.
    keys.master.destroy();
    this.state = 'established';
    const peer: PeerIdentity = this.pskIdentity
      ? { kind: 'psk', identity: this.pskIdentity }
      : (this.client?.identity ?? { kind: 'anonymous' });
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
        peer,
        extendedMasterSecret: this.extendedMasterSecret,
        clientRandom: this.clientHello.random,
        masterSecret: keys.masterSecret,
      },
    };
  }
}
