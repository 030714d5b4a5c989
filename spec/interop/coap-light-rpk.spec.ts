import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCoapLightServer, type CoapLightServer } from '../../examples/coap-light-server.js';
import { credentials, type Session, type SessionEvent } from '../../lib/index.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { PeerProcess, stopAllPeers } from './helpers/peer-process.js';

/**
 * Raw public keys (RFC 7250) between libcoap and the light server. Only
 * libcoap's GnuTLS build has them: `coap-client-openssl -M` stops with "RPK
 * Support not available in OpenSSL" (libcoap 4.3.1's OpenSSL backend, on
 * OpenSSL 3.0 which has no RFC 7250), so there is no OpenSSL case.
 */
const gnutls = peerBinary('coap-client-gnutls');
const fixture = (name: string) => join(import.meta.dirname, '../fixtures/peers', name);
const pem = (name: string) => readFileSync(fixture(name), 'utf8');

/** SHA-256 of a public key's SubjectPublicKeyInfo, as rx-dtls reports the peer's fingerprint. */
const fingerprint = (publicKeyPem: string) => createHash('sha256').update(createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' })).digest('hex');

describe.skipIf(gnutls.skip)('coap-client-gnutls -M (raw public keys) against the coaps light server', () => {
  let bin: string;
  let dir: string;
  let light: CoapLightServer | undefined;
  let events: SessionEvent[];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rx-dtls-rpk-'));
  });
  // beforeEach, not beforeAll: under DTLS_INTEROP=require each test then counts as failed, not skipped.
  beforeEach(() => {
    bin = assertPeerPresent(gnutls);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await stopAllPeers();
    await light?.close();
    light = undefined;
  });

  /** The server's key is ecdsa-p256-key.pem; the client key it trusts is rpk-p256 (RIOT's "client_keys"). */
  async function start(clientAuth: 'none' | 'required'): Promise<CoapLightServer> {
    const store = credentials().ecdsa({ tag: 0, privateKey: pem('ecdsa-p256-key.pem'), trustedPeers: [pem('rpk-p256-pub.pem')] });
    light = await startCoapLightServer({ host: '127.0.0.1', port: 0, credentials: store, dtls: { clientAuth, handshakeTimeout: 3000 } });
    events = [];
    light.socket.on('session', (session: Session) => session.events$.subscribe({ next: (e) => events.push(e), error: () => undefined }));
    return light;
  }

  function coapClient(keyFile: string, args: readonly string[]): PeerProcess {
    return PeerProcess.start(bin, ['-B', '3', '-M', keyFile, ...args], `coap-client-gnutls -M ${args.join(' ')}`);
  }

  async function run(keyFile: string, args: readonly string[]): Promise<string> {
    const client = coapClient(keyFile, args);
    await client.waitForExit(6000);
    return client.stdout.trim();
  }

  const url = (server: CoapLightServer) => `coaps://127.0.0.1:${server.port}/light`;
  const completed = () => events.filter((e): e is Extract<SessionEvent, { type: 'handshake-complete' }> => e.type === 'handshake-complete');

  it('GETs the light with the server authenticated by its raw public key (ECDHE-ECDSA)', async () => {
    const server = await start('none');
    expect(await run(fixture('rpk-p256-key.pem'), ['-m', 'get', url(server)])).toBe('off');
    expect(completed()).toHaveLength(1);
    expect(completed()[0].cipherSuite).toMatch(/^TLS_ECDHE_ECDSA_WITH_/);
    expect(completed()[0].peer).toEqual({ kind: 'anonymous' });
  });

  it('authenticates libcoap by its raw public key when the server requires it, and serves PUT then GET', async () => {
    const server = await start('required');
    expect(await run(fixture('rpk-p256-key.pem'), ['-m', 'put', '-e', 'on', url(server)])).toBe('');
    expect(await run(fixture('rpk-p256-key.pem'), ['-m', 'get', url(server)])).toBe('on');
    const peers = completed().map((e) => e.peer);
    expect(peers).toHaveLength(2);
    for (const peer of peers) expect(peer).toMatchObject({ kind: 'raw-public-key', fingerprint: fingerprint(pem('rpk-p256-pub.pem')) });
  });

  it('refuses a client key it does not trust with bad_certificate, and the PUT never happens', async () => {
    const server = await start('required');
    // libcoap -M takes an "EC PRIVATE KEY" (SEC1) PEM.
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const untrusted = join(dir, 'untrusted.pem');
    writeFileSync(untrusted, privateKey.export({ type: 'sec1', format: 'pem' }));
    const client = coapClient(untrusted, ['-m', 'put', '-e', 'on', url(server)]);
    await client.waitForExit(6000);
    expect(client.stdout + client.stderr).toMatch(/Certificate is bad|Alert '42'/);
    expect(events).toContainEqual(expect.objectContaining({ type: 'alert', direction: 'sent', name: 'bad_certificate' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'closed', error: expect.objectContaining({ code: 'EHANDSHAKE' }) }));
    expect(server.state()).toBe('off');
  });
});
