import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { credentials, type CredentialStore } from './rx-dtls.js';

/** The two suites of issue 7, with the names each peer knows them by. */
export interface Suite {
  readonly id: 'psk' | 'ecdsa';
  readonly label: string;
  readonly iana: string;
  readonly openssl: string;
}

export const SUITES: readonly Suite[] = [
  { id: 'psk', label: 'PSK AES-128-CCM-8', iana: 'TLS_PSK_WITH_AES_128_CCM_8', openssl: 'PSK-AES128-CCM8' },
  { id: 'ecdsa', label: 'ECDHE-ECDSA P-256 AES-128-GCM', iana: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', openssl: 'ECDHE-ECDSA-AES128-GCM-SHA256' },
];

/** The PSK the interop specs and PEERS.md use: identity Client_identity, key "secretPSK". */
export const PSK_IDENTITY = 'Client_identity';
export const PSK_HEX = '73656372657450534b';
/** ECDHE on P-256 everywhere (RFC 8422 secp256r1 = 23), so every row does the same curve work. */
export const P256 = 23;
/** x25519 (RFC 8446 §4.2.7), the group a DTLS 1.3 client offers a share for by default. */
export const X25519 = 29;
/** The DTLS 1.3 suites an external PSK can use (SHA-256 ones, RFC 8446 §4.2.11), each with its own record row. */
export const TLS13_PSK_SUITES: readonly string[] = ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'];

const fixture = (name: string): string => fileURLToPath(new URL(`../spec/fixtures/peers/${name}`, import.meta.url));
/** The committed CN=localhost P-256 certificate (SAN 127.0.0.1), self-signed: clients trust it as its own CA. */
export const CERT_PATH = fixture('ecdsa-p256-cert.pem');
export const KEY_PATH = fixture('ecdsa-p256-key.pem');
export const CERT_PEM = readFileSync(CERT_PATH, 'utf8');
export const KEY_PEM = readFileSync(KEY_PATH, 'utf8');

export function serverCredentials(suite: Suite): CredentialStore {
  return suite.id === 'psk'
    ? credentials().psk({ tag: 0, identity: PSK_IDENTITY, key: Buffer.from(PSK_HEX, 'hex') })
    : credentials().x509({ tag: 0, certificate: CERT_PEM, privateKey: KEY_PEM });
}

export function clientCredentials(suite: Suite): CredentialStore {
  return suite.id === 'psk'
    ? credentials().psk({ tag: 0, identity: PSK_IDENTITY, key: Buffer.from(PSK_HEX, 'hex') })
    : credentials().x509({ tag: 0, ca: CERT_PEM });
}
