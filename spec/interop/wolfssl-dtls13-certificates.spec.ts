import { firstValueFrom, filter } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, credentials, utf8, type ClientOptions, type CredentialStore, type Session } from '../../lib/index.js';
import { AlertDescription } from '../../lib/wire/alert.js';
import { NamedGroup } from '../../lib/wire/registries.js';
import { startEchoServer } from './helpers/echo-server.js';
import { assertPeerPresent } from './helpers/peer-binary.js';
import { PEER_KEYS, readPem } from './helpers/peer-keys.js';
import { stopAllPeers, type PeerProcess } from './helpers/peer-process.js';
import { recordSession } from './helpers/session-recorder.js';
import { startWolfsslClient, startWolfsslServer, WOLFSSL_SUITES, wolfsslBinary, wolfsslHandshakes } from './helpers/wolfssl.js';
import { expectWolfsslClientEchoed, wolfsslClientCell } from './helpers/wolfssl-client-cell.js';

const wolfServer = wolfsslBinary('server');
const wolfClient = wolfsslBinary('client');

/** A loopback handshake either finishes quickly or fails quickly. */
const FAST = { handshakeTimeout: 8000, retransmit: { initialTimeout: 250, maxTimeout: 2000 } } as const;

/** All five 1.3 suites (RFC 8446 §B.4): with a certificate the suite's hash, SHA-384 too, drives the key schedule. */
const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'] as const;

/** The fixture P-256 certificate (its own CA) and its key, and trust in it: the store a 1.2 user gives. */
const ourCertificate = (): CredentialStore =>
  credentials().x509({ tag: 0, certificate: readPem(PEER_KEYS.certificate), privateKey: readPem(PEER_KEYS.privateKey), ca: readPem(PEER_KEYS.certificate) });
const trustingTheCertificate = (): CredentialStore => credentials().x509({ tag: 0, ca: readPem(PEER_KEYS.certificate) });

async function echoesALine(session: Session): Promise<void> {
  const rec = recordSession(session);
  const message = `ping wolfSSL ${Math.random()}`;
  session.send(utf8(message));
  expect(await rec.received(message)).toBe(message);
}

function expectWolfsslSaw(peer: PeerProcess, iana: string, curve: string): void {
  const [handshake] = wolfsslHandshakes(peer.stdout);
  expect(handshake).toMatchObject({ version: 'DTLSv1.3', cipherSuite: iana, curve });
}

describe.skipIf(wolfServer.skip)('rx-dtls client against wolfSSL 5.7 example server, DTLS 1.3 with certificates', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(wolfServer);
  });
  afterEach(stopAllPeers);

  const clientOptions = (port: number, overrides: Partial<ClientOptions> = {}): ClientOptions => ({
    host: '127.0.0.1',
    port,
    credentials: trustingTheCertificate(),
    serverName: 'localhost',
    versions: ['1.3'],
    ...FAST,
    ...overrides,
  });

  /** Its CCM_8 server never sees the close_notify (helpers/wolfssl.ts): what it printed about the handshake is waited for instead of its exit. */
  async function waitForServer(peer: PeerProcess, iana: string): Promise<void> {
    if (iana === 'TLS_AES_128_CCM_8_SHA256') await peer.waitForStdout('SSL curve name is');
    else await peer.waitForExit();
  }

  it.each(SUITES)('%s, ECDHE on x25519 and its X.509 certificate verified: agreed on by both, and a line is echoed', async (iana) => {
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.3', auth: 'certificate', suites: WOLFSSL_SUITES[iana] });
    const session = await connect(clientOptions(port, { cipherSuites: [iana] }));
    expect(session.info).toMatchObject({ version: '1.3', cipherSuite: iana, peer: { kind: 'x509', subject: 'CN=localhost' } });
    await echoesALine(session);
    await session.close();
    await waitForServer(peer, iana);
    expectWolfsslSaw(peer, iana, 'X25519');
  });

  it('ECDHE on secp256r1 when that is the only group we offer', async () => {
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.3', auth: 'certificate', suites: WOLFSSL_SUITES.TLS_AES_128_GCM_SHA256 });
    const session = await connect(clientOptions(port, { groups: [NamedGroup.secp256r1] }));
    await echoesALine(session);
    await session.close();
    await peer.waitForExit();
    expectWolfsslSaw(peer, 'TLS_AES_128_GCM_SHA256', 'SECP256R1');
  });

  it('answers its HelloRetryRequest for a group (--force-curve SECP256R1) with a secp256r1 share, and verifies its certificate', async () => {
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.3', auth: 'certificate', suites: WOLFSSL_SUITES.TLS_AES_256_GCM_SHA384, args: ['--force-curve', 'SECP256R1'] });
    const session = await connect(clientOptions(port));
    expect(session.info).toMatchObject({ cipherSuite: 'TLS_AES_256_GCM_SHA384', peer: { kind: 'x509' } });
    await echoesALine(session);
    await session.close();
    await peer.waitForExit();
    expectWolfsslSaw(peer, 'TLS_AES_256_GCM_SHA384', 'SECP256R1');
  });

  it('mutual authentication: its server asks for our certificate and verifies it', async () => {
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.3', auth: 'certificate', suites: WOLFSSL_SUITES.TLS_AES_128_GCM_SHA256, mutualAuth: true });
    const session = await connect(clientOptions(port, { credentials: ourCertificate() }));
    await echoesALine(session);
    await session.close();
    await peer.waitForExit();
    expectWolfsslSaw(peer, 'TLS_AES_128_GCM_SHA256', 'X25519');
  });

  it('without a certificate of ours, its server requiring one refuses the handshake, and we fail with its certificate_required alert', async () => {
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.3', auth: 'certificate', suites: WOLFSSL_SUITES.TLS_AES_128_GCM_SHA256, mutualAuth: true });
    // Its alert comes in epoch 3, which otherwise would have told us it had our Finished.
    await expect(connect(clientOptions(port))).rejects.toMatchObject({ code: 'EALERT', alert: { description: AlertDescription.certificate_required } });
    expect(await peer.waitForStderr('peer did not return a certificate')).toContain('SSL_accept failed');
  });
});

