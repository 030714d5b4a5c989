import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { connect, credentials, UdpTransport, utf8, type CredentialStore, type Session } from '../../lib/index.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { runOpensslServer } from './helpers/openssl.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { PeerProcess, stopAllPeers } from './helpers/peer-process.js';
import { PEER_KEYS, readPem } from './helpers/peer-keys.js';
import { PSK_IDENTITY, PSK_KEY_HEX, pskStore } from './helpers/psk.js';
import { recordSession } from './helpers/session-recorder.js';

const openssl = peerBinary('openssl');

/** A loopback handshake either finishes quickly or fails quickly. */
const FAST = { handshakeTimeout: 4000, retransmit: { initialTimeout: 250, maxTimeout: 1000 } } as const;

/** The two key exchanges resumption is proven with: what our server holds, what s_client is given. */
const KEY_EXCHANGES = [
  {
    name: 'PSK',
    iana: 'TLS_PSK_WITH_AES_128_CCM_8',
    cipher: 'PSK-AES128-CCM8',
    server: (): CredentialStore => pskStore(),
    clientArgs: ['-psk_identity', PSK_IDENTITY, '-psk', PSK_KEY_HEX],
    peer: { kind: 'psk', identity: PSK_IDENTITY },
  },
  {
    name: 'ECDHE-ECDSA',
    iana: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256',
    server: (): CredentialStore => credentials().x509({ tag: 0, certificate: readPem(PEER_KEYS.certificate), privateKey: readPem(PEER_KEYS.privateKey) }),
    clientArgs: ['-CAfile', PEER_KEYS.certificate, '-verify_return_error'],
    peer: { kind: 'anonymous' },
  },
] as const;

/** How s_client and s_server are told to resume by ticket (RFC 5077) or by session ID only. */
const MODES = [
  { label: 'by ticket', args: [] as string[], ticket: true },
  { label: 'by session ID (-no_ticket)', args: ['-no_ticket'], ticket: false },
] as const;

describe.skipIf(openssl.skip)('openssl s_client -dtls1_2 resuming sessions with an rx-dtls server', () => {
  let bin: string;
  let dir: string;
  let echo: EchoServer | undefined;
  beforeEach(() => {
    bin = assertPeerPresent(openssl);
  });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rx-dtls-resumption-'));
  });
  afterEach(async () => {
    await echo?.server.close();
    echo = undefined;
    await stopAllPeers();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const sClient = (port: number, kx: (typeof KEY_EXCHANGES)[number], extra: readonly string[]) =>
    PeerProcess.start(bin, ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${port}`, '-cipher', kx.cipher, '-no_ign_eof', ...kx.clientArgs, ...extra], 's_client');

  describe.each(KEY_EXCHANGES)('$name', (kx) => {
    it.each(MODES)('-reconnect resumes $label five times, and the last, resumed session echoes a line', async (mode) => {
      echo = await startEchoServer({ credentials: kx.server() });
      const client = sClient(echo.port, kx, ['-reconnect', ...mode.args]);
      await client.waitForStdout(/(Reused, TLSv1\.2[\s\S]*){5}/, 15_000);
      expect(client.stdout.match(/^New, TLSv1\.2/gm)).toHaveLength(1);
      const message = `ping resumed ${Math.random()}\n`;
      client.write(message);
      expect(await client.waitForStdout(message)).toContain(message);
      client.endInput();
      expect((await client.waitForExit()).code).toBe(0);

      const infos = echo.sessions.map((s) => s.session.info);
      expect(infos).toHaveLength(6);
      expect(infos.map((i) => i?.resumed)).toEqual([false, true, true, true, true, true]);
      for (const info of infos) expect(info).toMatchObject({ cipherSuite: kx.iana, peer: kx.peer, extendedMasterSecret: true });
      expect(await echo.sessions[5].received(message)).toBe(message);
      // RFC 5077: with tickets the server caches nothing; with -no_ticket it caches the one session.
      expect(echo.server.cachedSessions).toBe(mode.ticket ? 0 : 1);
      const flight4 = echo.sessions[1].events.find((e) => e.type === 'flight-sent' && e.flight === 4);
      expect(flight4).toMatchObject({ messages: mode.ticket ? ['ServerHello', 'NewSessionTicket', 'ChangeCipherSpec', 'Finished'] : ['ServerHello', 'ChangeCipherSpec', 'Finished'] });
    });
  });

  it.each(MODES)('-sess_out, then a second s_client with -sess_in resumes $label and echoes', async (mode) => {
    const kx = KEY_EXCHANGES[0];
    echo = await startEchoServer({ credentials: kx.server() });
    const saved = join(dir, `session-${mode.ticket ? 'ticket' : 'id'}.pem`);
    const first = sClient(echo.port, kx, ['-sess_out', saved, ...mode.args]);
    await first.waitForStdout(/New, TLSv1\.2/);
    first.endInput();
    expect((await first.waitForExit()).code).toBe(0);

    const second = sClient(echo.port, kx, ['-sess_in', saved, ...mode.args]);
    await second.waitForStdout(/Reused, TLSv1\.2/);
    const message = `ping sess_in ${Math.random()}\n`;
    second.write(message);
    expect(await second.waitForStdout(message)).toContain(message);
    second.endInput();
    expect((await second.waitForExit()).code).toBe(0);
    expect(echo.sessions.map((s) => s.session.info?.resumed)).toEqual([false, true]);
  });
});

describe.skipIf(openssl.skip)('rx-dtls client resuming sessions with openssl s_server -dtls1_2 -listen', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(openssl);
  });
  afterEach(stopAllPeers);

  async function echoOnce(session: Session, server: PeerProcess): Promise<void> {
    const rec = recordSession(session);
    const message = `ping ${Math.random()}\n`;
    session.send(utf8(message));
    expect(await rec.received(message)).toBe(message);
    expect(server.stdout).toContain(message);
    await session.close();
  }

  it.each(MODES)('resumes $label, the second handshake abbreviated, and echoes through both', async (mode) => {
    const { peer, port } = await runOpensslServer(
      { binary: bin, cipher: 'PSK' },
      ['-nocert', '-psk_identity', PSK_IDENTITY, '-psk', PSK_KEY_HEX, ...mode.args],
      `openssl s_server ${mode.label}`,
    );
    // One socket for both sessions, as s_client -reconnect has: s_server answers our close_notify
    // with its own, and a socket closed at once would draw an ICMP error that ends s_server.
    const transport = await UdpTransport.bind({ host: '127.0.0.1', port: 0, connect: { address: '127.0.0.1', port } });
    onTestFinished(() => transport.close());
    const options = { host: '127.0.0.1', port, transport, credentials: pskStore(), cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8'], ...FAST };
    const first = await connect(options);
    expect(first.info?.resumed).toBe(false);
    const resumption = first.resumption!;
    expect(resumption.hasTicket).toBe(mode.ticket);
    await echoOnce(first, peer);

    const events: string[] = [];
    const second = await connect({ ...options, resume: resumption.toString() });
    second.events$.subscribe({ next: (e) => e.type === 'flight-sent' && events.push(`${e.flight}: ${e.messages.join(', ')}`), error: () => undefined });
    expect(second.info).toMatchObject({ resumed: true, cipherSuite: 'TLS_PSK_WITH_AES_128_CCM_8', peer: { kind: 'psk', identity: PSK_IDENTITY } });
    await echoOnce(second, peer);
  });
});
