import { AlertDescription } from '../wire/alert.js';
import type { ClientHello } from '../wire/client-hello.js';
import { DTLS_1_2, DTLS_1_3 } from '../wire/constants.js';
import { ExtensionType, findExtension } from '../wire/extensions.js';
import { decodeSupportedVersionsOffer } from '../wire/supported-versions-extension.js';

/** The DTLS versions rx-dtls speaks, by the name options use. */
export type DtlsVersion = '1.2' | '1.3';

/** Wire value of each version (RFC 9147 §5.3: 1.3 is 0xfefc, and appears only in supported_versions). */
export const DTLS_VERSION_CODES: Readonly<Record<DtlsVersion, number>> = { '1.2': DTLS_1_2, '1.3': DTLS_1_3 };

/** The version a server chose for a ClientHello, or why none fits. */
export type VersionChoice =
  | { readonly ok: true; readonly version: DtlsVersion }
  | { readonly ok: false; readonly alert: number; readonly reason: string };

/**
 * The server's choice (RFC 8446 §4.2.1, RFC 9147 §5.3). A server that accepts 1.3 reads
 * only supported_versions when the client sent it, ignoring legacy_version, and takes the
 * newest version both accept; code points it does not know (NSS's draft DTLS 1.3, 0x7f2b,
 * or GREASE) are skipped, never taken for 1.3. Without the extension, or at a 1.2-only
 * server (which, as RFC 8446 §4.2.1 says of servers without 1.3, ignores it), the
 * legacy client_version decides: DTLS 1.2 or newer gets 1.2.
 */
export function chooseVersion(hello: ClientHello, accepted: readonly DtlsVersion[]): VersionChoice {
  const extension = findExtension(hello.extensions, ExtensionType.supported_versions);
  if (extension && accepted.includes('1.3')) {
    const offered = decodeSupportedVersionsOffer(extension.data);
    if (!offered.ok) return { ok: false, alert: AlertDescription.decode_error, reason: 'malformed supported_versions' };
    if (offered.value.includes(DTLS_1_3)) return { ok: true, version: '1.3' };
    if (offered.value.includes(DTLS_1_2) && accepted.includes('1.2')) return { ok: true, version: '1.2' };
    return { ok: false, alert: AlertDescription.protocol_version, reason: `client offers no version this server accepts (supported_versions ${offered.value.map(hex).join(', ')})` };
  }
  // DTLS versions count down (1.0 is 0xfeff, 1.2 is 0xfefd): a larger number is an older version.
  if (hello.clientVersion <= DTLS_1_2 && accepted.includes('1.2')) return { ok: true, version: '1.2' };
  return { ok: false, alert: AlertDescription.protocol_version, reason: `client does not offer DTLS ${accepted.join(' or ')}` };
}

/**
 * RFC 8446 §4.1.3 as RFC 9147 §5.3 applies it to DTLS: a server that accepts 1.3 and
 * negotiates 1.2 ends its ServerHello.random with these 8 bytes ("DOWNGRD" 01), so a
 * 1.3 client sees when an attacker stripped its 1.3 offer.
 */
export const DOWNGRADE_SENTINEL = Uint8Array.of(0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01);

/** The random with its last 8 bytes replaced by the sentinel. */
export function withDowngradeSentinel(random: Uint8Array): Uint8Array {
  const marked = random.slice();
  marked.set(DOWNGRADE_SENTINEL, marked.length - DOWNGRADE_SENTINEL.length);
  return marked;
}

/** Whether a ServerHello.random carries the sentinel (public bytes: a plain comparison). */
export function carriesDowngradeSentinel(random: Uint8Array): boolean {
  const tail = random.subarray(random.length - DOWNGRADE_SENTINEL.length);
  return tail.length === DOWNGRADE_SENTINEL.length && tail.every((byte, i) => byte === DOWNGRADE_SENTINEL[i]);
}

function hex(version: number): string {
  return `0x${version.toString(16).padStart(4, '0')}`;
}
