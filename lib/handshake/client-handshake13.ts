import { timingSafeEqual } from '../crypto/constant-time.js';
import type { KeyShare } from '../crypto/ecdhe.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { KeySchedule13, finishedVerifyData } from '../crypto/tls13-key-schedule.js';
import type { Tls13CipherSuite } from '../crypto/tls13-cipher-suites.js';
import { AlertDescription } from '../wire/alert.js';
import { encodeClientHello, type ClientHello } from '../wire/client-hello.js';
import { DTLS_1_2, DTLS_1_3, HandshakeType } from '../wire/constants.js';
import { decodeCookieExtension, encodeCookieExtension } from '../wire/cookie-extension.js';
import type { Extension } from '../wire/extension-type.js';
import { decodeEncryptedExtensions } from '../wire/encrypted-extensions.js';
import { ExtensionType, SignatureScheme, encodeSignatureAlgorithmsExtension, encodeSupportedGroupsExtension, findExtension } from '../wire/extensions.js';
import { decodeFinished, encodeFinished } from '../wire/finished.js';
import { decodeKeyShareRetry, decodeKeyShareSelected, encodeKeyShareOffer } from '../wire/key-share-extension.js';
import { bindersLength, decodeSelectedIdentity, encodeOfferedPsks, type OfferedPsks } from '../wire/pre-shared-key-extension.js';
import { PskKeyExchangeMode, encodePskKeyExchangeModesExtension } from '../wire/psk-key-exchange-modes-extension.js';
import { decodeServerHello, type ServerHello } from '../wire/server-hello.js';
import { decodeSelectedVersion, encodeSupportedVersionsOffer } from '../wire/supported-versions-extension.js';
import type { Flight } from './flight.js';
import { FlightMachine, type ClosingState } from './flight-machine.js';
import type { HandshakeMessage } from './handshake-message.js';
import { NOTHING, type HandshakeStep, type HandshakeSummary13, type MaybePromise } from './handshake-step.js';
import { HELLO_RETRY_REQUEST_RANDOM } from './hello-retry13.js';
import { withDtls12Offer } from './dual-client-hello.js';
import type { PskCredential } from './psk-credentials.js';
import { EXTERNAL_PSK_HASH, type KeyExchange13 } from './server-choice13.js';
import { Transcript13, messageHash } from './transcript13.js';

/** What a {@link ClientHandshake13} offers. */
export interface ClientHandshake13Options {
  /** The cryptographic primitives. */
  readonly provider: CryptoProvider;
  /** The 1.3 suites in order of preference; with an external PSK only SHA-256 ones are offered (RFC 8446 §4.2.11). */
  readonly cipherSuites: readonly Tls13CipherSuite[];
  /** (EC)DHE groups in order of preference; the first gets a key share in the first ClientHello. */
  readonly groups: readonly number[];
  /** The external PSK offered. */
  readonly psk: PskCredential;
  /** The key exchange modes offered, preferred first (default psk_dhe_ke, psk_ke). */
  readonly keyExchanges?: readonly KeyExchange13[];
  /** A client offering DTLS 1.2 too: the 1.2 ClientHello whose random, suites and extensions the first ClientHello carries beside 1.3's (withDtls12Offer). */
  readonly alsoOffer12?: ClientHello;
}

/** The ClientHello we sent last and the key shares it carries. */
interface Offer {
  readonly hello: ClientHello;
  readonly message: HandshakeMessage;
  readonly shares: readonly KeyShare[];
}

/** What the client knows once its handshake keys exist. */
interface ClientKeyed13 {
  readonly suite: Tls13CipherSuite;
  readonly keyExchange: KeyExchange13;
  readonly group?: number;
  readonly handshakeSecrets: { readonly client: Uint8Array; readonly server: Uint8Array };
}

type State =
  | { readonly name: 'start' }
  | { readonly name: 'wait-server-hello'; readonly offer: Offer; readonly retry?: { readonly suite: Tls13CipherSuite } }
  | { readonly name: 'wait-encrypted-extensions'; readonly keyed: ClientKeyed13 };

/** HelloRetryRequests answered in one handshake: RFC 8446 §4.1.4 allows one. */
const MAX_RETRIES = 1;

