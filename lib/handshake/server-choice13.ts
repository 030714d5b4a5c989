import type { Tls13CipherSuite } from '../crypto/tls13-cipher-suites.js';
import { AlertDescription } from '../wire/alert.js';
import type { ClientHello } from '../wire/client-hello.js';
import { ExtensionType, SignatureScheme, decodeSignatureAlgorithmsExtension, decodeSupportedGroupsExtension, findExtension } from '../wire/extensions.js';
import { decodeKeyShareOffer, type KeyShareEntry } from '../wire/key-share-extension.js';
import { decodePskKeyExchangeModesExtension, PskKeyExchangeMode } from '../wire/psk-key-exchange-modes-extension.js';
import { serverCertificateFor } from './certificate-types.js';
import type { LocalCertificate } from './peer-authentication.js';

/** RFC 8446 §4.2.11: an external PSK with no hash provisioned is used with SHA-256, so only SHA-256 suites take it. */
export const EXTERNAL_PSK_HASH = 'sha256';

/**
 * How the 1.3 keys are agreed: a PSK alone, a PSK with (EC)DHE (RFC 8446 §4.2.9), or (EC)DHE
 * alone with the server authenticated by its certificate (RFC 8446 §2, 'ecdhe').
 */
export type KeyExchange13 = PskMode13 | 'ecdhe';

/** The PSK key exchange modes (RFC 8446 §4.2.9). */
export type PskMode13 = 'psk_ke' | 'psk_dhe_ke';

/** Who proves itself how, as the cookie carries it to the second ClientHello: with a PSK, or with our certificate. */
export type Authentication13 = 'psk' | 'certificate';

/** The authentication a key exchange goes with. */
export function authenticationOf(keyExchange: KeyExchange13): Authentication13 {
  return keyExchange === 'ecdhe' ? 'certificate' : 'psk';
}

/** What a 1.3 server settles from a ClientHello before it answers: the suite, the key exchange and, with (EC)DHE, the group. */
export interface Choice13 {
  readonly suite: Tls13CipherSuite;
  readonly keyExchange: KeyExchange13;
  /** The (EC)DHE group, for psk_dhe_ke. */
  readonly group?: number;
  /** The client's share for `group`, when it sent one; without it the server asks with a HelloRetryRequest. */
  readonly clientShare?: KeyShareEntry;
  /** With 'ecdhe': our certificate of a type the client takes (RFC 7250 §4.2), which signs our CertificateVerify. */
  readonly certificate?: LocalCertificate;
}

/** What the server can serve with. */
export interface ServerOffer13 {
  /** Accepted in this order of preference. */
  readonly cipherSuites: readonly Tls13CipherSuite[];
  /** (EC)DHE groups in order of preference. */
  readonly groups: readonly number[];
  /** Whether it has pre-shared keys to look identities up in. */
  readonly psk: boolean;
  /** Our certificates, at most one per type (X.509, raw public key); without them only PSKs are taken. */
  readonly certificates?: readonly LocalCertificate[];
}

export type ChoiceResult = { readonly ok: true; readonly choice: Choice13 } | { readonly ok: false; readonly alert: number; readonly reason: string };

/**
 * The server's choice for a 1.3 ClientHello, made the same way for the first ClientHello
 * (by the stateless cookie gate, to build its HelloRetryRequest) and for the second (by the
 * handshake). A client offering a PSK to a server with PSKs gets the PSK path: our preferred
 * SHA-256 suite it offers; psk_dhe_ke on our preferred group it supports (the share it sent
 * for one of them if it did, so no second retry) or psk_ke, as psk_key_exchange_modes allow.
 * Any other client gets the certificate path when we have a certificate of a type it takes:
 * our preferred suite of all five, (EC)DHE on a group chosen as for psk_dhe_ke.
 */
export function chooseHandshake13(hello: ClientHello, offer: ServerOffer13): ChoiceResult {
  const pskOffered = findExtension(hello.extensions, ExtensionType.pre_shared_key) !== undefined;
  if (pskOffered && offer.psk) return choosePsk(hello, offer);
  if (offer.certificates?.length) return chooseCertificate(hello, offer, offer.certificates);
  return refuse(AlertDescription.handshake_failure, pskOffered ? 'the client offers a pre-shared key and this server has none' : 'the client offers no pre-shared key this server takes, and it has no certificate');
}

