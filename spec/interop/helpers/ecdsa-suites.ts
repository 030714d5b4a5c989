/** One ECDHE_ECDSA suite as rx-dtls (IANA), OpenSSL and GnuTLS name it. */
export interface EcdsaSuite {
  readonly iana: string;
  readonly openssl: string;
  readonly gnutls: string;
}

/** The ECDHE_ECDSA AEAD suites OpenSSL 3.0 and GnuTLS 3.7 both offer over DTLS 1.2. */
export const ECDSA_SUITES: readonly EcdsaSuite[] = [
  { iana: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', openssl: 'ECDHE-ECDSA-AES128-CCM8', gnutls: 'AES-128-CCM-8' },
  { iana: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM', openssl: 'ECDHE-ECDSA-AES128-CCM', gnutls: 'AES-128-CCM' },
  { iana: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', openssl: 'ECDHE-ECDSA-AES128-GCM-SHA256', gnutls: 'AES-128-GCM' },
  { iana: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', openssl: 'ECDHE-ECDSA-AES256-GCM-SHA384', gnutls: 'AES-256-GCM' },
  { iana: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', openssl: 'ECDHE-ECDSA-CHACHA20-POLY1305', gnutls: 'CHACHA20-POLY1305' },
];
