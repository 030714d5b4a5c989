import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, DtlsError, utf8 } from '../../lib/index.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { stopAllPeers } from './helpers/peer-process.js';
import { PSK_IDENTITY, PSK_KEY_HEX, pskStore, WRONG_PSK_KEY_HEX } from './helpers/psk.js';
import { recordSession } from './helpers/session-recorder.js';
import { startOpensslCertClient, startOpensslCertServer } from './helpers/openssl-cert.js';
import { traceCipherSuites, traceNamedCurves } from './helpers/openssl-trace.js';
import { GROUPS } from './helpers/peer-keys.js';

const openssl = peerBinary('openssl');

const IANA = 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256';
const CIPHER = 'ECDHE-PSK-CHACHA20-POLY1305';
const PSK = { identity: PSK_IDENTITY, keyHex: PSK_KEY_HEX };
const WRONG_PSK = { identity: PSK_IDENTITY, keyHex: WRONG_PSK_KEY_HEX };
/** Short timers: the wrong-key cases can only end by timing out (see below). */
const FAST = { handshakeTimeout: 1500, retransmit: { initialTimeout: 250, maxTimeout: 500 } } as const;

/** The records of a trace that s_server or s_client sent, with their content type. */
const sentTypes = (trace: string) => [...trace.matchAll(/^Sent Record\n(?:.*\n){0,4}?\s*Content Type = (\w+)/gm)].map((m) => m[1]);

describe.skipIf(openssl.skip)('ECDHE-PSK-CHACHA20-POLY1305 with openssl on each ECDHE group, and a wrong key', () => {
  let bin: string;
  let dir: string;
  let echo: EchoServer | undefined;
  beforeAll(() => {
    bin = assertPeerPresent(openssl);
    dir = mkdtempSync(join(tmpdir(), 'rx-dtls-ecdhe-psk-'));
  });
  afterEach(async () => {
    echo?.server.close();
    echo = undefined;
    await stopAllPeers();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(GROUPS)('rx-dtls client and s_server -groups $openssl agree on $label, echo, and close', async (group) => {
    const traceFile = join(dir, `client-${group.label}.trace`);
    const { peer, port } = await startOpensslCertServer({ binary: bin, cipher: CIPHER, groups: group.openssl, psk: PSK, traceFile, naccept: 1 });
    const session = await connect({ host: '127.0.0.1', port, credentials: pskStore(), cipherSuites: [IANA], ...FAST });
    const rec = recordSession(session);
    expect(session.info).toEqual({ cipherSuite: IANA, peer: { kind: 'psk', identity: PSK_IDENTITY }, extendedMasterSecret: true, resumed: false, socketBuffers: expect.any(Object) });
    const message = `ping ${group.label} ${Math.random()}\n`;
    session.send(utf8(message));
    expect(await rec.received(message)).toBe(message);
    peer.endInput();
    expect((await rec.closed()).error).toBeUndefined();
    expect((await peer.waitForExit()).code).toBe(0);
    const trace = readFileSync(traceFile, 'utf8');
    expect(traceCipherSuites(trace)).toEqual([IANA]);
    expect(traceNamedCurves(trace)).toEqual([group.id]);
  });

  it.each(GROUPS)('s_client -groups $openssl and the rx-dtls server agree on $label, echo, and close', async (group) => {
    echo = await startEchoServer({ credentials: pskStore() });
    const traceFile = join(dir, `server-${group.label}.trace`);
    const client = startOpensslCertClient({ binary: bin, port: echo.port, cipher: CIPHER, groups: group.openssl, psk: PSK, traceFile });
    const message = `ping ${group.label} ${Math.random()}\n`;
    client.write(message);
    const session = await echo.firstSession();
    expect(await session.next('handshake-complete')).toMatchObject({ cipherSuite: IANA, peer: { kind: 'psk', identity: PSK_IDENTITY } });
    expect(await client.waitForStdout(message)).toBe(message);
    client.endInput();
    expect((await client.waitForExit()).code).toBe(0);
    expect((await session.closed()).error).toBeUndefined();
    expect(traceNamedCurves(readFileSync(traceFile, 'utf8'))).toEqual([group.id]);
  });

  // With another key the peer's Finished fails AEAD authentication. RFC 6347 §4.1.2.7: a
  // DTLS record that does not authenticate is dropped, not answered, so neither side ever
  // sends an alert; the handshake can only end on the handshake timer.
  it('rx-dtls client with the wrong key: ETIMEDOUT within handshakeTimeout, and s_server never sends its Finished', async () => {
    const traceFile = join(dir, 'wrong-key-client.trace');
    const { peer, port } = await startOpensslCertServer({ binary: bin, cipher: CIPHER, psk: WRONG_PSK, traceFile, naccept: 1, echo: false });
    const started = Date.now();
    const error = await connect({ host: '127.0.0.1', port, credentials: pskStore(), cipherSuites: [IANA], ...FAST }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(DtlsError);
    expect(error).toMatchObject({ code: 'ETIMEDOUT', alert: undefined });
    expect(elapsed).toBeGreaterThanOrEqual(FAST.handshakeTimeout - 50);
    expect(elapsed).toBeLessThan(FAST.handshakeTimeout + 1000);
    await peer.stop();
    const sent = sentTypes(readFileSync(traceFile, 'utf8'));
    expect(sent).toContain('Handshake');
    expect(sent).not.toContain('ChangeCipherSpec');
  });

  it('s_client with the wrong key: the rx-dtls server session ends with ETIMEDOUT, says bad_record_mac and delivers nothing', async () => {
    echo = await startEchoServer({ credentials: pskStore(), ...FAST });
    const client = startOpensslCertClient({ binary: bin, port: echo.port, cipher: CIPHER, psk: WRONG_PSK });
    client.write('never delivered\n');
    const session = await echo.firstSession();
    const closed = await session.closed(FAST.handshakeTimeout + 2000);
    expect(closed.error).toBeInstanceOf(DtlsError);
    expect(closed.error).toMatchObject({ code: 'ETIMEDOUT' });
    // RFC 6347 §4.1.2.7: the Finished that did not authenticate is answered at the timeout with a fatal bad_record_mac.
    expect(session.events.filter((e) => e.type === 'alert')).toEqual([
      expect.objectContaining({ direction: 'sent', level: 'fatal', name: 'bad_record_mac' }),
    ]);
    expect(session.data).toEqual([]);
  });
});
