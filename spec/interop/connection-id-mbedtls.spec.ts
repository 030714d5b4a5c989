import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, credentials, listen, utf8, type ClientOptions, type DtlsServer, type ServerOptions, type Session, type SessionEvent } from '../../lib/index.js';
import { ImpairmentProxy } from '../../lib/impairment/impairment-proxy.js';
import { hex, MBEDTLS_SUITES, mbedtlsBinary, peerCidIn, startSslClient2, startSslServer2 } from './helpers/mbedtls.js';
import { assertPeerPresent } from './helpers/peer-binary.js';
import { PEER_KEYS, readPem } from './helpers/peer-keys.js';
import { stopAllPeers } from './helpers/peer-process.js';
import { pskStore } from './helpers/psk.js';
import { recordSession } from './helpers/session-recorder.js';

const sslServer2 = mbedtlsBinary('ssl_server2');
const sslClient2 = mbedtlsBinary('ssl_client2');

/** Handshakes on loopback that finish or fail quickly. */
const FAST = { handshakeTimeout: 8000, retransmit: { initialTimeout: 250, maxTimeout: 2000 } } as const;

/** PSK, and ECDHE_ECDSA with the P-256 certificate of spec/fixtures/peers (CN=localhost, its own CA). */
const SUITES = [
  {
    iana: 'TLS_PSK_WITH_AES_128_CCM_8',
    client: () => ({ credentials: pskStore() }),
    server: () => ({ credentials: pskStore() }),
    mbedtls: { psk: true, extra: [`force_ciphersuite=${MBEDTLS_SUITES.TLS_PSK_WITH_AES_128_CCM_8}`], clientExtra: [] },
  },
  {
    iana: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    client: () => ({ credentials: credentials().x509({ tag: 0, ca: readPem(PEER_KEYS.certificate) }), serverName: 'localhost' }),
    server: () => ({ credentials: credentials().x509({ tag: 0, certificate: readPem(PEER_KEYS.certificate), privateKey: readPem(PEER_KEYS.privateKey) }) }),
    mbedtls: {
      psk: false,
      extra: [
        `force_ciphersuite=${MBEDTLS_SUITES.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}`,
        `crt_file=${PEER_KEYS.certificate}`,
        `key_file=${PEER_KEYS.privateKey}`,
        `ca_file=${PEER_KEYS.certificate}`,
        'auth_mode=none',
      ],
      /** ssl_client2 checks our certificate's name. */
      clientExtra: ['server_name=localhost'],
    },
  },
] as const;

/**
 * Connection IDs (RFC 9146) against mbedTLS 3.6, the reference implementation, in every
 * direction: each side's CID is the one it receives with, and an empty one means records
 * to it carry none. mbedTLS prints the CID its peer asked for ("Peer CID").
 */
describe.skipIf(sslServer2.skip)('rx-dtls client with Connection IDs against mbedTLS ssl_server2', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(sslServer2);
  });
  afterEach(stopAllPeers);

  const directions = [
    { name: 'both sides take a CID', ours: { length: 4 }, theirs: 'aabbccdd' },
    { name: 'we receive with a CID, ssl_server2 takes a zero-length one', ours: { length: 6 }, theirs: '' },
    { name: "we take a zero-length CID ('offer') and send ssl_server2's", ours: 'offer', theirs: 'aabbccdd' },
  ] as const satisfies readonly { name: string; ours: ClientOptions['connectionId']; theirs: string }[];

  describe.each(SUITES)('$iana', (suite) => {
    it.each(directions)('$name: the CIDs are the ones each asked for, and an HTTP request is answered', async ({ ours, theirs }) => {
      const { peer, port } = await startSslServer2({ binary: bin, cidHex: theirs, psk: suite.mbedtls.psk, extra: suite.mbedtls.extra });
      const session = await connect({ host: '127.0.0.1', port, cipherSuites: [suite.iana], connectionId: ours, ...suite.client(), ...FAST });
      const rec = recordSession(session);
      expect(session.info?.cipherSuite).toBe(suite.iana);
      expect(hex(session.info?.connectionId?.send)).toBe(theirs);
      expect(session.info?.connectionId?.receive).toHaveLength(ours === 'offer' ? 0 : ours.length);

      session.send(utf8('GET / HTTP/1.0\r\n\r\n'));
      expect(await rec.received('Successful connection using')).toMatch(/^HTTP\/1.0 200 OK/);
      await peer.waitForStdout(/Peer CID/);
      expect(peerCidIn(peer.stdout)).toBe(hex(session.info?.connectionId?.receive));
      await session.close();
    });
  });
});

