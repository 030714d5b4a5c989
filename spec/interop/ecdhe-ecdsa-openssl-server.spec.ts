import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, credentials, DtlsError, UdpTransport, utf8, type ClientOptions } from '../../lib/index.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { stopAllPeers } from './helpers/peer-process.js';
import { recordSession } from './helpers/session-recorder.js';
import { partialFragments, tapTransport } from './helpers/tap-transport.js';
import { ECDSA_SUITES } from './helpers/ecdsa-suites.js';
import { startOpensslCertServer } from './helpers/openssl-cert.js';
import { traceCipherSuites, traceNamedCurves, traceServerNames } from './helpers/openssl-trace.js';
import { GROUPS, PEER_KEYS, readPem, SECP256R1, X25519 } from './helpers/peer-keys.js';
import { expiredSelfSignedP256, selfSignedP256, type GeneratedPair } from './helpers/throwaway-certs.js';

const openssl = peerBinary('openssl');

/** A loopback handshake either finishes quickly or fails quickly. */
const FAST = { handshakeTimeout: 4000, retransmit: { initialTimeout: 250, maxTimeout: 1000 } } as const;

/** Trusts the committed CN=localhost certificate as its own CA, as a device pinning its gateway would. */
const trustingServer = () => credentials().x509({ tag: 0, ca: readPem(PEER_KEYS.certificate) });

