import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, credentials, listen, utf8, type DtlsServer, type Session } from '../../lib/index.js';
import { startEchoServer } from './helpers/echo-server.js';
import { assertPeerPresent } from './helpers/peer-binary.js';
import { PEER_KEYS, readPem } from './helpers/peer-keys.js';
import { stopAllPeers } from './helpers/peer-process.js';
import { pskStore } from './helpers/psk.js';
import { recordSession } from './helpers/session-recorder.js';
import { startWolfsslClient, startWolfsslServer, WOLFSSL_MESSAGES, WOLFSSL_PSK, WOLFSSL_SUITES, wolfsslBinary, wolfsslHandshakes } from './helpers/wolfssl.js';
import { expectWolfsslClientEchoed, wolfsslClientCell } from './helpers/wolfssl-client-cell.js';

const wolfServer = wolfsslBinary('server');
const wolfClient = wolfsslBinary('client');

/** A loopback handshake either finishes quickly or fails quickly. */
const FAST = { handshakeTimeout: 8000, retransmit: { initialTimeout: 250, maxTimeout: 2000 } } as const;
const SUITE = WOLFSSL_SUITES.TLS_AES_128_GCM_SHA256;

/** wolfSSL's 1.3 PSK client names its identity after the suite's hash; its server takes the bare one too. */
const ourPsk = (identity: string = WOLFSSL_PSK.identity) => pskStore(identity, WOLFSSL_PSK.keyHex['1.3']);
const CLIENT_IDENTITY = `${WOLFSSL_PSK.identity}SHA256`;

async function echoesALine(session: Session, label: string): Promise<void> {
  const rec = recordSession(session);
  const message = `${label} ${Math.random()}`;
  session.send(utf8(message));
  expect(await rec.received(message)).toBe(message);
}

describe.skipIf(wolfServer.skip)('post-handshake: rx-dtls client against wolfSSL 5.7 example server, DTLS 1.3', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(wolfServer);
  });
  afterEach(stopAllPeers);

  it.each([false, true])('our KeyUpdate (requestPeerUpdate %s): its server acknowledges it and reads our next epoch, a line is echoed before and after', async (requestPeerUpdate) => {
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.3', auth: 'psk', suites: SUITE });
    const session = await connect({ host: '127.0.0.1', port, credentials: ourPsk(), versions: ['1.3'], ...FAST });
    await echoesALine(session, 'before our KeyUpdate');
    await session.updateKeys({ requestPeerUpdate });
    await echoesALine(session, 'after our KeyUpdate');
    await session.updateKeys();
    await echoesALine(session, 'after our second KeyUpdate');
    await session.close();
    await peer.waitForExit();
  });
});

describe.skipIf(wolfClient.skip)('post-handshake: wolfSSL 5.7 example client against an rx-dtls server, DTLS 1.3', () => {
  let bin: string;
  let server: DtlsServer | undefined;
  beforeEach(() => {
    bin = assertPeerPresent(wolfClient);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await stopAllPeers();
  });

  it.each([false, true])('our KeyUpdate (requestPeerUpdate %s) before we echo its message: its client follows us to the next epoch and prints the echo', async (requestPeerUpdate) => {
    server = await listen({ host: '127.0.0.1', port: 0, credentials: ourPsk(CLIENT_IDENTITY), versions: ['1.3'], ...FAST });
    const updated: Array<Promise<void>> = [];
    server.sessions$.subscribe((session) => {
      session.data$.subscribe({
        next: (data) => {
          const answer = data.slice();
          const update = session.updateKeys({ requestPeerUpdate }).then(() => session.send(answer));
          updated.push(update);
        },
        error: () => undefined,
      });
    });
    const client = startWolfsslClient({ binary: bin, version: '1.3', auth: 'psk', suites: SUITE, port: server.address().port });
    await expectWolfsslClientEchoed(client);
    expect(updated).toHaveLength(1);
    await updated[0];
    expect(wolfsslHandshakes(client.stdout)[0]).toMatchObject({ version: 'DTLSv1.3' });
  });
});

