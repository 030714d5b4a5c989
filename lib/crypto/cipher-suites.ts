import type { AeadAlgorithm } from './aead.js';

/** How a suite agrees its keys: a pre-shared key, ECDHE with a PSK (RFC 5489), or ECDHE signed with ECDSA (RFC 8422). */
export type KeyExchange = 'PSK' | 'ECDHE_PSK' | 'ECDHE_ECDSA';
/** The hash of the suite's TLS 1.2 PRF (RFC 5246 §5). */
export type PrfHash = 'sha256' | 'sha384';

/**
 * What a negotiated cipher suite means for the record layer and key schedule.
 * Every suite here is an AEAD suite, so there is no MAC key (RFC 5246 §6.3:
 * mac_key_length = 0 for AEAD ciphers).
 */
export interface CipherSuite {
  /** IANA code point. */
  readonly id: number;
  /** IANA name, e.g. "TLS_PSK_WITH_AES_128_CCM_8". */
  readonly name: string;
  /** How the keys are agreed. */
  readonly keyExchange: KeyExchange;
  /** The record protection (RFC 6655, 5288, 7905). */
  readonly aead: AeadAlgorithm;
  /** The PRF hash. */
  readonly prfHash: PrfHash;
  /** Bytes of each write key. */
  readonly keyLength: number;
  /** Implicit part of the nonce taken from the key block (client/server_write_IV). */
  readonly fixedIvLength: number;
  /** Explicit nonce carried in each record: 8 for GCM/CCM (RFC 5288, 6655), 0 for ChaCha20 (RFC 7905). */
  readonly recordIvLength: number;
  /** Bytes of the authentication tag on each record. */
  readonly tagLength: number;
}

function suite(
  id: number,
  name: string,
  keyExchange: KeyExchange,
  aead: AeadAlgorithm,
  prfHash: PrfHash = 'sha256',
): CipherSuite {
  const chacha = aead === 'CHACHA20_POLY1305';
  return {
    id,
    name,
    keyExchange,
    aead,
    prfHash,
    keyLength: aead === 'AES_128_CCM_8' || aead === 'AES_128_CCM' || aead === 'AES_128_GCM' ? 16 : 32,
    fixedIvLength: chacha ? 12 : 4,
    recordIvLength: chacha ? 0 : 8,
    tagLength: aead === 'AES_128_CCM_8' ? 8 : 16,
  };
}

/** Every suite rx-dtls implements, in its default order of preference (strongest usable first, CoAP's mandatory suites included). */
export const CIPHER_SUITES: readonly CipherSuite[] = [
  suite(0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE_ECDSA', 'AES_128_GCM'),
  suite(0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE_ECDSA', 'AES_256_GCM', 'sha384'),
  suite(0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE_ECDSA', 'CHACHA20_POLY1305'),
  suite(0xc0ac, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM', 'ECDHE_ECDSA', 'AES_128_CCM'),
  suite(0xc0ae, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 'ECDHE_ECDSA', 'AES_128_CCM_8'),
  suite(0xccac, 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE_PSK', 'CHACHA20_POLY1305'),
  suite(0xd001, 'TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256', 'ECDHE_PSK', 'AES_128_GCM'),
  suite(0x00a8, 'TLS_PSK_WITH_AES_128_GCM_SHA256', 'PSK', 'AES_128_GCM'),
  suite(0x00a9, 'TLS_PSK_WITH_AES_256_GCM_SHA384', 'PSK', 'AES_256_GCM', 'sha384'),
  suite(0xccab, 'TLS_PSK_WITH_CHACHA20_POLY1305_SHA256', 'PSK', 'CHACHA20_POLY1305'),
  suite(0xc0a4, 'TLS_PSK_WITH_AES_128_CCM', 'PSK', 'AES_128_CCM'),
  suite(0xc0a8, 'TLS_PSK_WITH_AES_128_CCM_8', 'PSK', 'AES_128_CCM_8'),
];

const byId = new Map(CIPHER_SUITES.map((s) => [s.id, s]));
const byName = new Map(CIPHER_SUITES.map((s) => [s.name, s]));

export function cipherSuiteById(id: number): CipherSuite | undefined {
  return byId.get(id);
}

/** The suite with this IANA name, or undefined. */
export function cipherSuiteByName(name: string): CipherSuite | undefined {
  return byName.get(name);
}
