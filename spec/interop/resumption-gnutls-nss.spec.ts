import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentials } from '../../lib/index.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { PeerProcess, stopAllPeers } from './helpers/peer-process.js';
import { PEER_KEYS, readPem } from './helpers/peer-keys.js';
import { PSK_IDENTITY, PSK_KEY_HEX, pskStore } from './helpers/psk.js';
import { gnutlsPriority } from './helpers/suites.js';

const gnutls = peerBinary('gnutls-cli');
const nss = peerBinary('tstclnt');

/** The ticket and the session-ID ways to resume, as each client is told. */
const MODES = [
  { label: 'by ticket', ticket: true },
  { label: 'by session ID', ticket: false },
] as const;

function expectResumedAfterFull(echo: EchoServer, handshakes: number): void {
  expect(echo.sessions.map((s) => s.session.info?.resumed)).toEqual([false, ...Array<boolean>(handshakes - 1).fill(true)]);
}

describe.skipIf(gnutls.skip)('gnutls-cli --udp --resume against an rx-dtls server', () => {
  let bin: string;
  let echo: EchoServer | undefined;
  beforeEach(() => {
    bin = assertPeerPresent(gnutls);
  });
  afterEach(async () => {
    await echo?.server.close();
    echo = undefined;
    await stopAllPeers();
  });

  // gnutls-cli 3.7.9 with --noticket still sends an empty SessionTicket extension in DTLS (and
  // takes the ticket we then issue): session IDs are proven with our server's tickets off as well.
  it.each(MODES)('resumes $label (PSK) and echoes a line on the resumed session', async (mode) => {
    echo = await startEchoServer({ credentials: pskStore(), ...(mode.ticket ? {} : { tickets: false }) });
    const client = PeerProcess.start(
      bin,
      [
        '--udp', '-p', String(echo.port), '--pskusername', PSK_IDENTITY, '--pskkey', PSK_KEY_HEX,
        '--priority', gnutlsPriority('PSK', 'AES-128-CCM-8'), '--resume', ...(mode.ticket ? [] : ['--noticket']), '127.0.0.1',
      ],
      `gnutls-cli --resume ${mode.label}`,
    );
    await client.waitForStdout(/This is a resumed session[\s\S]*Simple Client Mode/, 10_000);
    const message = `ping gnutls resumed ${Math.random()}\n`;
    client.write(message);
    await client.waitForStdout(new RegExp(`Simple Client Mode:[\\s\\S]*${message.trim().replace(/\./g, '\\.')}`));
    client.endInput();
    expect((await client.waitForExit()).code).toBe(0);
    expectResumedAfterFull(echo, 2);
    expect(await echo.sessions[1].received(message)).toBe(message);
    expect(echo.server.cachedSessions).toBe(mode.ticket ? 0 : 1);
  });
});

describe.skipIf(nss.skip)('NSS tstclnt -P client (DTLS 1.2) resuming with an rx-dtls server', () => {
  let bin: string;
  let echo: EchoServer | undefined;
  beforeEach(() => {
    bin = assertPeerPresent(nss);
  });
  afterEach(async () => {
    await echo?.server.close();
    echo = undefined;
    await stopAllPeers();
  });

  // NSS has no TLS 1.2 PSK suites: it resumes ECDHE-ECDSA sessions (-o accepts our self-signed
  // certificate). tstclnt -L reconnects only once a connection has ended, which -Q does right after
  // the handshake: the resumed session carries no data here.
  it.each(MODES)('-Q -L 2 resumes $label (ECDHE-ECDSA)', async (mode) => {
    const store = credentials().x509({ tag: 0, certificate: readPem(PEER_KEYS.certificate), privateKey: readPem(PEER_KEYS.privateKey) });
    echo = await startEchoServer({ credentials: store });
    const args = ['-h', '127.0.0.1', '-p', String(echo.port), '-P', 'client', '-V', 'tls1.2:tls1.2', '-D', '-o', ...(mode.ticket ? ['-u'] : [])];
    const twice = PeerProcess.start(bin, [...args, '-Q', '-L', '2'], `tstclnt -L 2 ${mode.label}`);
    expect((await twice.waitForExit(10_000)).code).toBe(0);
    // tstclnt counts what its session cache did: the second connection was a cache hit (a ticket: "stateless").
    expect(twice.stderr + twice.stdout).toMatch(mode.ticket ? /1 stateless resumes/ : /1 cache hits/);
    expectResumedAfterFull(echo, 2);
    for (const { session } of echo.sessions) expect(session.info).toMatchObject({ cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', extendedMasterSecret: true });
    expect(echo.server.cachedSessions).toBe(mode.ticket ? 0 : 1);
  });
});
