import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { credentials, DtlsError, UdpTransport } from '../../lib/index.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { stopAllPeers } from './helpers/peer-process.js';
import { partialFragments, tapTransport } from './helpers/tap-transport.js';
import { ECDSA_SUITES } from './helpers/ecdsa-suites.js';
import { startOpensslCertClient, type OpensslCertClientOptions } from './helpers/openssl-cert.js';
import { traceCipherSuites, traceNamedCurves } from './helpers/openssl-trace.js';
import { GROUPS, PEER_KEYS, readPem, SECP256R1, X25519 } from './helpers/peer-keys.js';
import { expiredSelfSignedP256, selfSignedP256, type GeneratedPair } from './helpers/throwaway-certs.js';

const openssl = peerBinary('openssl');

/**
 * s_client's -groups for each of our groups. OpenSSL checks the curve of the
 * server's ECDSA key against its own list (RFC 8422 §5.1: the list covers
 * certificate keys too), so P-256 stays listed when X25519 is wanted for ECDHE.
 */
const CLIENT_GROUPS: Record<number, string> = { [SECP256R1]: 'P-256', [X25519]: 'X25519:P-256' };

describe.skipIf(openssl.skip)('openssl s_client -dtls1_2 against an rx-dtls server with an ECDSA P-256 certificate', () => {
  let bin: string;
  let dir: string;
  let clientPair: GeneratedPair;
  let strangerPair: GeneratedPair;
  let echo: EchoServer | undefined;
  beforeAll(() => {
    bin = assertPeerPresent(openssl);
    dir = mkdtempSync(join(tmpdir(), 'rx-dtls-ecdsa-ossl-client-'));
    clientPair = selfSignedP256(bin, dir, 'client', '/CN=rx-dtls-client', 'DNS:rx-dtls-client');
    strangerPair = selfSignedP256(bin, dir, 'stranger', '/CN=stranger', 'DNS:stranger');
  });
  afterEach(async () => {
    echo?.server.close();
    echo = undefined;
    await stopAllPeers();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Our certificate, and the client certificate we trust when we ask for one. */
  const serverStore = () =>
    credentials().x509({
      tag: 0,
      certificate: readPem(PEER_KEYS.certificate),
      privateKey: readPem(PEER_KEYS.privateKey),
      ca: readPem(clientPair.certificate),
    });

  /** s_client verifying us against the committed certificate, tracing into dir/name.trace. */
  function client(name: string, port: number, options: Partial<OpensslCertClientOptions>) {
    const traceFile = join(dir, `${name}.trace`);
    const peer = startOpensslCertClient({ binary: bin, port, cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256', caFile: PEER_KEYS.certificate, traceFile, ...options });
    return { peer, trace: () => readFileSync(traceFile, 'utf8') };
  }

  /** Sends a line through s_client, expects it back, ends s_client's input and checks both sides closed cleanly. */
  async function echoAndClose(name: string, server: Omit<Parameters<typeof startEchoServer>[0], 'credentials'>, options: Partial<OpensslCertClientOptions>) {
    echo = await startEchoServer({ credentials: serverStore(), ...server });
    const { peer, trace } = client(name, echo.port, options);
    const message = `ping ${name} ${Math.random()}\n`;
    peer.write(message);
    const session = await echo.firstSession();
    const complete = await session.next('handshake-complete');
    expect(await peer.waitForStdout(message)).toBe(message);
    expect(await session.received(message)).toBe(message);
    peer.endInput();
    expect((await peer.waitForExit()).code).toBe(0);
    expect((await session.closed()).error).toBeUndefined();
    expect(session.events).toContainEqual(expect.objectContaining({ type: 'alert', direction: 'received', name: 'close_notify' }));
    // s_client's -verify_return_error would have aborted on a certificate it could not verify.
    expect(peer.stderr).toMatch(/depth=0 CN = localhost\s+verify return:1/);
    return { complete, trace: trace() };
  }

  describe.each(ECDSA_SUITES)('$openssl', ({ iana, openssl: cipher }) => {
    it.each(GROUPS)(`completes ${iana} over ECDHE $label, echoes a line and sees s_client's close_notify`, async (group) => {
      const { complete, trace } = await echoAndClose(`${cipher}-${group.label}`, {}, { cipher, groups: CLIENT_GROUPS[group.id] });
      expect(complete).toMatchObject({ cipherSuite: iana, peer: { kind: 'anonymous' }, extendedMasterSecret: true });
      // What s_client decoded: the suite of our ServerHello and the group of our ServerKeyExchange.
      expect(traceCipherSuites(trace)).toEqual([iana]);
      expect(traceNamedCurves(trace)).toEqual([group.id]);
    });
  });

  it('takes its ECDHE group from the groups option: [23] picks P-256 although s_client lists X25519 first', async () => {
    const { trace } = await echoAndClose('groups-option', { groups: [SECP256R1] }, { groups: 'X25519:P-256' });
    expect(traceNamedCurves(trace)).toEqual([SECP256R1]);
  });

  it('fragments its certificate flight to mtu 200 and reassembles s_client\'s, fragmented at -mtu 256', async () => {
    const transport = tapTransport(await UdpTransport.bind({ host: '127.0.0.1', port: 0 }));
    const { complete } = await echoAndClose(
      'fragmented',
      { transport, mtu: 200, clientAuth: 'required' },
      { mtu: 256, certificate: clientPair.certificate, privateKey: clientPair.privateKey },
    );
    expect(complete).toMatchObject({ cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', peer: { kind: 'x509', subject: 'CN=rx-dtls-client' } });
    // Both certificates (~430 bytes) travelled in pieces, read straight off the wire.
    expect(partialFragments(transport.log, 'sent').some((f) => f.msgType === 11)).toBe(true);
    expect(partialFragments(transport.log, 'received').some((f) => f.msgType === 11)).toBe(true);
    expect(transport.log.filter((d) => d.direction === 'sent').every((d) => d.data.length <= 200)).toBe(true);
  });

  // RFC 8422 §5.1: "servers MUST NOT negotiate the use of an ECC cipher suite unless they can
  // complete the handshake while respecting the choice of curves specified by the client", and
  // §5.3 puts the server certificate's key under that list. A client that lists only X25519 cannot
  // check a P-256 signature, so the server has no ECDHE_ECDSA suite to offer it.
  it('refuses ECDHE_ECDSA with handshake_failure when s_client lists only X25519 (the certificate key is P-256)', async () => {
    echo = await startEchoServer({ credentials: serverStore() });
    const { peer } = client('x25519-only', echo.port, { groups: 'X25519' });
    peer.write('never delivered\n');
    const session = await echo.firstSession();
    const closed = await session.closed();
    expect(closed.error).toBeInstanceOf(DtlsError);
    expect(closed.error).toMatchObject({ code: 'EHANDSHAKE', alert: { name: 'handshake_failure' } });
    expect((await peer.waitForExit()).code).not.toBe(0);
  });

  describe('client certificates', () => {
    it.each(GROUPS)('with clientAuth required, authenticates s_client -cert CN=rx-dtls-client over ECDHE $label', async (group) => {
      const { complete, trace } = await echoAndClose(
        `mutual-${group.label}`,
        { clientAuth: 'required' },
        { cipher: 'ECDHE-ECDSA-CHACHA20-POLY1305', groups: CLIENT_GROUPS[group.id], certificate: clientPair.certificate, privateKey: clientPair.privateKey },
      );
      expect(complete).toMatchObject({ cipherSuite: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', peer: { kind: 'x509', subject: 'CN=rx-dtls-client' } });
      const peer = complete.peer as { chain: readonly Uint8Array[] };
      expect(peer.chain).toHaveLength(1);
      expect(Buffer.from(peer.chain[0]).toString('base64')).toBe(readPem(clientPair.certificate).replace(/-----[A-Z ]+-----|\s/g, ''));
      expect(trace).toMatch(/CertificateRequest/);
      expect(trace).toMatch(/CertificateVerify/);
      expect(traceNamedCurves(trace)).toEqual([group.id]);
    });

    it('with clientAuth optional, completes anonymously when s_client has no certificate', async () => {
      const { complete, trace } = await echoAndClose('optional', { clientAuth: 'optional' }, {});
      expect(complete).toMatchObject({ cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', peer: { kind: 'anonymous' } });
      // We asked; s_client answered with an empty Certificate (RFC 5246 §7.4.6).
      expect(trace).toMatch(/CertificateRequest/);
      expect(trace).not.toMatch(/CertificateVerify/);
    });

    it('with clientAuth required, ends the handshake with handshake_failure when s_client sends no certificate', async () => {
      echo = await startEchoServer({ credentials: serverStore(), clientAuth: 'required' });
      const { peer, trace } = client('no-client-cert', echo.port, {});
      peer.write('never delivered\n');
      const session = await echo.firstSession();
      const closed = await session.closed();
      expect(closed.error).toBeInstanceOf(DtlsError);
      expect(closed.error).toMatchObject({ code: 'EHANDSHAKE', alert: { level: 'fatal', name: 'handshake_failure' } });
      expect((await peer.waitForExit()).code).not.toBe(0);
      expect(trace()).toMatch(/Level=fatal\(2\), description=handshake failure\(40\)/);
      expect(session.data).toEqual([]);
    });

    it('with clientAuth required, refuses an expired client certificate with certificate_expired', async () => {
      const expired = expiredSelfSignedP256(bin, dir, 'expired-client');
      const store = credentials().x509({
        tag: 0,
        certificate: readPem(PEER_KEYS.certificate),
        privateKey: readPem(PEER_KEYS.privateKey),
        ca: readPem(expired.certificate),
      });
      echo = await startEchoServer({ credentials: store, clientAuth: 'required' });
      const { peer, trace } = client('expired-client-cert', echo.port, { certificate: expired.certificate, privateKey: expired.privateKey });
      peer.write('never delivered\n');
      const session = await echo.firstSession();
      const closed = await session.closed();
      expect(closed.error).toBeInstanceOf(DtlsError);
      expect(closed.error).toMatchObject({ code: 'EHANDSHAKE', alert: { level: 'fatal', name: 'certificate_expired' } });
      expect((await peer.waitForExit()).code).not.toBe(0);
      expect(trace()).toMatch(/Level=fatal\(2\), description=certificate expired\(45\)/);
    });

    it('with clientAuth required, refuses a client certificate from an untrusted issuer with unknown_ca', async () => {
      echo = await startEchoServer({ credentials: serverStore(), clientAuth: 'required' });
      const { peer, trace } = client('untrusted-client-cert', echo.port, { certificate: strangerPair.certificate, privateKey: strangerPair.privateKey });
      peer.write('never delivered\n');
      const session = await echo.firstSession();
      const closed = await session.closed();
      expect(closed.error).toMatchObject({ code: 'EHANDSHAKE', alert: { level: 'fatal', name: 'unknown_ca' } });
      expect((await peer.waitForExit()).code).not.toBe(0);
      expect(trace()).toMatch(/Level=fatal\(2\), description=unknown CA\(48\)/);
    });
  });
});
