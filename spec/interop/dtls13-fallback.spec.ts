// A client offering DTLS 1.2 and 1.3 in one ClientHello (versions ['1.2', '1.3'], the CLI's
// --dtls any) against servers that speak 1.2 only (OpenSSL 3.0, GnuTLS 3.7, wolfSSL -v 3), which
// it falls back to, and against wolfSSL -v 4, which gets 1.3; and 1.2-only clients (openssl
// s_client -dtls1_2, gnutls-cli) against our server accepting both, which gives them 1.2. Each
// cell echoes a line. Cells kept elsewhere, not repeated here: wolfSSL's -v 3 client and its -v d
// client (1.3 preferred) against our server accepting both are in wolfssl-dtls13.spec.ts
// ("version negotiation: ..."); NSS's draft-43 client in nss-draft-dtls13.spec.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, credentials, utf8, type ClientOptions, type CredentialStore, type Session } from '../../lib/index.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { afterHandshake, startGnutlsClient } from './helpers/gnutls.js';
import { runBesideGnutlsServ } from './helpers/in-namespace.js';
import { startOpensslClient, startOpensslServer } from './helpers/openssl.js';
import { startOpensslCertServer } from './helpers/openssl-cert.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { PEER_KEYS, readPem } from './helpers/peer-keys.js';
import { stopAllPeers } from './helpers/peer-process.js';
import { PSK_IDENTITY, pskStore } from './helpers/psk.js';
import { recordSession } from './helpers/session-recorder.js';
import { gnutlsPriority } from './helpers/suites.js';
import { startWolfsslServer, WOLFSSL_PSK, WOLFSSL_SUITES, wolfsslBinary, wolfsslHandshakes } from './helpers/wolfssl.js';

const openssl = peerBinary('openssl');
const gnutlsCli = peerBinary('gnutls-cli');
const gnutlsServ = peerBinary('gnutls-serv');
const unshare = peerBinary('unshare');
const wolfServer = wolfsslBinary('server');

const BOTH = ['1.2', '1.3'] as const;
/** A loopback handshake either finishes quickly or fails quickly. */
const FAST = { handshakeTimeout: 8000, retransmit: { initialTimeout: 250, maxTimeout: 2000 } } as const;
/** No PSK, the committed P-256 certificate (CN=localhost, its own CA) trusted: 1.3's certificate handshake and 1.2's ECDHE_ECDSA suites. */
const trustingTheCertificate = (): CredentialStore => credentials().x509({ tag: 0, ca: readPem(PEER_KEYS.certificate) });

/** Our dual client to 127.0.0.1:port: a line sent comes back, then close. */
async function dualClientEchoes(port: number, store: CredentialStore, options: Partial<ClientOptions> = {}): Promise<Session> {
  const session = await connect({ host: '127.0.0.1', port, credentials: store, versions: [...BOTH], ...FAST, ...options });
  const rec = recordSession(session);
  const message = `ping either version ${Math.random()}\n`;
  session.send(utf8(message));
  expect(await rec.received(message)).toBe(message);
  await session.close();
  return session;
}