/**
 * The client's side of a DTLS 1.3 handshake with an external PSK (RFC 9147 §5, RFC 8446
 * §4): 1 ClientHello (key share for our first group, psk_key_exchange_modes, the PSK and
 * its binder last) -> [2 HelloRetryRequest -> 3 ClientHello with the cookie and, if asked,
 * a share for another group] -> 4 ServerHello (epoch 0), EncryptedExtensions, Finished
 * (epoch 2) -> 5 Finished (epoch 2), after which application data flows in epoch 3.
 * Pure: messages in, steps out.
 */
export class ClientHandshake13 extends FlightMachine<State, ClientKeyed13> {
  protected state: State | ClosingState<ClientKeyed13> = { name: 'start' };
  private readonly random: Uint8Array;
  private transcript = new Transcript13();
  private readonly schedule: KeySchedule13;
  private readonly suites: readonly Tls13CipherSuite[];
  private readonly modes: readonly KeyExchange13[];
  private retries = 0;

  constructor(private readonly options: ClientHandshake13Options) {
    super(0);
    this.random = options.alsoOffer12?.random ?? options.provider.randomBytes(32);
    this.suites = options.cipherSuites.filter((s) => s.hash === EXTERNAL_PSK_HASH);
    if (this.suites.length === 0) throw new RangeError('an external PSK needs a SHA-256 suite (RFC 8446 §4.2.11)');
    this.modes = options.keyExchanges ?? ['psk_dhe_ke', 'psk_ke'];
    this.schedule = new KeySchedule13(EXTERNAL_PSK_HASH, options.psk.key);
  }