describe.skipIf(wolfServer.skip)('resumption: rx-dtls client against wolfSSL 5.7 example server (-r), DTLS 1.3', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(wolfServer);
  });
  afterEach(stopAllPeers);

  it('our client keeps its NewSessionTicket and resumes with it: both say the session was resumed, and a line is echoed each time', async () => {
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.3', auth: 'psk', suites: SUITE, args: ['-r'] });
    const first = await connect({ host: '127.0.0.1', port, credentials: ourPsk(), versions: ['1.3'], ...FAST });
    await echoesALine(first, 'full handshake');
    const resume = await waitFor(() => first.resumption);
    expect(resume).toMatchObject({ version: '1.3', hasTicket: true, cipherSuite: 'TLS_AES_128_GCM_SHA256' });
    await first.close();
    const again = await connect({ host: '127.0.0.1', port, credentials: ourPsk(), versions: ['1.3'], resume, ...FAST });
    expect(again.info).toMatchObject({ version: '1.3', resumed: true, peer: { kind: 'psk', identity: WOLFSSL_PSK.identity } });
    await echoesALine(again, 'resumed');
    await again.close();
    await peer.waitForExit();
    expect(wolfsslHandshakes(peer.stdout).map((h) => h.resumed)).toEqual([false, true]);
  });

  it("a certificate session too: our client resumes with its ticket, and the server's X.509 identity comes from the ticket", async () => {
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.3', auth: 'certificate', suites: SUITE, args: ['-r'] });
    const options = { host: '127.0.0.1', port, credentials: trustingTheCertificate(), serverName: 'localhost', versions: ['1.3'] as const, ...FAST };
    const first = await connect(options);
    expect(first.info?.peer).toMatchObject({ kind: 'x509', subject: 'CN=localhost' });
    await echoesALine(first, 'full certificate handshake');
    const resume = await waitFor(() => first.resumption);
    await first.close();
    const again = await connect({ ...options, resume });
    expect(again.info).toMatchObject({ version: '1.3', resumed: true, peer: { kind: 'x509', subject: 'CN=localhost' } });
    await echoesALine(again, 'resumed certificate session');
    await again.close();
    await peer.waitForExit();
    expect(wolfsslHandshakes(peer.stdout).map((h) => h.resumed)).toEqual([false, true]);
  });
});

/** Polls (every 20 ms, up to 5 s) until `read` gives a value. */
async function waitFor<T>(read: () => T | undefined): Promise<T> {
  for (let i = 0; i < 250; i++) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('timed out');
}

describe.skipIf(wolfClient.skip)('resumption: wolfSSL 5.7 example client (-r) against an rx-dtls server, DTLS 1.3', () => {
  const cell = wolfsslClientCell(wolfClient);

  it('its client resumes with our ticket: our server restores the peer identity and says resumed, and both its messages are echoed', async () => {
    cell.echo = await startEchoServer({ credentials: ourPsk(CLIENT_IDENTITY), versions: ['1.3'], ...FAST });
    const client = startWolfsslClient({ binary: cell.bin, version: '1.3', auth: 'psk', suites: SUITE, port: cell.echo.port, args: ['-r'] });
    const exit = await client.waitForExit(15_000);
    expect(exit.code, client.describe()).toBe(0);
    expect(client.stdout).toContain(WOLFSSL_MESSAGES.resumed);
    expect(wolfsslHandshakes(client.stdout).map((h) => h.resumed)).toEqual([false, true]);
    expect(cell.echo.sessions.map((s) => s.session.info)).toMatchObject([
      { version: '1.3', resumed: false, peer: { kind: 'psk', identity: CLIENT_IDENTITY } },
      { version: '1.3', resumed: true, peer: { kind: 'psk', identity: CLIENT_IDENTITY } },
    ]);
  });

  it('a certificate session too: its client (-r) resumes with our ticket; our server (a certificate and a PSK) takes the ticket without a Certificate', async () => {
    const store = ourCertificate().psk({ tag: 0, identity: CLIENT_IDENTITY, key: new Uint8Array(Buffer.from(WOLFSSL_PSK.keyHex['1.3'], 'hex')) });
    cell.echo = await startEchoServer({ credentials: store, versions: ['1.3'], ...FAST });
    const client = startWolfsslClient({ binary: cell.bin, version: '1.3', auth: 'certificate', suites: SUITE, port: cell.echo.port, args: ['-r'] });
    const exit = await client.waitForExit(15_000);
    expect(exit.code, client.describe()).toBe(0);
    expect(client.stdout).toContain(WOLFSSL_MESSAGES.resumed);
    expect(wolfsslHandshakes(client.stdout).map((h) => h.resumed)).toEqual([false, true]);
    expect(cell.echo.sessions.map((s) => s.session.info)).toMatchObject([
      { version: '1.3', resumed: false, peer: { kind: 'anonymous' } },
      { version: '1.3', resumed: true, peer: { kind: 'anonymous' } },
    ]);
  });
});

/** The fixture P-256 certificate (its own CA) and its key, and trust in it. */
const ourCertificate = () => credentials().x509({ tag: 0, certificate: readPem(PEER_KEYS.certificate), privateKey: readPem(PEER_KEYS.privateKey), ca: readPem(PEER_KEYS.certificate) });
const trustingTheCertificate = () => credentials().x509({ tag: 0, ca: readPem(PEER_KEYS.certificate) });
