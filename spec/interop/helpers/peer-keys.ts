import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The committed test keys (not secrets), so a fresh clone runs these specs on its own. */
const FIXTURES = fileURLToPath(new URL('../../fixtures/peers/', import.meta.url));

export const PEER_KEYS = {
  /** Self-signed P-256 certificate CN=localhost, SAN localhost, 127.0.0.1, ::1: it is its own CA. */
  certificate: `${FIXTURES}ecdsa-p256-cert.pem`,
  privateKey: `${FIXTURES}ecdsa-p256-key.pem`,
  /** A P-256 pair used as a raw public key (RFC 7250). */
  rawPrivateKey: `${FIXTURES}rpk-p256-key.pem`,
  rawPublicKey: `${FIXTURES}rpk-p256-pub.pem`,
} as const;

export function readPem(path: string): string {
  return readFileSync(path, 'utf8');
}

/** TLS NamedGroup code points (RFC 8422 §5.1.1, RFC 7748). */
export const SECP256R1 = 23;
export const X25519 = 29;

/** How each peer names a group. */
export const GROUPS = [
  { id: SECP256R1, openssl: 'P-256', gnutls: 'GROUP-SECP256R1', label: 'P-256' },
  { id: X25519, openssl: 'X25519', gnutls: 'GROUP-X25519', label: 'X25519' },
] as const;