describe.skipIf(openssl.skip)('our client offering 1.2 and 1.3 against openssl s_server -dtls1_2 (OpenSSL 3.0 has no DTLS 1.3)', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(openssl);
  });
  afterEach(stopAllPeers);

  it('falls back to 1.2 with a PSK (its HelloVerifyRequest, then PSK-AES128-GCM-SHA256) and echoes a line', async () => {
    const { port } = await startOpensslServer({ binary: bin, cipher: 'PSK-AES128-GCM-SHA256' });
    const session = await dualClientEchoes(port, pskStore());
    expect(session.info).toMatchObject({ cipherSuite: 'TLS_PSK_WITH_AES_128_GCM_SHA256', extendedMasterSecret: true, peer: { kind: 'psk', identity: PSK_IDENTITY } });
    expect(session.info?.version).toBeUndefined();
  });

  it('falls back to 1.2 ECDHE_ECDSA against its certificate, with no PSK at all, and echoes a line', async () => {
    const { port } = await startOpensslCertServer({ binary: bin, cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
    const session = await dualClientEchoes(port, trustingTheCertificate());
    expect(session.info).toMatchObject({ cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', peer: { kind: 'x509', subject: 'CN=localhost' } });
    expect(session.info?.version).toBeUndefined();
  });
});

describe.skipIf(gnutlsServ.skip || unshare.skip)('our client offering 1.2 and 1.3 against gnutls-serv --udp --echo (GnuTLS 3.7 has no DTLS 1.3)', () => {
  let dir: string;
  beforeEach(() => {
    assertPeerPresent(gnutlsServ);
    assertPeerPresent(unshare);
    dir = mkdtempSync(join(tmpdir(), 'rx-dtls-fallback-gnutls-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    { label: 'PSK', serverArgs: ['--priority', gnutlsPriority('PSK', 'AES-128-CCM-8')], certificate: false, suite: 'TLS_PSK_WITH_AES_128_CCM_8', peer: 'psk' },
    {
      label: 'ECDHE-ECDSA',
      serverArgs: ['--priority', 'NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+ECDHE-ECDSA:-CIPHER-ALL:+AES-128-GCM', '--x509certfile', PEER_KEYS.certificate, '--x509keyfile', PEER_KEYS.privateKey],
      certificate: true,
      suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
      peer: 'x509',
    },
  ])('falls back to 1.2 with $label and echoes a line', ({ serverArgs, certificate, suite, peer }) => {
    const { seen, serverLog, stderr } = runBesideGnutlsServ(dir, ['--echo', ...serverArgs], 'gnutls-server-child.ts', [JSON.stringify({ connect: { versions: BOTH }, certificate })]);
    const log = `${stderr}\n${serverLog}`;
    expect(seen.first, log).toMatchObject({ info: { cipherSuite: suite, peer: { kind: peer } }, echoedOk: true });
    expect(seen.first, log).not.toHaveProperty('info.version');
  });
});

describe.skipIf(wolfServer.skip)('our client offering 1.2 and 1.3 against wolfSSL 5.7 example server', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(wolfServer);
  });
  afterEach(stopAllPeers);

  it('gets 1.3 with a PSK from its 1.3-only server (-v 4), through its HelloRetryRequest cookie, and a line is echoed', async () => {
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.3', auth: 'psk', suites: WOLFSSL_SUITES.TLS_AES_128_GCM_SHA256 });
    const session = await dualClientEchoes(port, pskStore(WOLFSSL_PSK.identity, WOLFSSL_PSK.keyHex['1.3']));
    expect(session.info).toMatchObject({ version: '1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256' });
    await peer.waitForExit();
    expect(wolfsslHandshakes(peer.stdout)[0]).toMatchObject({ version: 'DTLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256' });
  });

  it('gets 1.3 with its certificate from its 1.3-only server (-v 4), no PSK on either side, and a line is echoed', async () => {
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.3', auth: 'certificate', suites: WOLFSSL_SUITES.TLS_AES_128_GCM_SHA256 });
    const session = await dualClientEchoes(port, trustingTheCertificate(), { serverName: 'localhost' });
    expect(session.info).toMatchObject({ version: '1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', peer: { kind: 'x509', subject: 'CN=localhost' } });
    await peer.waitForExit();
    expect(wolfsslHandshakes(peer.stdout)[0]).toMatchObject({ version: 'DTLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256' });
  });

  it('falls back to 1.2 ECDHE_ECDSA with the certificate of its 1.2-only server (-v 3) and a line is echoed', async () => {
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.2', auth: 'certificate', suites: WOLFSSL_SUITES.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 });
    const session = await dualClientEchoes(port, trustingTheCertificate(), { serverName: 'localhost' });
    expect(session.info).toMatchObject({ cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', peer: { kind: 'x509', subject: 'CN=localhost' } });
    expect(session.info?.version).toBeUndefined();
    await peer.waitForExit();
    expect(wolfsslHandshakes(peer.stdout)[0]).toMatchObject({ version: 'DTLSv1.2', cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256' });
  });

  it('falls back to 1.2 with a PSK against its 1.2-only server (-v 3) and a line is echoed', async () => {
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.2', auth: 'psk', suites: WOLFSSL_SUITES.TLS_PSK_WITH_AES_128_GCM_SHA256 });
    const session = await dualClientEchoes(port, pskStore(WOLFSSL_PSK.identity, WOLFSSL_PSK.keyHex['1.2']));
    expect(session.info).toMatchObject({ cipherSuite: 'TLS_PSK_WITH_AES_128_GCM_SHA256' });
    expect(session.info?.version).toBeUndefined();
    await peer.waitForExit();
    expect(wolfsslHandshakes(peer.stdout)[0]).toMatchObject({ version: 'DTLSv1.2', cipherSuite: 'TLS_PSK_WITH_AES_128_GCM_SHA256' });
  });
});

describe('1.2-only clients against our server accepting 1.2 and 1.3: they get 1.2', () => {
  let echo: EchoServer | undefined;
  afterEach(async () => {
    await echo?.server.close();
    echo = undefined;
    await stopAllPeers();
  });

  it.skipIf(openssl.skip)('openssl s_client -dtls1_2: PSK-AES128-CCM8, a line echoed, its close_notify answered', async () => {
    const bin = assertPeerPresent(openssl);
    echo = await startEchoServer({ credentials: pskStore(), versions: [...BOTH] });
    const client = startOpensslClient({ binary: bin, port: echo.port, cipher: 'PSK-AES128-CCM8' });
    const message = `ping s_client ${Math.random()}\n`;
    client.write(message);
    const server = await echo.firstSession();
    expect(await server.next('handshake-complete')).toMatchObject({ cipherSuite: 'TLS_PSK_WITH_AES_128_CCM_8', peer: { kind: 'psk', identity: PSK_IDENTITY } });
    expect(server.session.info?.version).toBeUndefined();
    expect(await client.waitForStdout(message)).toBe(message);
    client.endInput();
    expect((await client.waitForExit()).code).toBe(0);
    expect((await server.closed()).error).toBeUndefined();
  });

  it.skipIf(gnutlsCli.skip)('gnutls-cli --udp: PSK AES-128-CCM-8, a line echoed, its close_notify answered', async () => {
    const bin = assertPeerPresent(gnutlsCli);
    echo = await startEchoServer({ credentials: pskStore(), versions: [...BOTH] });
    const client = startGnutlsClient({ binary: bin, port: echo.port, priority: gnutlsPriority('PSK', 'AES-128-CCM-8') });
    const message = `ping gnutls-cli ${Math.random()}\n`;
    client.write(message);
    const server = await echo.firstSession();
    expect(await server.next('handshake-complete')).toMatchObject({ cipherSuite: 'TLS_PSK_WITH_AES_128_CCM_8', peer: { kind: 'psk', identity: PSK_IDENTITY } });
    expect(server.session.info?.version).toBeUndefined();
    await client.waitForStdout(new RegExp(message.trim()));
    client.endInput();
    expect((await client.waitForExit()).code).toBe(0);
    expect(afterHandshake(client.stdout)).toContain(message.trim());
    expect((await server.closed()).error).toBeUndefined();
  });
});
