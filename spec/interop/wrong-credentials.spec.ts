import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DtlsError, established, openClientSession, UdpTransport } from '../../lib/index.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { startOpensslClient, startOpensslServer } from './helpers/openssl.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { stopAllPeers } from './helpers/peer-process.js';
import { pskStore, WRONG_PSK_KEY_HEX } from './helpers/psk.js';
import { recordSession } from './helpers/session-recorder.js';
import { plainFragments, tapTransport } from './helpers/tap-transport.js';

const openssl = peerBinary('openssl');

const HANDSHAKE_TIMEOUT = 3000;
const FAST = { handshakeTimeout: HANDSHAKE_TIMEOUT, retransmit: { initialTimeout: 200, maxTimeout: 1000 } } as const;

/**
 * With a wrong key each side derives different record keys, so each side's
 * Finished fails authentication at the other. RFC 6347 §4.1.2.7 lets a DTLS
 * endpoint drop such records silently, and both OpenSSL and rx-dtls do: the
 * failure surfaces as a handshake timeout, not as an alert.
 */
describe.skipIf(openssl.skip)('wrong PSK credentials against OpenSSL', () => {
  let bin: string;
  let echo: EchoServer | undefined;
  // beforeEach, not beforeAll: under DTLS_INTEROP=require each test then counts as failed, not skipped.
  beforeEach(() => {
    bin = assertPeerPresent(openssl);
  });
  afterEach(async () => {
    echo?.server.close();
    echo = undefined;
    await stopAllPeers();
  });

  it('rx-dtls client with the wrong key fails with ETIMEDOUT within its handshakeTimeout, no alert either way', async () => {
    const { peer, port } = await startOpensslServer({ binary: bin, cipher: 'PSK-AES128-GCM-SHA256' });
    const started = Date.now();
    const session = await openClientSession({ host: '127.0.0.1', port, credentials: pskStore(undefined, WRONG_PSK_KEY_HEX), ...FAST });
    const rec = recordSession(session);

    const error = await established(session).then(
      () => undefined,
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(DtlsError);
    expect(error).toMatchObject({ code: 'ETIMEDOUT', alert: undefined });
    expect(elapsed).toBeGreaterThanOrEqual(HANDSHAKE_TIMEOUT - 50);
    expect(elapsed).toBeLessThan(HANDSHAKE_TIMEOUT + 1500);
    // Our flight 5 went out again and again, and no alert came or went.
    expect(rec.events.filter((e) => e.type === 'retransmit' && e.flight === 5).length).toBeGreaterThan(0);
    expect(rec.events.filter((e) => e.type === 'alert')).toEqual([]);
    expect(peer.stdout).toBe('');
  });

  // RFC 6347 §4.2.4: reading a retransmitted *flight* sends ours again. OpenSSL resends its
  // flight 4 as two datagrams (ServerHello, ServerHelloDone); one resend of flight 5 answers both.
  it('answers one retransmission of the peer flight with one resend of its own, though it spans two datagrams', async () => {
    const { port } = await startOpensslServer({ binary: bin, cipher: 'PSK-AES128-GCM-SHA256' });
    const transport = tapTransport(await UdpTransport.bind({ host: '127.0.0.1', port: 0 }));
    try {
      const session = await openClientSession({ host: '127.0.0.1', port, transport, credentials: pskStore(undefined, WRONG_PSK_KEY_HEX), handshakeTimeout: 1800, retransmit: { initialTimeout: 5000, maxTimeout: 5000 } });
      const rec = recordSession(session);
      await rec.closed(4000);
      const serverHellos = transport.log.filter((d) => d.direction === 'received' && plainFragments(d.data).some((f) => f.msgType === 2));
      const peerRetransmissions = serverHellos.length - 1;
      expect(peerRetransmissions).toBeGreaterThan(0);
      const resends = rec.events.filter((e) => e.type === 'retransmit' && e.reason === 'peer');
      expect(resends).toHaveLength(peerRetransmissions);
    } finally {
      transport.close();
    }
  });

  it('s_client with the wrong key gets no data; the rx-dtls server drops its Finished, times out and says bad_record_mac', async () => {
    echo = await startEchoServer({ credentials: pskStore(), ...FAST });
    const client = startOpensslClient({ binary: bin, port: echo.port, cipher: 'PSK-AES128-GCM-SHA256', keyHex: WRONG_PSK_KEY_HEX });
    client.write('must not arrive\n');

    const server = await echo.firstSession();
    const closed = await server.closed(HANDSHAKE_TIMEOUT + 1500);
    expect(closed.error).toMatchObject({ code: 'ETIMEDOUT' });
    expect(server.events.some((e) => e.type === 'handshake-complete')).toBe(false);
    // RFC 6347 §4.1.2.7: the records that did not authenticate are answered, at our timeout, with a fatal bad_record_mac.
    expect(server.events.filter((e) => e.type === 'alert')).toEqual([
      expect.objectContaining({ direction: 'sent', level: 'fatal', name: 'bad_record_mac' }),
    ]);
    expect(closed.error?.message).toMatch(/wrong pre-shared key/);
    expect(server.data).toEqual([]);
    // The client's Finished (and its retransmissions) failed authentication and were counted.
    expect(server.session.droppedRecords).toBeGreaterThan(0);

    // The alert ends s_client too, instead of leaving it retransmitting.
    const exit = await client.waitForExit(6000);
    expect(exit.code).not.toBe(0);
    expect(client.stdout).toBe('');
  });

  it('s_client with an unknown identity is refused at once with a fatal unknown_psk_identity alert', async () => {
    echo = await startEchoServer({ credentials: pskStore(), ...FAST });
    const client = startOpensslClient({ binary: bin, port: echo.port, cipher: 'PSK-AES128-GCM-SHA256', identity: 'nobody' });

    const server = await echo.firstSession();
    const closed = await server.closed();
    expect(closed.error).toBeInstanceOf(DtlsError);
    expect(closed.error).toMatchObject({ code: 'ECREDENTIALS', alert: { level: 'fatal', name: 'unknown_psk_identity', description: 115 } });
    expect(server.events).toContainEqual(expect.objectContaining({ type: 'alert', direction: 'sent', name: 'unknown_psk_identity' }));

    expect((await client.waitForExit()).code).toBe(1);
    expect(client.stderr).toMatch(/alert unknown psk identity/);
  });
});
