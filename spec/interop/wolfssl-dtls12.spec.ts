import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, credentials, utf8, type ClientOptions, type CredentialStore, type Session } from '../../lib/index.js';
import { startEchoServer } from './helpers/echo-server.js';
import { assertPeerPresent } from './helpers/peer-binary.js';
import { PEER_KEYS, readPem } from './helpers/peer-keys.js';
import { stopAllPeers, type PeerProcess } from './helpers/peer-process.js';
import { recordSession } from './helpers/session-recorder.js';
import {
  startWolfsslClient,
  startWolfsslServer,
  WOLFSSL_MESSAGES,
  WOLFSSL_PSK,
  WOLFSSL_SUITES,
  wolfsslBinary,
  wolfsslHandshakes,
  wolfsslPskStore,
  type WolfsslAuth,
} from './helpers/wolfssl.js';
import { expectWolfsslClientEchoed, wolfsslClientCell } from './helpers/wolfssl-client-cell.js';

const wolfServer = wolfsslBinary('server');
const wolfClient = wolfsslBinary('client');

/** A loopback handshake either finishes quickly or fails quickly. */
const FAST = { handshakeTimeout: 8000, retransmit: { initialTimeout: 250, maxTimeout: 2000 } } as const;

const ourCertificate = (): CredentialStore =>
  credentials().x509({ tag: 0, certificate: readPem(PEER_KEYS.certificate), privateKey: readPem(PEER_KEYS.privateKey), ca: readPem(PEER_KEYS.certificate) });
const trustingTheCertificate = (): CredentialStore => credentials().x509({ tag: 0, ca: readPem(PEER_KEYS.certificate) });

/** The DTLS 1.2 suites both stacks have, with wolfSSL's compiled-in PSK or the fixture P-256 certificate. */
const SUITES = [
  { iana: 'TLS_PSK_WITH_AES_128_CCM_8', auth: 'psk', ours: () => wolfsslPskStore('1.2'), peer: { kind: 'psk', identity: WOLFSSL_PSK.identity } },
  { iana: 'TLS_PSK_WITH_AES_128_GCM_SHA256', auth: 'psk', ours: () => wolfsslPskStore('1.2'), peer: { kind: 'psk', identity: WOLFSSL_PSK.identity } },
  { iana: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', auth: 'certificate', ours: ourCertificate, peer: undefined },
  { iana: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', auth: 'certificate', ours: ourCertificate, peer: undefined },
] as const satisfies readonly { iana: keyof typeof WOLFSSL_SUITES; auth: WolfsslAuth; ours: () => CredentialStore; peer: object | undefined }[];

/** Sends a line and expects it back, as wolfSSL's server echoes it (-e). */
async function echoesALine(session: Session): Promise<void> {
  const rec = recordSession(session);
  const message = `ping wolfSSL ${Math.random()}`;
  session.send(utf8(message));
  expect(await rec.received(message)).toBe(message);
}

/** What wolfSSL printed about its handshakes: DTLS 1.2 each time, the suite agreed on. */
function expectWolfsslSaw(peer: PeerProcess, iana: string, resumed: readonly boolean[] = [false]): void {
  const handshakes = wolfsslHandshakes(peer.stdout);
  expect(handshakes.map((h) => h.resumed)).toEqual(resumed);
  for (const handshake of handshakes) expect(handshake).toMatchObject({ version: 'DTLSv1.2', cipherSuite: iana });
}

describe.skipIf(wolfServer.skip)('rx-dtls client against wolfSSL 5.7 example server, DTLS 1.2', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(wolfServer);
  });
  afterEach(stopAllPeers);

  const clientOptions = (suite: (typeof SUITES)[number], port: number): ClientOptions => ({
    host: '127.0.0.1',
    port,
    cipherSuites: [suite.iana],
    ...(suite.auth === 'psk' ? { credentials: suite.ours() } : { credentials: trustingTheCertificate(), serverName: 'localhost' }),
    ...FAST,
  });

  it.each(SUITES)('$iana: agreed on by both, and a line is echoed', async (suite) => {
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.2', auth: suite.auth, suites: WOLFSSL_SUITES[suite.iana] });
    const session = await connect(clientOptions(suite, port));
    expect(session.info).toMatchObject({ cipherSuite: suite.iana, resumed: false });
    await echoesALine(session);
    await session.close();
    await peer.waitForExit();
    expectWolfsslSaw(peer, suite.iana);
  });

  it('mutual authentication: the server verifies our certificate; without one it refuses the handshake', async () => {
    const suite = SUITES[3];
    const asked = await startWolfsslServer({ binary: bin, version: '1.2', auth: 'certificate', suites: WOLFSSL_SUITES[suite.iana], mutualAuth: true });
    const session = await connect({ ...clientOptions(suite, asked.port), credentials: ourCertificate() });
    await echoesALine(session);
    await session.close();
    await asked.peer.waitForExit();
    expectWolfsslSaw(asked.peer, suite.iana);

    const refusing = await startWolfsslServer({ binary: bin, version: '1.2', auth: 'certificate', suites: WOLFSSL_SUITES[suite.iana], mutualAuth: true });
    await expect(connect(clientOptions(suite, refusing.port))).rejects.toThrow();
    expect(await refusing.peer.waitForStderr('peer did not return a certificate')).toContain('SSL_accept failed');
  });

  // The example server skips its echo loop when ALPN is on (helpers/wolfssl.ts): it reads one
  // message and answers with its fixed reply.
  it('ALPN: coap agreed on by both, and the server answers our message', async () => {
    const suite = SUITES[0];
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.2', auth: 'psk', suites: WOLFSSL_SUITES[suite.iana], echo: false, args: ['-L', 'C:coap'] });
    const session = await connect({ ...clientOptions(suite, port), alpn: ['coap'] });
    expect(session.info?.alpn).toBe('coap');
    const rec = recordSession(session);
    session.send(utf8('hello over coap'));
    expect(await rec.received(WOLFSSL_MESSAGES.serverReply)).toBe(WOLFSSL_MESSAGES.serverReply);
    expect(await peer.waitForStdout('Client message: hello over coap')).toContain('Sent ALPN protocol : coap (4)');
    await session.close();
  });

  it.each([
    { label: 'by ticket', tickets: true },
    { label: 'by session ID (no ticket asked)', tickets: false },
  ])('resumption $label: the second handshake is abbreviated on both sides, and both sessions echo', async ({ tickets }) => {
    const suite = SUITES[3];
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.2', auth: 'certificate', suites: WOLFSSL_SUITES[suite.iana], args: ['-r'] });
    const first = await connect({ ...clientOptions(suite, port), tickets });
    expect(first.resumption?.hasTicket).toBe(tickets);
    await echoesALine(first);
    await first.close();
    const second = await connect({ ...clientOptions(suite, port), tickets, resume: first.resumption });
    expect(second.info).toMatchObject({ resumed: true, cipherSuite: suite.iana });
    await echoesALine(second);
    await second.close();
    await peer.waitForExit();
    expectWolfsslSaw(peer, suite.iana, [false, true]);
  });
});