  /** Flight 1. */
  start(): HandshakeStep {
    if (this.state.name !== 'start') return NOTHING;
    const dhe = this.modes.includes('psk_dhe_ke') && this.options.groups.length > 0;
    const shares = dhe ? [this.options.provider.generateKeyShare(this.options.groups[0])] : [];
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
      // Not needed for a PSK, but peers that check for it everywhere (and certificates, later) find it.
      encodeSignatureAlgorithmsExtension([SignatureScheme.ecdsa_secp256r1_sha256]),
      encodePskKeyExchangeModesExtension(this.modes.map((m) => PskKeyExchangeMode[m])),
    ];
    if (shares.length > 0) {
      extensions.push(encodeSupportedGroupsExtension([...options.groups]));
      extensions.push(encodeKeyShareOffer(shares.map((s) => ({ group: s.group, keyExchange: s.publicKey }))));
    }
    return withDtls12Offer({
      clientVersion: DTLS_1_2,
      random: this.random,
      // RFC 9147 §5.3: no middlebox compatibility mode, so no legacy session ID and no legacy cookie.
      sessionId: new Uint8Array(0),
      cookie: new Uint8Array(0),
      cipherSuites: this.suites.map((s) => s.id),
      compressionMethods: [0],
      extensions,
    }, options.alsoOffer12);
  }

  /**
   * The ClientHello with the PSK last and its binder (RFC 8446 §4.2.11.2): a Finished over
   * the transcript so far and this ClientHello up to the binders, whose length is known
   * before their value, so the hello is encoded once with a placeholder and once for real.
   */
  private offer(hello: ClientHello, shares: readonly KeyShare[]): Offer {
    const { psk } = this.options;
    const placeholder: OfferedPsks = { identities: [{ identity: psk.identity, obfuscatedTicketAge: 0 }], binders: [new Uint8Array(32)] };
    const withPsk = (offered: OfferedPsks): ClientHello => ({
      ...hello,
      extensions: [...hello.extensions, encodeOfferedPsks(offered)],
    });
    const draft = encodeClientHello(withPsk(placeholder));
    const cut = bindersLength(placeholder);
    const partial = this.transcript.partialHash(EXTERNAL_PSK_HASH, { msgType: HandshakeType.client_hello, body: draft }, cut);
    const binder = finishedVerifyData(EXTERNAL_PSK_HASH, this.schedule.binderKey('external'), partial);
    const final = withPsk({ ...placeholder, binders: [binder] });
    const message = this.message(HandshakeType.client_hello, encodeClientHello(final));
    return { hello: final, message, shares };
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
    const pskExtension = findExtension(hello.extensions, ExtensionType.pre_shared_key);
    const identity = pskExtension && decodeSelectedIdentity(pskExtension.data);
    if (!identity?.ok || identity.value !== 0) return this.fail(AlertDescription.illegal_parameter, 'server did not select our PSK');
    const shareExtension = findExtension(hello.extensions, ExtensionType.key_share);
    let shared: Uint8Array | undefined;
    let keyExchange: KeyExchange13 = 'psk_ke';
    let group: number | undefined;
    if (shareExtension) {
      const share = decodeKeyShareSelected(shareExtension.data);
      if (!share.ok) return this.fail(AlertDescription.decode_error, 'malformed key_share');
      const ours = offer.shares.find((s) => s.group === share.value.group);
      if (!ours || !this.modes.includes('psk_dhe_ke')) return this.fail(AlertDescription.illegal_parameter, 'server answered a key share we did not send');
      shared = this.options.provider.computeSharedSecret(ours.group, ours.privateKey, share.value.keyExchange) ?? undefined;
      if (!shared) return this.fail(AlertDescription.illegal_parameter, 'invalid server key share');
      keyExchange = 'psk_dhe_ke';
      group = ours.group;
    } else if (!this.modes.includes('psk_ke')) {
      return this.fail(AlertDescription.missing_extension, 'server chose psk_ke, which we did not offer');
    }
    this.transcript.add(offer.message);
    this.transcript.add(message);
    const handshakeSecrets = this.schedule.handshakeSecrets(shared, this.transcript.hash(suite.hash));
    this.state = { name: 'wait-encrypted-extensions', keyed: { suite, keyExchange, ...(group === undefined ? {} : { group }), handshakeSecrets } };
    return { epochs13: [{ epoch: 2, suite, read: handshakeSecrets.server, write: handshakeSecrets.client }] };
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
      if (!this.options.groups.includes(group.value) || shares.some((s) => s.group === group.value) || !this.modes.includes('psk_dhe_ke')) {
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
    const second = this.offer({ ...offer.hello, extensions }, shares);
    this.state = { name: 'wait-server-hello', offer: second, retry: { suite } };
    return { flight: helloFlight(second, 3) };
  }

  private onEncryptedExtensions(message: HandshakeMessage, keyed: ClientKeyed13): HandshakeStep {
    const decoded = decodeEncryptedExtensions(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed EncryptedExtensions');
    // RFC 8446 §4.2.10: we offered no early_data, so the server cannot accept it.
    if (findExtension(decoded.value, ExtensionType.early_data)) return this.fail(AlertDescription.unsupported_extension, 'server accepted early data we did not offer');
    this.transcript.add(message);
    this.state = { name: 'wait-finished', keyed };
    return NOTHING;
  }

  /** The server's Finished, then ours (flight 5) and the application keys. */
  protected onFinished(message: HandshakeMessage, { suite, keyExchange, group, handshakeSecrets }: ClientKeyed13): HandshakeStep {
    const decoded = decodeFinished(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed Finished');
    const expected = finishedVerifyData(suite.hash, handshakeSecrets.server, this.transcript.hash(suite.hash));
    if (!timingSafeEqual(decoded.value.verifyData, expected)) return this.fail(AlertDescription.decrypt_error, 'server Finished does not verify (wrong pre-shared key?)');
    this.transcript.add(message);
    const applicationSecrets = this.schedule.applicationSecrets(this.transcript.hash(suite.hash));
    const verifyData = finishedVerifyData(suite.hash, handshakeSecrets.client, this.transcript.hash(suite.hash));
    const finished = this.message(HandshakeType.finished, encodeFinished({ verifyData }));
    this.transcript.add(finished);
    this.state = { name: 'established' };
    const established13: HandshakeSummary13 = {
      cipherSuite: suite,
      peer: { kind: 'psk', identity: this.options.psk.identity },
      keyExchange,
      ...(group === undefined ? {} : { group }),
      clientRandom: this.random,
      nextMessageSeq: this.nextSendSeq,
      applicationSecrets: { read: applicationSecrets.server, write: applicationSecrets.client },
    };
    // RFC 9147 §5.8.1, §7.1: the client's last flight is retransmitted until the server acknowledges it.
    const flight: Flight = { number: 5, final: false, entries: [{ kind: 'handshake', epoch: 2, message: finished }] };
    return { flight, epochs13: [{ epoch: 3, suite, read: applicationSecrets.server, write: applicationSecrets.client }], established13 };
  }
}

/** Randoms and session IDs are public: a plain comparison. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function helloFlight(offer: Offer, number: number): Flight {
  return { number, final: false, entries: [{ kind: 'handshake', epoch: 0, message: offer.message }] };
}
