import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { credentials, type CredentialStore } from '../../../lib/credentials/credential-store.js';

/** A key exchange the impairment figures are given for, with the credentials each side uses. */
export interface TrialSuite {
  readonly id: 'psk' | 'ecdhe-ecdsa';
  /** IANA name, as offered by the client and reported by session.info. */
  readonly iana: string;
  readonly server: () => CredentialStore;
  readonly client: () => CredentialStore;
  /** The name the client checks in the server's certificate (the fixture says CN=localhost). */
  readonly serverName?: string;
  /** The DTLS 1.3 suite a 1.3 trial of this key exchange uses; absent where 1.3 cannot do it yet. */
  readonly iana13?: string;
}

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../../fixtures/peers/${name}`, import.meta.url)), 'utf8');
const CERTIFICATE = fixture('ecdsa-p256-cert.pem');
const PRIVATE_KEY = fixture('ecdsa-p256-key.pem');
const psk = () => credentials().psk({ tag: 0, identity: 'Client_identity', key: 'secretPSK' });

/** In 1.3 the client offers psk_dhe_ke with an x25519 share (the defaults), and the AEAD is the same CCM_8 as 1.2's. */
export const PSK_SUITE: TrialSuite = { id: 'psk', iana: 'TLS_PSK_WITH_AES_128_CCM_8', server: psk, client: psk, iana13: 'TLS_AES_128_CCM_8_SHA256' };

/**
 * ECDHE-ECDSA with the committed self-signed P-256 certificate, which the client trusts as its
 * own CA; in 1.3 the same certificate with ECDHE on x25519 (the default group) and CCM_8.
 */
export const ECDHE_ECDSA_SUITE: TrialSuite = {
  id: 'ecdhe-ecdsa',
  iana: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8',
  server: () => credentials().x509({ tag: 0, certificate: CERTIFICATE, privateKey: PRIVATE_KEY }),
  client: () => credentials().x509({ tag: 0, ca: CERTIFICATE }),
  serverName: 'localhost',
  iana13: 'TLS_AES_128_CCM_8_SHA256',
};

export const TRIAL_SUITES: readonly TrialSuite[] = [PSK_SUITE, ECDHE_ECDSA_SUITE];
