// Values from the IANA TLS registries that rx-dtls knows by name. Any other value still
// decodes (as a plain number); these are for building and reading hellos.

/** RFC 7250 §3 / IANA "TLS Certificate Types". */
export const CertificateType = {
  x509: 0,
  raw_public_key: 2,
} as const;
export type CertificateType = (typeof CertificateType)[keyof typeof CertificateType];

/** RFC 8422 §5.1.1 / RFC 8446 §4.2.7 "TLS Supported Groups". */
export const NamedGroup = {
  secp256r1: 23,
  x25519: 29,
} as const;
export type NamedGroup = (typeof NamedGroup)[keyof typeof NamedGroup];

/**
 * RFC 8446 §4.2.3 SignatureScheme. In TLS 1.2 the same two bytes are the
 * SignatureAndHashAlgorithm {hash, signature} pair of RFC 5246 §7.4.1.4.1, read as one
 * uint16 (e.g. sha256(4) + ecdsa(3) = 0x0403); RFC 8422 §5.1.3 defines ed25519 for 1.2.
 */
export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  ecdsa_secp256r1_sha256: 0x0403,
  rsa_pkcs1_sha384: 0x0501,
  ecdsa_secp384r1_sha384: 0x0503,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
} as const;
export type SignatureScheme = (typeof SignatureScheme)[keyof typeof SignatureScheme];

/** RFC 8422 §5.1.2: only the uncompressed format remains defined. */
export const ECPointFormat = {
  uncompressed: 0,
} as const;
export type ECPointFormat = (typeof ECPointFormat)[keyof typeof ECPointFormat];
