import { createPublicKey } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { coapsGet, coapsObserve } from '../../examples/coap-client.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, DtlsError } from '../../lib/index.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { PeerProcess, stopAllPeers } from './helpers/peer-process.js';
import { freeUdpPort, waitUntilBound } from './helpers/udp-port.js';

/**
 * examples/coap-client.ts (node-coap's Agent over rx-dtls's DtlsClientSocket)
 * against libcoap's own server, both TLS builds (Debian libcoap3-bin 4.3.1).
 */
const builds = [
  { build: 'openssl', peer: peerBinary('coap-server-openssl') },
  { build: 'gnutls', peer: peerBinary('coap-server-gnutls') },
];

const KEY = 'esp32c3_key';
const fixture = (name: string) => join(import.meta.dirname, '../fixtures/peers', name);
const pem = (name: string) => readFileSync(fixture(name), 'utf8');

/** Whether UDP port `port` on 127.0.0.1 can be bound right now. */
function udpPortFree(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/**
 * `coap-server -A 127.0.0.1 -p P` listens for CoAP on P and for coaps on P + 1
 * (UDP and TCP each): find a P whose successor is free too, retrying when
 * another process takes one first. Resolves once the DTLS port is bound.
 */
async function startCoapServer(bin: string, label: string, credentialArgs: readonly string[] = ['-k', KEY, '-h', 'CoAP']): Promise<{ peer: PeerProcess; dtlsPort: number }> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const port = await freeUdpPort();
    if (port >= 65535 || !(await udpPortFree(port + 1))) continue;
    const peer = PeerProcess.start(bin, ['-A', '127.0.0.1', '-p', String(port), ...credentialArgs], `${label} -p ${port}`);
    try {
      await waitUntilBound(peer.pid, port + 1, () => peer.running);
      return { peer, dtlsPort: port + 1 };
    } catch (error) {
      await peer.stop();
      if (!/in use|bind/i.test(peer.stderr + peer.stdout)) throw new Error(`${String(error)}\n${peer.describe()}`);
    }
  }
  throw new Error(`${label}: no free pair of ports after 8 attempts`);
}

describe.each(builds)('node-coap Agent over rx-dtls against coap-server-$build', ({ build, peer }) => {
  let bin: string;
  // beforeEach, not beforeAll: under DTLS_INTEROP=require each test then counts as failed, not skipped.
  beforeEach(() => {
    if (!peer.skip) bin = assertPeerPresent(peer);
  });
  afterEach(() => stopAllPeers());

  const options = (port: number) => ({ host: '127.0.0.1', port, localAddress: '127.0.0.1', timeout: 5000 });

  it.skipIf(peer.skip)('GETs /time over ECDHE-PSK with ChaCha20-Poly1305', async () => {
    const { dtlsPort } = await startCoapServer(bin, `coap-server-${build}`);
    const response = await coapsGet({ ...options(dtlsPort), path: '/time' });
    expect(response.code).toBe('2.05');
    // libcoap's /time answers like "Nov 22 00:21:56".
    expect(response.payload).toMatch(/^[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}$/);
    expect(response.dtls).toMatchObject({ cipherSuite: 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256', peer: { kind: 'psk' } });
  });

  it.skipIf(peer.skip)('GETs the root resource, libcoap’s banner', async () => {
    const { dtlsPort } = await startCoapServer(bin, `coap-server-${build}`);
    const response = await coapsGet({ ...options(dtlsPort), path: '/' });
    expect(response.code).toBe('2.05');
    expect(response.payload).toContain('This is a test server made with libcoap');
  });

  it.skipIf(peer.skip)('observes /time and receives notifications after the first response', async () => {
    const { dtlsPort } = await startCoapServer(bin, `coap-server-${build}`);
    const values = await coapsObserve({ ...options(dtlsPort), path: '/time', count: 2, timeout: 6000 });
    expect(values).toHaveLength(2);
    for (const value of values) expect(value).toMatch(/\d{2}:\d{2}:\d{2}$/);
  });

  it.skipIf(peer.skip)('fails the request with a DtlsError when the key is wrong (libcoap sends no alert)', async () => {
    const { dtlsPort } = await startCoapServer(bin, `coap-server-${build}`);
    const failure = await coapsGet({ ...options(dtlsPort), path: '/time', key: 'wrong_key', dtls: { handshakeTimeout: 1500 } }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DtlsError);
    // The server never answers our Finished: the handshake timer ends it, unless the server gives up first.
    expect(['ETIMEDOUT', 'ECLOSED']).toContain((failure as DtlsError).code);
  });
});

/**
 * Raw public keys (RFC 7250) with libcoap's server: only its GnuTLS build has
 * them (`coap-server-openssl -h` lists "no RPK support": libcoap 4.3.1's
 * OpenSSL backend on OpenSSL 3.0, which has no RFC 7250).
 */
const rpkServer = builds[1].peer;

describe.skipIf(rpkServer.skip)('node-coap Agent over rx-dtls with raw public keys against coap-server-gnutls -M', () => {
  let bin: string;
  // beforeEach, not beforeAll: under DTLS_INTEROP=require each test then counts as failed, not skipped.
  beforeEach(() => {
    bin = assertPeerPresent(rpkServer);
  });
  afterEach(() => stopAllPeers());

  // The server's key is rpk-p256; ours is ecdsa-p256, and we pin the server's.
  const ours = (trusted: string) => credentials().ecdsa({ tag: 0, privateKey: pem('ecdsa-p256-key.pem'), trustedPeers: [trusted] });

  it('GETs /time over ECDHE-ECDSA, each side presenting its raw public key', async () => {
    const { dtlsPort } = await startCoapServer(bin, 'coap-server-gnutls', ['-M', fixture('rpk-p256-key.pem')]);
    const response = await coapsGet({ host: '127.0.0.1', port: dtlsPort, localAddress: '127.0.0.1', timeout: 5000, path: '/time', credentials: ours(pem('rpk-p256-pub.pem')) });
    expect(response.code).toBe('2.05');
    expect(response.dtls?.cipherSuite).toMatch(/^TLS_ECDHE_ECDSA_WITH_/);
    expect(response.dtls?.peer.kind).toBe('raw-public-key');
  });

  it('refuses a server whose raw public key it does not trust, failing the request with EHANDSHAKE', async () => {
    const { dtlsPort } = await startCoapServer(bin, 'coap-server-gnutls', ['-M', fixture('rpk-p256-key.pem')]);
    const failure = await coapsGet({
      host: '127.0.0.1',
      port: dtlsPort,
      localAddress: '127.0.0.1',
      timeout: 5000,
      path: '/time',
      // Trusting only our own key: the server's is not it.
      credentials: ours(createPublicKeyPem(pem('ecdsa-p256-key.pem'))),
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DtlsError);
    expect(failure).toMatchObject({ code: 'EHANDSHAKE', alert: { name: 'bad_certificate' } });
  });
});

function createPublicKeyPem(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
}
