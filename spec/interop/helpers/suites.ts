/** One PSK cipher suite as each implementation names it. */
export interface InteropSuite {
  /** IANA name, as rx-dtls reports it in session.info.cipherSuite. */
  readonly iana: string;
  /** OpenSSL -cipher name. */
  readonly openssl: string;
}

/** Every PSK suite OpenSSL 3.0 offers over DTLS 1.2 with an AEAD (OpenSSL has no ECDHE-PSK GCM suite). */
export const OPENSSL_SUITES: readonly InteropSuite[] = [
  { iana: 'TLS_PSK_WITH_AES_128_CCM_8', openssl: 'PSK-AES128-CCM8' },
  { iana: 'TLS_PSK_WITH_AES_128_CCM', openssl: 'PSK-AES128-CCM' },
  { iana: 'TLS_PSK_WITH_AES_128_GCM_SHA256', openssl: 'PSK-AES128-GCM-SHA256' },
  { iana: 'TLS_PSK_WITH_AES_256_GCM_SHA384', openssl: 'PSK-AES256-GCM-SHA384' },
  { iana: 'TLS_PSK_WITH_CHACHA20_POLY1305_SHA256', openssl: 'PSK-CHACHA20-POLY1305' },
  { iana: 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256', openssl: 'ECDHE-PSK-CHACHA20-POLY1305' },
];

/** A GnuTLS priority string allowing exactly one DTLS 1.2 key exchange and cipher. */
export function gnutlsPriority(kx: 'PSK' | 'ECDHE-PSK', cipher: string): string {
  return `NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+${kx}:-CIPHER-ALL:+${cipher}`;
}

export interface GnutlsSuite {
  readonly iana: string;
  readonly kx: 'PSK' | 'ECDHE-PSK';
  readonly cipher: string;
}

/**
 * The AEAD PSK suites GnuTLS 3.7 has (`gnutls-cli -l`). It has no
 * ECDHE_PSK + AES-GCM suite (0xD001), so that combination is not in the matrix.
 */
export const GNUTLS_SUITES: readonly GnutlsSuite[] = [
  { iana: 'TLS_PSK_WITH_AES_128_CCM_8', kx: 'PSK', cipher: 'AES-128-CCM-8' },
  { iana: 'TLS_PSK_WITH_AES_128_CCM', kx: 'PSK', cipher: 'AES-128-CCM' },
  { iana: 'TLS_PSK_WITH_AES_128_GCM_SHA256', kx: 'PSK', cipher: 'AES-128-GCM' },
  { iana: 'TLS_PSK_WITH_AES_256_GCM_SHA384', kx: 'PSK', cipher: 'AES-256-GCM' },
  { iana: 'TLS_PSK_WITH_CHACHA20_POLY1305_SHA256', kx: 'PSK', cipher: 'CHACHA20-POLY1305' },
  { iana: 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256', kx: 'ECDHE-PSK', cipher: 'CHACHA20-POLY1305' },
];
