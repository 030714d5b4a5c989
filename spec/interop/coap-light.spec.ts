import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../lib/index.js';
import { LIGHT_PSK, startCoapLightServer, type CoapLightServer } from '../../examples/coap-light-server.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { PeerProcess, stopAllPeers } from './helpers/peer-process.js';
import { freeUdpPort } from './helpers/udp-port.js';

/**
 * The seed 000 scenario for real: libcoap's own clients (Debian libcoap3-bin,
 * both TLS builds) against examples/coap-light-server.ts, i.e. node-coap over
 * rx-dtls's DtlsServerSocket.
 */
const ROOT = join(import.meta.dirname, '../..');
const builds = [
  { build: 'openssl', peer: peerBinary('coap-client-openssl') },
  { build: 'gnutls', peer: peerBinary('coap-client-gnutls') },
];

describe.each(builds)('coap-client-$build against the coaps light server', ({ build, peer }) => {
  let bin: string;
  let light: CoapLightServer | undefined;
  let handshakes: Array<Extract<SessionEvent, { type: 'handshake-complete' }>>;

  // beforeEach, not beforeAll: under DTLS_INTEROP=require each test then counts as failed, not skipped.
  beforeEach(() => {
    if (!peer.skip) bin = assertPeerPresent(peer);
  });
  afterEach(async () => {
    await stopAllPeers();
    await light?.close();
    light = undefined;
  });

  async function start(): Promise<CoapLightServer> {
    light = await startCoapLightServer({ host: '127.0.0.1', port: 0 });
    handshakes = [];
    light.socket.on('session', (session) =>
      session.events$.subscribe({ next: (e) => {
        if (e.type === 'handshake-complete') handshakes.push(e);
      }, error: () => undefined }),
    );
    return light;
  }

  /** One coap-client run: `-B` bounds how long it waits for anything. */
  function coapClient(args: readonly string[], { key = LIGHT_PSK.key as string, seconds = 5 } = {}): PeerProcess {
    return PeerProcess.start(bin, ['-B', String(seconds), '-u', LIGHT_PSK.identity, '-k', key, ...args], `coap-client-${build} ${args.join(' ')}`);
  }

  async function run(args: readonly string[]): Promise<string> {
    const client = coapClient(args);
    const exit = await client.waitForExit(8000);
    if (exit.code !== 0) throw new Error(`exit ${JSON.stringify(exit)}\n${client.describe()}`);
    // libcoap ends its output with a newline of its own.
    return client.stdout.trim();
  }

  const url = (server: CoapLightServer) => `coaps://127.0.0.1:${server.port}/light`;

  it.skipIf(peer.skip)('GETs the light over ECDHE-PSK with ChaCha20-Poly1305, libcoap’s default suite', async () => {
    const server = await start();
    expect(await run(['-m', 'get', url(server)])).toBe('off');
    expect(handshakes).toHaveLength(1);
    expect(handshakes[0]).toMatchObject({ cipherSuite: 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256', peer: { kind: 'psk', identity: 'CoAP' } });
  });

  it.skipIf(peer.skip)('PUTs "on", and the next GET sees it', async () => {
    const server = await start();
    expect(await run(['-m', 'put', '-e', 'on', url(server)])).toBe('');
    expect(server.state()).toBe('on');
    expect(await run(['-m', 'get', url(server)])).toBe('on');
  });

  it.skipIf(peer.skip)('gets 4.00 for a PUT of something other than on/off, and the light stays as it was', async () => {
    const server = await start();
    const client = coapClient(['-m', 'put', '-e', 'purple', url(server)]);
    await client.waitForExit(8000);
    expect(client.stdout + client.stderr).toMatch(/4\.00/);
    expect(server.state()).toBe('off');
  });

  it.skipIf(peer.skip)('observes the light (-s) and receives a notification after a PUT from another client', async () => {
    const server = await start();
    const observer = coapClient(['-s', '3', '-w', url(server)], { seconds: 6 });
    await observer.waitForStdout('off\n');
    await expect.poll(() => server.observers(), { timeout: 3000 }).toBe(1);
    expect(await run(['-m', 'put', '-e', 'on', url(server)])).toBe('');
    expect(await observer.waitForStdout('off\non\n')).toBe('off\non\n');
    expect((await observer.waitForExit(8000)).code).toBe(0);
    expect(handshakes.map((h) => h.cipherSuite)).toEqual(['TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256']);
  });

  it.skipIf(peer.skip)('completes no handshake with a wrong key, so the PUT never reaches the light', async () => {
    const server = await start();
    const client = coapClient(['-m', 'put', '-e', 'on', url(server)], { key: 'wrong_key', seconds: 2 });
    await client.waitForExit(8000);
    // libcoap exits 0 all the same; it logs "cannot send CoAP pdu" and never prints a response.
    expect(client.stdout).not.toMatch(/2\.04|\bon\b|\boff\b/);
    expect(handshakes).toHaveLength(0);
    expect(server.state()).toBe('off');
  });
});

const opensslClient = builds[0].peer;

describe.skipIf(opensslClient.skip)('npm run example:coap-light', () => {
  let bin: string;
  // beforeEach, not beforeAll: under DTLS_INTEROP=require each test then counts as failed, not skipped.
  beforeEach(() => {
    bin = assertPeerPresent(opensslClient);
  });
  afterEach(() => stopAllPeers());

  it('starts the example under tsx on the port given by --port, serves coap-client-openssl, and exits 0 on SIGTERM', async () => {
    for (let attempt = 0; ; attempt++) {
      const port = await freeUdpPort();
      const example = PeerProcess.start(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'examples/coap-light-server.ts'), '--port', String(port)], 'example:coap-light');
      try {
        await example.waitForStdout(`coaps://127.0.0.1:${port}/light`, 15_000);
      } catch (error) {
        await example.stop();
        if (attempt < 3 && /EADDRINUSE/.test(example.stderr)) continue;
        throw error;
      }
      const client = PeerProcess.start(bin, ['-B', '5', '-u', LIGHT_PSK.identity, '-k', LIGHT_PSK.key, '-m', 'get', `coaps://127.0.0.1:${port}/light`], 'coap-client-openssl');
      await client.waitForExit(8000);
      expect(client.stdout.trim()).toBe('off');
      await example.waitForStdout('GET /light');
      example.child.kill('SIGTERM');
      expect((await example.waitForExit(5000)).code).toBe(0);
      return;
    }
  });
});
