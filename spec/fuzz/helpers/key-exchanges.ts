import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { credentials, type CredentialStore } from '../../../lib/credentials/credential-store.js';

const peers = fileURLToPath(new URL('../../fixtures/peers/', import.meta.url));
const pem = (name: string): string => readFileSync(peers + name, 'utf8');

/** A server and client configuration that complete a handshake with one another. */
export interface KeyExchangeSetup {
  readonly name: string;
  readonly cipherSuite: string;
  readonly server: { readonly credentials: CredentialStore; readonly clientAuth?: 'none' | 'optional' | 'required' };
  readonly client: { readonly credentials: CredentialStore; readonly serverName?: string };
}

const PSK = { tag: 0, identity: 'Client_identity', key: 'secretPSK' } as const;

function psk(name: string, cipherSuite: string, hint?: string): KeyExchangeSetup {
  return {
    name,
    cipherSuite,
    server: { credentials: credentials().psk({ ...PSK, hint }) },
    client: { credentials: credentials().psk(PSK) },
  };
}

function x509(name: string, cipherSuite: string, clientAuth: 'none' | 'required'): KeyExchangeSetup {
  const own = { tag: 0, certificate: pem('ecdsa-p256-cert.pem'), privateKey: pem('ecdsa-p256-key.pem') };
  const ca = pem('ecdsa-p256-cert.pem');
  return {
    name,
    cipherSuite,
    server: { credentials: credentials().x509({ ...own, ca: clientAuth === 'none' ? undefined : ca }), clientAuth },
    client: { credentials: credentials().x509(clientAuth === 'none' ? { tag: 0, ca } : { ...own, ca }), serverName: 'localhost' },
  };
}

function rawPublicKeys(name: string, cipherSuite: string): KeyExchangeSetup {
  // One key pair plays both parts: each side trusts the other's (the same) public key.
  const entry = { tag: 0, privateKey: pem('rpk-p256-key.pem'), trustedPeers: [pem('rpk-p256-pub.pem')] };
  return {
    name,
    cipherSuite,
    server: { credentials: credentials().ecdsa(entry), clientAuth: 'required' },
    client: { credentials: credentials().ecdsa(entry) },
  };
}

/** Every key exchange rx-dtls implements, with and without the optional messages (hint, client certificate). */
export const KEY_EXCHANGES: readonly KeyExchangeSetup[] = [
  psk('PSK', 'TLS_PSK_WITH_AES_128_CCM_8'),
  psk('PSK with identity hint', 'TLS_PSK_WITH_AES_256_GCM_SHA384', 'hint'),
  psk('ECDHE_PSK', 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256'),
  x509('ECDHE_ECDSA X.509', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'none'),
  x509('ECDHE_ECDSA X.509 mutual', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'required'),
  rawPublicKeys('ECDHE_ECDSA raw public keys mutual', 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'),
];

export function keyExchange(name: string): KeyExchangeSetup {
  const found = KEY_EXCHANGES.find((k) => k.name === name);
  if (!found) throw new Error(`no key exchange setup named ${name}`);
  return found;
}
