import { describe, expect, it } from 'vitest';
import { credentials, utf8, type CredentialStore } from '../../lib/credentials/credential-store.js';
import { AlertDescription } from '../../lib/wire/alert.js';
import { PEER_KEYS, readPem } from '../interop/helpers/peer-keys.js';
import { received, startPair, type PairOptions } from './helpers/pair.js';

/** The fixture certificate (its own CA, CN=localhost) and key, trusting it: the store a 1.2 user gives. */
const x509Store = (): CredentialStore =>
  credentials().x509({ tag: 0, certificate: readPem(PEER_KEYS.certificate), privateKey: readPem(PEER_KEYS.privateKey), ca: readPem(PEER_KEYS.certificate) });
const trustOnly = (): CredentialStore => credentials().x509({ tag: 0, ca: readPem(PEER_KEYS.certificate) });
const rpkStore = (): CredentialStore => credentials().ecdsa({ tag: 0, privateKey: readPem(PEER_KEYS.rawPrivateKey), trustedPeers: [readPem(PEER_KEYS.rawPublicKey)] });

/** A 1.3 pair on certificates (the client checks the name localhost in the server's leaf), run until the client is up or down. */
async function pair13(options: PairOptions = {}) {
  const pair = await startPair({
    ...options,
    server: { versions: ['1.2', '1.3'], credentials: x509Store(), ...options.server },
    client: { versions: ['1.3'], credentials: trustOnly(), serverName: 'localhost', ...options.client },
  });
  pair.time.runUntil(() => pair.client.state !== 'handshaking', 20_000);
  return pair;
}

describe('DTLS 1.3 with certificates between our client and our server, in virtual time', () => {
  it('authenticates the server by its X.509 certificate and carries data both ways', async () => {
    const { time, client, serverSessions, serverEvents } = await pair13();
    // The server answers the first ClientHello with no more than it got (padded, RFC 7685): nothing dropped.
    expect(serverEvents.filter((e) => e.type === 'dropped')).toEqual([]);
    expect(client.error).toBeUndefined();
    expect(client.info).toMatchObject({ version: '1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', peer: { kind: 'x509', subject: 'CN=localhost' } });
    const [session] = serverSessions;
    expect(session.info).toMatchObject({ version: '1.3', peer: { kind: 'anonymous' } });
    const atServer = received(session);
    const atClient = received(client);
    client.send(utf8('ping'));
    time.advanceBy(10);
    session.send(utf8('pong'));
    time.advanceBy(10);
    expect([atServer, atClient]).toEqual([['ping'], ['pong']]);
  });

  it('TLS_AES_256_GCM_SHA384 when the client names it', async () => {
    const { client } = await pair13({ client: { cipherSuites: ['TLS_AES_256_GCM_SHA384'] } });
    expect(client.info).toMatchObject({ version: '1.3', cipherSuite: 'TLS_AES_256_GCM_SHA384' });
  });

  it('mutual authentication with clientAuth required: each side reports the other\'s certificate', async () => {
    const { client, serverSessions } = await pair13({ server: { clientAuth: 'required' }, client: { credentials: x509Store() } });
    expect(client.info?.peer).toMatchObject({ kind: 'x509' });
    expect(serverSessions[0].info?.peer).toMatchObject({ kind: 'x509', subject: 'CN=localhost' });
  });

  it('raw public keys both ways (RFC 7250), our client against our server: the direction wolfSSL\'s example server cannot take', async () => {
    const { client, serverSessions } = await pair13({ server: { credentials: rpkStore(), clientAuth: 'required' }, client: { credentials: rpkStore() } });
    expect(client.error).toBeUndefined();
    expect(client.info?.peer).toMatchObject({ kind: 'raw-public-key' });
    expect(serverSessions[0].info?.peer).toMatchObject({ kind: 'raw-public-key' });
  });

  it('a client without a certificate against a server requiring one: certificate_required both sides, the client\'s connect fails', async () => {
    const { time, client, serverSessions } = await pair13({ server: { clientAuth: 'required' } });
    time.runUntil(() => serverSessions[0]?.state === 'closed', 1000);
    expect(client.state).toBe('closed');
    expect(client.error).toMatchObject({ code: 'EALERT', alert: { description: AlertDescription.certificate_required } });
    expect(serverSessions[0].error).toMatchObject({ code: 'EHANDSHAKE', alert: { description: AlertDescription.certificate_required } });
  });

  it('completes when the server\'s first certificate flight is lost: the resend carries it', async () => {
    let serverDatagrams = 0;
    const { client, clientEvents } = await pair13({
      deliver: (d) => !(d.from === 'server' && ++serverDatagrams === 2),
    });
    expect(client.state).toBe('established');
    expect(clientEvents.some((e) => e.type === 'retransmit')).toBe(true);
  });
});