describe.skipIf(sslClient2.skip)('rx-dtls server with Connection IDs against mbedTLS ssl_client2', () => {
  let bin: string;
  let server: DtlsServer | undefined;
  let proxy: ImpairmentProxy | undefined;
  beforeEach(() => {
    bin = assertPeerPresent(sslClient2);
  });
  afterEach(async () => {
    proxy?.close();
    proxy = undefined;
    await server?.close();
    server = undefined;
    await stopAllPeers();
  });

  /** An echo server; its sessions and their events are collected. */
  async function echoServer(options: Pick<ServerOptions, 'credentials' | 'connectionId'>, onRequest?: (count: number) => void) {
    server = await listen({ port: 0, ...options, ...FAST });
    const sessions: Session[] = [];
    const events: SessionEvent[] = [];
    server.sessions$.subscribe((session) => {
      sessions.push(session);
      session.events$.subscribe({ next: (e) => events.push(e), error: () => undefined });
      let requests = 0;
      session.data$.subscribe({
        next: (data) => {
          session.send(data);
          onRequest?.(++requests);
        },
        error: () => undefined,
      });
    });
    return { port: server.address().port, sessions, events };
  }

  const directions = [
    { name: 'both sides take a CID', ours: { length: 4 }, theirs: '11223344' },
    { name: 'we take a zero-length CID and send ssl_client2\'s', ours: { length: 0 }, theirs: '11223344' },
    { name: 'we issue a CID, ssl_client2 takes a zero-length one', ours: { length: 5 }, theirs: '' },
  ] as const satisfies readonly { name: string; ours: ServerOptions['connectionId']; theirs: string }[];

  describe.each(SUITES)('$iana', (suite) => {
    it.each(directions)('$name: the CIDs are the ones each asked for, and two requests are echoed', async ({ ours, theirs }) => {
      const { port, sessions } = await echoServer({ ...suite.server(), connectionId: ours });
      const extra = [...suite.mbedtls.extra, ...suite.mbedtls.clientExtra];
      const client = startSslClient2({ binary: bin, port, cidHex: theirs, exchanges: 2, psk: suite.mbedtls.psk, extra });
      expect((await client.waitForExit(15_000)).code).toBe(0);
      expect(client.stdout.match(/< Read from server: \d+ bytes read\s+GET \//g)).toHaveLength(2);
      const [session] = sessions;
      expect(session.info?.cipherSuite).toBe(suite.iana);
      expect(hex(session.info?.connectionId?.send)).toBe(theirs);
      expect(session.info?.connectionId?.receive).toHaveLength(ours.length);
      expect(peerCidIn(client.stdout)).toBe(hex(session.info?.connectionId?.receive));
    });
  });

  it('a NAT rebinding between two requests: the session follows ssl_client2 to its new port, names both in an event, and answers before and after', async () => {
    let rebindArmed = false;
    const { port, sessions, events } = await echoServer({ credentials: pskStore(), connectionId: { length: 4 } }, (count) => {
      // Right after the first answer: ssl_client2's next request leaves the proxy from a new port.
      if (count === 1) {
        proxy?.rebindOnNextDatagram();
        rebindArmed = true;
      }
    });
    proxy = await ImpairmentProxy.start({ target: { address: '127.0.0.1', port } });
    const client = startSslClient2({ binary: bin, port: proxy.address().port, cidHex: '11223344', exchanges: 3, extra: SUITES[0].mbedtls.extra });
    expect((await client.waitForExit(15_000)).code).toBe(0);
    expect(rebindArmed).toBe(true);
    expect(client.stdout.match(/< Read from server: \d+ bytes read\s+GET \//g)).toHaveLength(3);
    const [{ upstream: now }] = proxy.clients();
    const moves = events.filter((e) => e.type === 'peer-address-changed');
    expect(moves).toHaveLength(1);
    expect(moves[0]).toMatchObject({ to: now });
    expect(moves[0].type === 'peer-address-changed' && moves[0].from.port).not.toBe(now.port);
    expect(sessions).toHaveLength(1);
    expect(sessions[0].peer).toEqual(now);
  });
});