describe.skipIf(wolfClient.skip)('wolfSSL 5.7 example client against an rx-dtls server, DTLS 1.2', () => {
  const cell = wolfsslClientCell(wolfClient);

  it.each(SUITES)('$iana: agreed on by both, and its message is echoed', async (suite) => {
    cell.echo = await startEchoServer({ credentials: suite.ours(), ...FAST });
    const client = startWolfsslClient({ binary: cell.bin, version: '1.2', auth: suite.auth, suites: WOLFSSL_SUITES[suite.iana], port: cell.echo.port });
    await expectWolfsslClientEchoed(client);
    expectWolfsslSaw(client, suite.iana);
    const [{ session }] = cell.echo.sessions;
    expect(session.info).toMatchObject({ cipherSuite: suite.iana, resumed: false, extendedMasterSecret: true, ...(suite.peer ? { peer: suite.peer } : {}) });
  });

  it('mutual authentication: we ask for its certificate (clientAuth required) and verify it', async () => {
    const suite = SUITES[3];
    cell.echo = await startEchoServer({ credentials: ourCertificate(), clientAuth: 'required', ...FAST });
    const client = startWolfsslClient({ binary: cell.bin, version: '1.2', auth: 'certificate', suites: WOLFSSL_SUITES[suite.iana], port: cell.echo.port, clientCertificate: true });
    await expectWolfsslClientEchoed(client);
    expect(cell.echo.sessions[0].session.info?.peer).toMatchObject({ kind: 'x509' });
  });

  it('raw public keys (RFC 7250, --rpk): both sides sign with a bare key, we verify its pinned key, and its message is echoed', async () => {
    const suite = SUITES[2];
    cell.echo = await startEchoServer({
      credentials: credentials().ecdsa({ tag: 0, privateKey: readPem(PEER_KEYS.privateKey), trustedPeers: [readPem(PEER_KEYS.rawPublicKey)] }),
      clientAuth: 'required',
      ...FAST,
    });
    const client = startWolfsslClient({ binary: cell.bin, version: '1.2', auth: 'rawPublicKey', suites: WOLFSSL_SUITES[suite.iana], port: cell.echo.port });
    await expectWolfsslClientEchoed(client);
    expectWolfsslSaw(client, suite.iana);
    expect(cell.echo.sessions[0].session.info).toMatchObject({ cipherSuite: suite.iana, peer: { kind: 'raw-public-key' } });
  });

  it('ALPN: coap agreed on by both, and its message is echoed', async () => {
    const suite = SUITES[0];
    cell.echo = await startEchoServer({ credentials: suite.ours(), alpn: ['coap'], ...FAST });
    const client = startWolfsslClient({ binary: cell.bin, version: '1.2', auth: 'psk', suites: WOLFSSL_SUITES[suite.iana], port: cell.echo.port, args: ['-L', 'C:coap'] });
    await expectWolfsslClientEchoed(client);
    expect(client.stdout).toContain('Received ALPN protocol : coap (4)');
    expect(cell.echo.sessions[0].session.info?.alpn).toBe('coap');
  });

  it.each([
    { label: 'by ticket', tickets: true },
    { label: 'by session ID (our tickets off)', tickets: false },
  ])('resumption $label (-r): the second handshake is abbreviated on both sides, and both messages are echoed', async ({ tickets }) => {
    const suite = SUITES[0];
    cell.echo = await startEchoServer({ credentials: suite.ours(), tickets, ...FAST });
    const client = startWolfsslClient({ binary: cell.bin, version: '1.2', auth: 'psk', suites: WOLFSSL_SUITES[suite.iana], port: cell.echo.port, args: ['-r'] });
    await expectWolfsslClientEchoed(client, [WOLFSSL_MESSAGES.hello, WOLFSSL_MESSAGES.resumed]);
    expectWolfsslSaw(client, suite.iana, [false, true]);
    expect(cell.echo.sessions.map((s) => s.session.info?.resumed)).toEqual([false, true]);
    expect(cell.echo.server.cachedSessions).toBe(tickets ? 0 : 1);
  });
});
