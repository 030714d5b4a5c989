import type { AeadAlgorithm } from './aead.js';
import type { HashAlgorithm } from './hash.js';

/**
 * A TLS 1.3 / DTLS 1.3 cipher suite (RFC 8446 §B.4, RFC 9147 §4): only the AEAD and the
 * hash of HKDF; the key exchange and the signature are negotiated apart.
 */
export interface Tls13CipherSuite {
  /** IANA code point (0x13xx). */
  readonly id: number;
  /** IANA name, e.g. "TLS_AES_128_CCM_8_SHA256". */
  readonly name: string;
  /** The record protection. */
  readonly aead: AeadAlgorithm;
  /** The hash of HKDF and of the transcript (RFC 8446 §7.1). */
  readonly hash: HashAlgorithm;
  /** Bytes of each traffic key ("key"). */
  readonly keyLength: number;
  /** Bytes of each traffic IV ("iv"): 12 for every suite, max(8, N_MIN) with N_MIN = 12 (RFC 8446 §5.3). */
  readonly ivLength: number;
  /** Bytes of the authentication tag on each record. */
  readonly tagLength: number;
}

function suite(id: number, name: string, aead: AeadAlgorithm, hash: HashAlgorithm = 'sha256'): Tls13CipherSuite {
  return {
    id,
    name,
    aead,
    hash,
    keyLength: aead === 'AES_256_GCM' || aead === 'CHACHA20_POLY1305' ? 32 : 16,
    ivLength: 12,
    tagLength: aead === 'AES_128_CCM_8' ? 8 : 16,
  };
}

/** The five suites of RFC 8446 §B.4, in its order, which is our default preference (GCM first: RFC 8446 §9.1 makes TLS_AES_128_GCM_SHA256 the one every peer implements). */
export const TLS13_CIPHER_SUITES: readonly Tls13CipherSuite[] = [
  suite(0x1301, 'TLS_AES_128_GCM_SHA256', 'AES_128_GCM'),
  suite(0x1302, 'TLS_AES_256_GCM_SHA384', 'AES_256_GCM', 'sha384'),
  suite(0x1303, 'TLS_CHACHA20_POLY1305_SHA256', 'CHACHA20_POLY1305'),
  suite(0x1304, 'TLS_AES_128_CCM_SHA256', 'AES_128_CCM'),
  suite(0x1305, 'TLS_AES_128_CCM_8_SHA256', 'AES_128_CCM_8'),
];

const byId = new Map(TLS13_CIPHER_SUITES.map((s) => [s.id, s]));
const byName = new Map(TLS13_CIPHER_SUITES.map((s) => [s.name, s]));

/** The 1.3 suite with this code point, or undefined. */
export function tls13CipherSuiteById(id: number): Tls13CipherSuite | undefined {
  return byId.get(id);
}

/** The 1.3 suite with this IANA name, or undefined. */
export function tls13CipherSuiteByName(name: string): Tls13CipherSuite | undefined {
  return byName.get(name);
}