describe.skipIf(openssl.skip)('rx-dtls client against openssl s_server -dtls1_2 -listen with an ECDSA P-256 certificate', () => {
  let bin: string;
  let dir: string;
  let clientPair: GeneratedPair;
  beforeAll(() => {
    bin = assertPeerPresent(openssl);
    dir = mkdtempSync(join(tmpdir(), 'rx-dtls-ecdsa-ossl-server-'));
    clientPair = selfSignedP256(bin, dir, 'client', '/CN=rx-dtls-client', 'DNS:rx-dtls-client');
  });
  afterEach(stopAllPeers);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Handshake, echo through s_server, s_server's close_notify, s_server's exit; returns s_server's trace. */
  async function echoAndClose(name: string, server: Parameters<typeof startOpensslCertServer>[0], client: Partial<ClientOptions>) {
    const traceFile = join(dir, `${name}.trace`);
    const { peer, port } = await startOpensslCertServer({ ...server, traceFile, naccept: 1 });
    const session = await connect({ host: '127.0.0.1', port, credentials: trustingServer(), ...FAST, ...client });
    const rec = recordSession(session);
    const message = `ping ${name} ${Math.random()}\n`;
    session.send(utf8(message));
    expect(await rec.received(message)).toBe(message);
    expect(peer.stdout).toBe(message);
    peer.endInput();
    expect((await rec.closed()).error).toBeUndefined();
    expect(rec.events).toContainEqual(expect.objectContaining({ type: 'alert', direction: 'received', name: 'close_notify' }));
    expect((await peer.waitForExit()).code).toBe(0);
    return { session, peer, trace: readFileSync(traceFile, 'utf8') };
  }

  describe.each(ECDSA_SUITES)('$openssl', ({ iana, openssl: cipher }) => {
    it.each(GROUPS)(`negotiates ${iana} over ECDHE $label (s_server -groups $openssl), verifies CN=localhost, echoes and closes`, async (group) => {
      const { session, trace } = await echoAndClose(`${cipher}-${group.label}`, { binary: bin, cipher, groups: group.openssl }, { cipherSuites: [iana] });
      expect(session.info).toMatchObject({ cipherSuite: iana, peer: { kind: 'x509', subject: 'CN=localhost' }, extendedMasterSecret: true });
      // What s_server itself decoded: the suite of its ServerHello and the group of its ServerKeyExchange.
      expect(traceCipherSuites(trace)).toEqual([iana]);
      expect(traceNamedCurves(trace)).toEqual([group.id]);
      // RFC 6066 §3: a literal IP address is never sent as server_name.
      expect(traceServerNames(trace)).toEqual([]);
    });
  });

  it('uses only the group our groups option names ([23]) even when s_server would prefer X25519', async () => {
    const { session, trace } = await echoAndClose(
      'groups-option-p256',
      { binary: bin, cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256', groups: 'X25519:P-256' },
      { cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'], groups: [SECP256R1] },
    );
    expect(session.info?.cipherSuite).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
    expect(traceNamedCurves(trace)).toEqual([SECP256R1]);
  });

  // OpenSSL checks the curve of a peer's ECDSA key against its own group list
  // (RFC 8422 §5.1: the list covers certificate keys too), so P-256 stays in
  // s_server's list for the X25519 case; our client's order picks X25519.
  it.each([
    { label: 'P-256', groups: 'P-256', suite: ECDSA_SUITES[1], expected: SECP256R1 },
    { label: 'X25519', groups: 'X25519:P-256', suite: ECDSA_SUITES[3], expected: X25519 },
  ])('authenticates with a client certificate when s_server -Verify 1 requires one (ECDHE $label)', async ({ label, groups, suite, expected }) => {
    const mutual = credentials().x509({
      tag: 0,
      certificate: readPem(clientPair.certificate),
      privateKey: readPem(clientPair.privateKey),
      ca: readPem(PEER_KEYS.certificate),
    });
    const { session, peer, trace } = await echoAndClose(
      `mutual-${label}`,
      { binary: bin, cipher: suite.openssl, groups, requireClientCertificate: clientPair.certificate },
      { cipherSuites: [suite.iana], credentials: mutual },
    );
    expect(session.info).toMatchObject({ cipherSuite: suite.iana, peer: { kind: 'x509', subject: 'CN=localhost' } });
    // s_server's verify callback printed our certificate and accepted it.
    expect(peer.stderr).toMatch(/depth=0 CN = rx-dtls-client\s+verify return:1/);
    expect(trace).toMatch(/CertificateRequest/);
    expect(trace).toMatch(/CertificateVerify/);
    expect(traceNamedCurves(trace)).toEqual([expected]);
  });

  it('fragments its certificate flight to mtu 200 and reassembles s_server\'s, fragmented at -mtu 256', async () => {
    const transport = tapTransport(await UdpTransport.bind({ host: '127.0.0.1', port: 0 }));
    try {
      const mutual = credentials().x509({
        tag: 0,
        certificate: readPem(clientPair.certificate),
        privateKey: readPem(clientPair.privateKey),
        ca: readPem(PEER_KEYS.certificate),
      });
      const { session, peer } = await echoAndClose(
        'fragmented',
        { binary: bin, cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256', mtu: 256, requireClientCertificate: clientPair.certificate },
        { cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'], credentials: mutual, transport, mtu: 200 },
      );
      expect(session.info?.peer).toMatchObject({ kind: 'x509', subject: 'CN=localhost' });
      expect(peer.stderr).toMatch(/depth=0 CN = rx-dtls-client\s+verify return:1/);
      // Both certificates (~430 bytes) travelled in pieces, read straight off the wire.
      expect(partialFragments(transport.log, 'sent').some((f) => f.msgType === 11)).toBe(true);
      expect(partialFragments(transport.log, 'received').some((f) => f.msgType === 11)).toBe(true);
      expect(transport.log.filter((d) => d.direction === 'sent').every((d) => d.data.length <= 200)).toBe(true);
    } finally {
      transport.close();
    }
  });

  it('answers s_server -verify 1 (a request, not a demand) with an empty Certificate when it has none', async () => {
    const { session, trace } = await echoAndClose(
      'no-client-cert-optional',
      { binary: bin, cipher: 'ECDHE-ECDSA-AES128-CCM8', requestClientCertificate: clientPair.certificate },
      { cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'] },
    );
    expect(session.info?.cipherSuite).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8');
    // RFC 5246 §7.4.6: no suitable certificate, so an empty certificate_list, and no CertificateVerify.
    expect(trace).toMatch(/CertificateRequest/);
    expect(trace).toMatch(/Certificate, Length=3\n[\s\S]*?certificate_list, length=0/);
    expect(trace).not.toMatch(/CertificateVerify/);
  });

  it('fails with EALERT handshake_failure when s_server -Verify 1 demands a certificate it does not have', async () => {
    const traceFile = join(dir, 'no-client-cert-required.trace');
    const { peer, port } = await startOpensslCertServer({
      binary: bin,
      cipher: 'ECDHE-ECDSA-AES128-CCM8',
      requireClientCertificate: clientPair.certificate,
      traceFile,
      naccept: 1,
      echo: false,
    });
    const error = await connect({ host: '127.0.0.1', port, credentials: trustingServer(), ...FAST }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DtlsError);
    expect(error).toMatchObject({ code: 'EALERT', alert: { level: 'fatal', name: 'handshake_failure' } });
    await peer.waitForExit(3000).catch(() => peer.stop());
    expect(readFileSync(traceFile, 'utf8')).toMatch(/certificate_list, length=0/);
  });

  it('checks serverName "localhost" in the certificate and sends it as server_name (RFC 6066 §3)', async () => {
    const { session, trace } = await echoAndClose(
      'sni-localhost',
      { binary: bin, cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384' },
      { cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'], serverName: 'localhost' },
    );
    expect(session.info?.peer).toMatchObject({ kind: 'x509', subject: 'CN=localhost' });
    const names = traceServerNames(trace);
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names)).toEqual(new Set(['localhost']));
  });

  describe('refuses a server it cannot authenticate, with the alert RFC 5246 §7.2.2 names', () => {
    /** Connects expecting failure; returns the DtlsError and s_server's trace once it has exited. */
    async function failingConnect(name: string, server: Partial<Parameters<typeof startOpensslCertServer>[0]>, client: Partial<ClientOptions>) {
      const traceFile = join(dir, `${name}.trace`);
      const { peer, port } = await startOpensslCertServer({ binary: bin, cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256', ...server, traceFile, naccept: 1, echo: false });
      const error = await connect({ host: '127.0.0.1', port, credentials: trustingServer(), ...FAST, ...client }).then(
        () => undefined,
        (e: unknown) => e,
      );
      await peer.waitForExit(3000).catch(() => peer.stop());
      return { error, trace: readFileSync(traceFile, 'utf8'), peer };
    }

    it('unknown_ca when the certificate chains to no root we trust', async () => {
      const other = selfSignedP256(bin, dir, 'other', '/CN=other');
      const { error, trace } = await failingConnect('untrusted', {}, { credentials: credentials().x509({ tag: 0, ca: readPem(other.certificate) }) });
      expect(error).toBeInstanceOf(DtlsError);
      expect(error).toMatchObject({ code: 'EHANDSHAKE', alert: { level: 'fatal', name: 'unknown_ca' } });
      expect(trace).toMatch(/Level=fatal\(2\), description=unknown CA\(48\)/);
    });

    it('bad_certificate when serverName is not in the certificate (example.com vs CN/SAN localhost)', async () => {
      const { error, trace } = await failingConnect('hostname', {}, { serverName: 'example.com' });
      expect(error).toBeInstanceOf(DtlsError);
      expect(error).toMatchObject({ code: 'EHANDSHAKE', alert: { level: 'fatal', name: 'bad_certificate' } });
      expect((error as DtlsError).message).toMatch(/example\.com/);
      expect(trace).toMatch(/Level=fatal\(2\), description=bad certificate\(42\)/);
      // The name went out as SNI too (RFC 6066 §3), and s_server saw it.
      const names = traceServerNames(trace);
      expect(names.length).toBeGreaterThan(0);
      expect(new Set(names)).toEqual(new Set(['example.com']));
    });

    it('certificate_expired when s_server presents a certificate that expired (valid on 2020-01-01 only)', async () => {
      const expired = expiredSelfSignedP256(bin, dir, 'expired');
      const { error, trace } = await failingConnect(
        'expired',
        { certificate: expired.certificate, privateKey: expired.privateKey },
        { credentials: credentials().x509({ tag: 0, ca: readPem(expired.certificate) }) },
      );
      expect(error).toBeInstanceOf(DtlsError);
      expect(error).toMatchObject({ code: 'EHANDSHAKE', alert: { level: 'fatal', name: 'certificate_expired' } });
      expect(trace).toMatch(/Level=fatal\(2\), description=certificate expired\(45\)/);
    });
  });
});
