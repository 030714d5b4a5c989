import type { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { credentials } from '../../lib/credentials/credential-store.js';
import type { CheckServerIdentity } from '../../lib/credentials/x509.js';
import { peerFixture } from '../crypto/helpers/fixtures.js';
import { startPair } from './helpers/pair.js';

/** The committed CN=localhost certificate (SAN localhost, 127.0.0.1, ::1), self-signed; the client trusts it as its root. */
const CERTIFICATE = peerFixture('ecdsa-p256-cert.pem');
const server = () => credentials().x509({ tag: 0, certificate: CERTIFICATE, privateKey: peerFixture('ecdsa-p256-key.pem') });

async function handshake(serverName: string, checkServerIdentity?: CheckServerIdentity, ca = CERTIFICATE) {
  const pair = await startPair({ server: { credentials: server() }, client: { credentials: credentials().x509({ tag: 0, ca }), serverName, checkServerIdentity } });
  pair.time.runUntil(() => pair.client.state !== 'handshaking', 5000);
  return pair.client;
}

describe('client checkServerIdentity', () => {
  it('is asked instead of the built-in name check, with the server name and the leaf certificate', async () => {
    const calls: Array<[string, X509Certificate]> = [];
    // The certificate names localhost, not this device name: the built-in check would refuse it.
    const client = await handshake('gateway-7.fleet.example', (name, certificate) => void calls.push([name, certificate]));
    expect(client.state).toBe('established');
    expect(calls).toHaveLength(1);
    expect(calls[0][0]).toBe('gateway-7.fleet.example');
    expect(calls[0][1].subject).toBe('CN=localhost');
    expect(client.info?.peer).toMatchObject({ kind: 'x509', subject: 'CN=localhost' });
  });

  it('rejects the server with bad_certificate when it returns an Error or throws, its message in the reason', async () => {
    for (const check of [() => new Error('not our gateway'), () => { throw new Error('not our gateway'); }] as CheckServerIdentity[]) {
      const client = await handshake('localhost', check);
      expect(client.state).toBe('closed');
      expect(client.error?.code).toBe('EHANDSHAKE');
      expect(client.error?.alert?.name).toBe('bad_certificate');
      expect(client.error?.message).toContain('not our gateway');
    }
  });

  it('is not asked when the chain itself fails (no trusted root)', async () => {
    let asked = false;
    // A certificate that did not issue the server's.
    const otherRoot = readFileSync(new URL('../fixtures/wire/openssl-ecdhe-ecdsa-client.crt.pem', import.meta.url), 'utf8');
    const client = await handshake('localhost', () => void (asked = true), otherRoot);
    expect(asked).toBe(false);
    expect(client.error?.alert?.name).toBe('unknown_ca');
  });

  it('without the hook, the built-in check refuses a name the certificate does not carry', async () => {
    const client = await handshake('gateway-7.fleet.example');
    expect(client.error?.alert?.name).toBe('bad_certificate');
    expect(client.error?.message).toContain('certificate is not for gateway-7.fleet.example');
  });
});
