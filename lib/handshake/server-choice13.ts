import type { Tls13CipherSuite } from '../crypto/tls13-cipher-suites.js';
import { AlertDescription } from '../wire/alert.js';
import type { ClientHello } from '../wire/client-hello.js';
import { ExtensionType, decodeSupportedGroupsExtension, findExtension } from '../wire/extensions.js';
import { decodeKeyShareOffer, type KeyShareEntry } from '../wire/key-share-extension.js';
import { decodePskKeyExchangeModesExtension, PskKeyExchangeMode } from '../wire/psk-key-exchange-modes-extension.js';

/** RFC 8446 §4.2.11: an external PSK with no hash provisioned is used with SHA-256, so only SHA-256 suites take it. */
export const EXTERNAL_PSK_HASH = 'sha256';

/** How the 1.3 keys are agreed (RFC 8446 §4.2.9): a PSK alone, a PSK with (EC)DHE. */
export type KeyExchange13 = 'psk_ke' | 'psk_dhe_ke';

/** What a 1.3 server settles from a ClientHello before it answers: the suite, the key exchange and, with (EC)DHE, the group. */
export interface Choice13 {
  readonly suite: Tls13CipherSuite;
  readonly keyExchange: KeyExchange13;
  /** The (EC)DHE group, for psk_dhe_ke. */
  readonly group?: number;
  /** The client's share for `group`, when it sent one; without it the server asks with a HelloRetryRequest. */
  readonly clientShare?: KeyShareEntry;
}

/** What the server can serve with. */
export interface ServerOffer13 {
  /** Accepted in this order of preference. */
  readonly cipherSuites: readonly Tls13CipherSuite[];
  /** (EC)DHE groups in order of preference. */
  readonly groups: readonly number[];
  /** Whether it has pre-shared keys to look identities up in. */
  readonly psk: boolean;
}

export type ChoiceResult = { readonly ok: true; readonly choice: Choice13 } | { readonly ok: false; readonly alert: number; readonly reason: string };

/**
 * The server's choice for a 1.3 ClientHello, made the same way for the first ClientHello
 * (by the stateless cookie gate, to build its HelloRetryRequest) and for the second (by the
 * handshake): our preferred suite the client offers; with a PSK offered and
 * psk_key_exchange_modes saying how, psk_dhe_ke on our preferred group the client supports
 * (the share it sent for one of them if it did, so no second retry) or psk_ke.
 */
export function chooseHandshake13(hello: ClientHello, offer: ServerOffer13): ChoiceResult {
  const pskOffered = findExtension(hello.extensions, ExtensionType.pre_shared_key) !== undefined;
  if (!pskOffered || !offer.psk) return refuse(AlertDescription.handshake_failure, 'the client offers no pre-shared key this server takes (1.3 certificates are not implemented)');
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
    const groups = clientGroups(hello).filter((g) => offer.groups.includes(g));
    const ordered = offer.groups.filter((g) => groups.includes(g));
    const shared = ordered.find((g) => shares.entries.some((e) => e.group === g));
    const group = shared ?? ordered[0];
    if (group !== undefined) {
      const clientShare = shares.entries.find((e) => e.group === group);
      return { ok: true, choice: { suite, keyExchange: 'psk_dhe_ke', group, ...(clientShare ? { clientShare } : {}) } };
    }
  }
  if (modes.value.includes(PskKeyExchangeMode.psk_ke)) return { ok: true, choice: { suite, keyExchange: 'psk_ke' } };
  return refuse(AlertDescription.handshake_failure, 'no PSK key exchange mode and group in common');
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