function choosePsk(hello: ClientHello, offer: ServerOffer13): ChoiceResult {
  const modesExtension = findExtension(hello.extensions, ExtensionType.psk_key_exchange_modes);
  // RFC 8446 §4.2.9: a PSK offer without psk_key_exchange_modes is an error.
  if (!modesExtension) return refuse(AlertDescription.missing_extension, 'pre_shared_key without psk_key_exchange_modes');
  const modes = decodePskKeyExchangeModesExtension(modesExtension.data);
  if (!modes.ok) return refuse(AlertDescription.decode_error, 'malformed psk_key_exchange_modes');
  const suite = offer.cipherSuites.find((s) => s.hash === EXTERNAL_PSK_HASH && hello.cipherSuites.includes(s.id));
  if (!suite) return refuse(AlertDescription.handshake_failure, 'no 1.3 cipher suite in common for a pre-shared key');
  const shares = clientShares(hello);
  if (!shares.ok) return shares;
  if (modes.value.includes(PskKeyExchangeMode.psk_dhe_ke)) {
    const dhe = chooseGroup(hello, offer, shares.entries);
    if (dhe) return { ok: true, choice: { suite, keyExchange: 'psk_dhe_ke', ...dhe } };
  }
  if (modes.value.includes(PskKeyExchangeMode.psk_ke)) return { ok: true, choice: { suite, keyExchange: 'psk_ke' } };
  return refuse(AlertDescription.handshake_failure, 'no PSK key exchange mode and group in common');
}

/**
 * RFC 8446 §4.2, §9.2: without pre_shared_key a ClientHello carries signature_algorithms and
 * supported_groups, and key_share with supported_groups (missing_extension otherwise); our
 * P-256 keys sign with ecdsa_secp256r1_sha256, which it must accept.
 */
function chooseCertificate(hello: ClientHello, offer: ServerOffer13, certificates: readonly LocalCertificate[]): ChoiceResult {
  const schemesExtension = findExtension(hello.extensions, ExtensionType.signature_algorithms);
  if (!schemesExtension) return refuse(AlertDescription.missing_extension, 'a certificate handshake without signature_algorithms');
  if (!findExtension(hello.extensions, ExtensionType.supported_groups)) return refuse(AlertDescription.missing_extension, 'a certificate handshake without supported_groups');
  if (!findExtension(hello.extensions, ExtensionType.key_share)) return refuse(AlertDescription.missing_extension, 'supported_groups without key_share');
  const schemes = decodeSignatureAlgorithmsExtension(schemesExtension.data);
  if (!schemes.ok) return refuse(AlertDescription.decode_error, 'malformed signature_algorithms');
  if (!schemes.value.includes(SignatureScheme.ecdsa_secp256r1_sha256)) return refuse(AlertDescription.handshake_failure, 'the client does not accept ecdsa_secp256r1_sha256 signatures');
  // RFC 7250 §4.2: no certificate of a type the client takes is unsupported_certificate.
  const certificate = serverCertificateFor(hello.extensions, certificates);
  if (!certificate) return refuse(AlertDescription.unsupported_certificate, 'no server certificate type in common');
  const suite = offer.cipherSuites.find((s) => hello.cipherSuites.includes(s.id));
  if (!suite) return refuse(AlertDescription.handshake_failure, 'no 1.3 cipher suite in common');
  const shares = clientShares(hello);
  if (!shares.ok) return shares;
  const dhe = chooseGroup(hello, offer, shares.entries);
  if (!dhe) return refuse(AlertDescription.handshake_failure, 'no (EC)DHE group in common');
  return { ok: true, choice: { suite, keyExchange: 'ecdhe', ...dhe, certificate } };
}

/** Our preferred group the client supports, the one it sent a share for if it did (so no HelloRetryRequest for the group). */
function chooseGroup(hello: ClientHello, offer: ServerOffer13, shares: readonly KeyShareEntry[]): { group: number; clientShare?: KeyShareEntry } | undefined {
  const groups = clientGroups(hello);
  const ordered = offer.groups.filter((g) => groups.includes(g));
  const group = ordered.find((g) => shares.some((e) => e.group === g)) ?? ordered[0];
  if (group === undefined) return undefined;
  const clientShare = shares.find((e) => e.group === group);
  return { group, ...(clientShare ? { clientShare } : {}) };
}

function clientGroups(hello: ClientHello): number[] {
  const extension = findExtension(hello.extensions, ExtensionType.supported_groups);
  if (!extension) return [];
  const decoded = decodeSupportedGroupsExtension(extension.data);
  return decoded.ok ? decoded.value : [];
}

function clientShares(hello: ClientHello): { ok: true; entries: readonly KeyShareEntry[] } | { ok: false; alert: number; reason: string } {
  const extension = findExtension(hello.extensions, ExtensionType.key_share);
  if (!extension) return { ok: true, entries: [] };
  const decoded = decodeKeyShareOffer(extension.data);
  return decoded.ok ? { ok: true, entries: decoded.value } : refuse(AlertDescription.illegal_parameter, 'malformed key_share');
}

function refuse(alert: number, reason: string): { ok: false; alert: number; reason: string } {
  return { ok: false, alert, reason };
}