describe.skipIf(wolfClient.skip)('wolfSSL 5.7 example client against an rx-dtls server, DTLS 1.3 with certificates', () => {
  const cell = wolfsslClientCell(wolfClient);

  it.each(SUITES)('%s with our X.509 certificate, which it verifies: agreed on by both, and its message is echoed', async (iana) => {
    cell.echo = await startEchoServer({ credentials: ourCertificate(), versions: ['1.2', '1.3'], ...FAST });
    const client = startWolfsslClient({ binary: cell.bin, version: '1.3', auth: 'certificate', suites: WOLFSSL_SUITES[iana], port: cell.echo.port });
    await expectWolfsslClientEchoed(client);
    // Its default key shares are secp256r1 and ffdhe2048: we take its secp256r1 share rather than ask for x25519.
    expectWolfsslSaw(client, iana, 'SECP256R1');
    const { session } = await cell.echo.firstSession();
    expect(session.info).toMatchObject({ version: '1.3', cipherSuite: iana, peer: { kind: 'anonymous' } });
  });

  it('x25519 with its x25519-only client (-t): its share taken, no HelloRetryRequest but the cookie', async () => {
    cell.echo = await startEchoServer({ credentials: ourCertificate(), versions: ['1.3'], ...FAST });
    const client = startWolfsslClient({ binary: cell.bin, version: '1.3', auth: 'certificate', suites: WOLFSSL_SUITES.TLS_AES_128_GCM_SHA256, port: cell.echo.port, args: ['-t'] });
    await expectWolfsslClientEchoed(client);
    expectWolfsslSaw(client, 'TLS_AES_128_GCM_SHA256', 'X25519');
  });

  it('asks in its HelloRetryRequest for an x25519 share when x25519 is all we take, then serves the certificate', async () => {
    cell.echo = await startEchoServer({ credentials: ourCertificate(), versions: ['1.3'], groups: [NamedGroup.x25519], ...FAST });
    const client = startWolfsslClient({ binary: cell.bin, version: '1.3', auth: 'certificate', suites: WOLFSSL_SUITES.TLS_AES_256_GCM_SHA384, port: cell.echo.port });
    await expectWolfsslClientEchoed(client);
    expectWolfsslSaw(client, 'TLS_AES_256_GCM_SHA384', 'X25519');
  });

  it('mutual authentication: we ask for its certificate (clientAuth required), verify it and report it as the peer', async () => {
    cell.echo = await startEchoServer({ credentials: ourCertificate(), versions: ['1.3'], clientAuth: 'required', ...FAST });
    const client = startWolfsslClient({ binary: cell.bin, version: '1.3', auth: 'certificate', suites: WOLFSSL_SUITES.TLS_AES_128_GCM_SHA256, port: cell.echo.port, clientCertificate: true });
    await expectWolfsslClientEchoed(client);
    const { session } = await cell.echo.firstSession();
    expect(session.info).toMatchObject({ version: '1.3', peer: { kind: 'x509', subject: 'CN=localhost' } });
  });

  it('refuses with certificate_required its client that sends no certificate (-x) when we require one, and it reports the alert', async () => {
    cell.echo = await startEchoServer({ credentials: ourCertificate(), versions: ['1.3'], clientAuth: 'required', ...FAST });
    const ended = firstValueFrom(cell.echo.server.events$.pipe(filter((e) => e.type === 'session-end')));
    const client = startWolfsslClient({ binary: cell.bin, version: '1.3', auth: 'certificate', suites: WOLFSSL_SUITES.TLS_AES_128_GCM_SHA256, port: cell.echo.port });
    const exit = await client.waitForExit(15_000);
    expect(exit.code).not.toBe(0);
    expect(await ended).toMatchObject({ error: { code: 'EHANDSHAKE', alert: { description: AlertDescription.certificate_required } } });
    expect(client.stderr).toContain('wolfSSL_connect error -313, received alert fatal error');
  });

  it('raw public keys (RFC 7250, --rpk): both sides sign with a bare key in a 1.3 CertificateEntry, we verify its pinned key, and its message is echoed', async () => {
    cell.echo = await startEchoServer({
      credentials: credentials().ecdsa({ tag: 0, privateKey: readPem(PEER_KEYS.privateKey), trustedPeers: [readPem(PEER_KEYS.rawPublicKey)] }),
      versions: ['1.3'],
      clientAuth: 'required',
      ...FAST,
    });
    const client = startWolfsslClient({ binary: cell.bin, version: '1.3', auth: 'rawPublicKey', suites: WOLFSSL_SUITES.TLS_AES_128_GCM_SHA256, port: cell.echo.port });
    await expectWolfsslClientEchoed(client);
    expectWolfsslSaw(client, 'TLS_AES_128_GCM_SHA256', 'SECP256R1');
    const { session } = await cell.echo.firstSession();
    expect(session.info).toMatchObject({ version: '1.3', peer: { kind: 'raw-public-key' } });
  });
});
