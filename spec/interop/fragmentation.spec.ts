import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, UdpTransport, utf8, type DatagramTransport } from '../../lib/index.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { startOpensslClient, startOpensslServer } from './helpers/openssl.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { stopAllPeers } from './helpers/peer-process.js';
import { pskStore } from './helpers/psk.js';
import { recordSession } from './helpers/session-recorder.js';
import { partialFragments, tapTransport } from './helpers/tap-transport.js';

const openssl = peerBinary('openssl');

/**
 * PSK handshake messages are small, so a long identity (ClientKeyExchange) or
 * identity hint (ServerKeyExchange) makes the flights big enough to need
 * fragments at these MTUs. OpenSSL caps both at 256 bytes (PSK_MAX_IDENTITY_LEN).
 */
const LONG_IDENTITY = `device-${'i'.repeat(230)}`;
const LONG_HINT = `hint-${'h'.repeat(230)}`;
/** Our MTU option: a 240-byte identity or hint cannot fit one datagram. */
const OUR_MTU = 200;
/** openssl -mtu is the link MTU; 256 is its minimum, leaving 228 bytes of UDP payload. */
const OPENSSL_MTU = 256;

const CIPHER = { iana: 'TLS_PSK_WITH_AES_128_GCM_SHA256', openssl: 'PSK-AES128-GCM-SHA256' };
const FAST = { handshakeTimeout: 5000, retransmit: { initialTimeout: 250, maxTimeout: 1000 } } as const;

describe.skipIf(openssl.skip)('fragmented handshake flights between rx-dtls and OpenSSL', () => {
  let bin: string;
  const cleanup: Array<() => void> = [];
  // beforeEach, not beforeAll: under DTLS_INTEROP=require each test then counts as failed, not skipped.
  beforeEach(() => {
    bin = assertPeerPresent(openssl);
  });
  afterEach(async () => {
    cleanup.splice(0).forEach((fn) => fn());
    await stopAllPeers();
  });

  async function tappedUdp() {
    const transport = tapTransport(await UdpTransport.bind({ host: '127.0.0.1', port: 0 }));
    cleanup.push(() => transport.close());
    return transport;
  }

  async function echoServer(options: Parameters<typeof startEchoServer>[0] & { transport: DatagramTransport }): Promise<EchoServer> {
    const echo = await startEchoServer(options);
    cleanup.unshift(() => echo.server.close());
    return echo;
  }

  it(`rx-dtls client with mtu ${OUR_MTU} fragments its flight and s_server reassembles it`, async () => {
    const { peer, port } = await startOpensslServer({ binary: bin, cipher: CIPHER.openssl, identity: LONG_IDENTITY });
    const transport = await tappedUdp();
    const session = await connect({ host: '127.0.0.1', port, transport, mtu: OUR_MTU, credentials: pskStore(LONG_IDENTITY), cipherSuites: [CIPHER.iana], ...FAST });
    const rec = recordSession(session);
    session.send(utf8('fragmented client\n'));
    expect(await rec.received('fragmented client\n')).toBe('fragmented client\n');
    expect(peer.stdout).toBe('fragmented client\n');

    const sent = transport.log.filter((d) => d.direction === 'sent');
    expect(Math.max(...sent.map((d) => d.data.length))).toBeLessThanOrEqual(OUR_MTU);
    // ClientKeyExchange (type 16) went out in pieces.
    expect(partialFragments(transport.log, 'sent').some((f) => f.msgType === 16)).toBe(true);
    session.close();
  });

  it(`rx-dtls client reassembles the flight s_server fragments at -mtu ${OPENSSL_MTU}`, async () => {
    const { peer, port } = await startOpensslServer({ binary: bin, cipher: CIPHER.openssl, hint: LONG_HINT, mtu: OPENSSL_MTU });
    const transport = await tappedUdp();
    const session = await connect({ host: '127.0.0.1', port, transport, credentials: pskStore(), cipherSuites: [CIPHER.iana], ...FAST });
    const rec = recordSession(session);
    session.send(utf8('reassembled by client\n'));
    expect(await rec.received('reassembled by client\n')).toBe('reassembled by client\n');
    expect(peer.stdout).toBe('reassembled by client\n');

    // ServerKeyExchange (type 12) carrying the hint arrived in pieces.
    expect(partialFragments(transport.log, 'received').some((f) => f.msgType === 12)).toBe(true);
    session.close();
  });

  it(`rx-dtls server with mtu ${OUR_MTU} fragments its flight and s_client reassembles it`, async () => {
    const transport = await tappedUdp();
    const echo = await echoServer({ transport, mtu: OUR_MTU, credentials: pskStore(undefined, undefined, LONG_HINT) });
    const client = startOpensslClient({ binary: bin, port: echo.port, cipher: CIPHER.openssl });
    client.write('fragmented server\n');
    expect(await client.waitForStdout('fragmented server\n')).toBe('fragmented server\n');

    const sent = transport.log.filter((d) => d.direction === 'sent');
    expect(Math.max(...sent.map((d) => d.data.length))).toBeLessThanOrEqual(OUR_MTU);
    expect(partialFragments(transport.log, 'sent').some((f) => f.msgType === 12)).toBe(true);
    client.endInput();
    expect((await client.waitForExit()).code).toBe(0);
  });

  it('rx-dtls server drops a ClientHello that s_client had to fragment, before any state (as OpenSSL DTLSv1_listen does)', async () => {
    const transport = await tappedUdp();
    const echo = await echoServer({ transport, credentials: pskStore() });
    const dropped: string[] = [];
    echo.server.events$.subscribe((e) => {
      if (e.type === 'dropped') dropped.push(e.reason);
    });
    // Every suite OpenSSL knows makes a ClientHello of about 400 bytes: three fragments at -mtu 256.
    startOpensslClient({ binary: bin, port: echo.port, cipher: 'ALL:PSK:@SECLEVEL=0', mtu: OPENSSL_MTU });
    const deadline = Date.now() + 3000;
    while (partialFragments(transport.log, 'received').length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

    // RFC 6347 §4.2.1 cookies are stateless, so a ClientHello must fit one datagram.
    expect(partialFragments(transport.log, 'received').filter((f) => f.msgType === 1).length).toBeGreaterThanOrEqual(3);
    expect(dropped).toContain('fragmented ClientHello');
    expect(transport.log.filter((d) => d.direction === 'sent')).toEqual([]);
    expect(echo.sessions).toEqual([]);
  });

  it(`rx-dtls server reassembles the flight s_client fragments at -mtu ${OPENSSL_MTU}`, async () => {
    const transport = await tappedUdp();
    const echo = await echoServer({ transport, credentials: pskStore(LONG_IDENTITY) });
    const client = startOpensslClient({ binary: bin, port: echo.port, cipher: CIPHER.openssl, identity: LONG_IDENTITY, mtu: OPENSSL_MTU });
    client.write('reassembled by server\n');
    expect(await client.waitForStdout('reassembled by server\n')).toBe('reassembled by server\n');

    const server = await echo.firstSession();
    expect(server.session.info?.peer).toEqual({ kind: 'psk', identity: LONG_IDENTITY });
    expect(partialFragments(transport.log, 'received').some((f) => f.msgType === 16)).toBe(true);
    client.endInput();
    expect((await client.waitForExit()).code).toBe(0);
  });
});
