import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connect, keyLogFile, UdpTransport, utf8 } from '../../lib/index.js';
import { dtlsPayloads, startLoopbackCapture, type LoopbackCapture } from './helpers/capture.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { startOpensslClient, startOpensslServer } from './helpers/openssl.js';
import { assertPeerPresent, interopMode, peerBinary } from './helpers/peer-binary.js';
import { stopAllPeers } from './helpers/peer-process.js';
import { pskStore } from './helpers/psk.js';
import { recordSession } from './helpers/session-recorder.js';

const openssl = peerBinary('openssl');
const tshark = peerBinary('tshark');

/** NSS key log format for TLS 1.2: CLIENT_RANDOM <32-byte client random> <48-byte master secret>. */
const KEY_LOG_LINE = /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/;

/**
 * tshark (Wireshark 4.0) decrypts the DTLS AES-GCM and AES-CCM(-8) suites with an
 * NSS key log; its DTLS ChaCha20-Poly1305 decryption fails the tag check even on
 * OpenSSL's own records, so these specs use AES suites.
 */
describe.skipIf(openssl.skip || tshark.skip)('SSLKEYLOGFILE lines let tshark decrypt rx-dtls traffic', () => {
  let bins: { openssl: string; tshark: string };
  let dir: string;
  let echo: EchoServer | undefined;
  // beforeEach, not beforeAll: under DTLS_INTEROP=require each test then counts as failed, not skipped.
  beforeEach(() => {
    bins = { openssl: assertPeerPresent(openssl), tshark: assertPeerPresent(tshark) };
  });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rx-dtls-keylog-'));
  });
  afterEach(async () => {
    echo?.server.close();
    echo = undefined;
    await stopAllPeers();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Starts the capture, or skips the spec (fails it under DTLS_INTEROP=require) when capturing is not permitted. */
  async function capture(port: number, name: string, skip: (note: string) => void): Promise<LoopbackCapture> {
    const started = await startLoopbackCapture(bins.tshark, port, join(dir, `${name}.pcapng`));
    if (!('unavailable' in started)) return started;
    if (interopMode() === 'require') throw new Error(started.unavailable);
    console.warn(`[interop] skipping: ${started.unavailable}`);
    skip(started.unavailable);
    throw new Error('unreachable: skip() throws');
  }

  it('as client (TLS_PSK_WITH_AES_128_GCM_SHA256 with openssl s_server): both directions decrypt to the echoed plaintext', async (ctx) => {
    const { port } = await startOpensslServer({ binary: bins.openssl, cipher: 'PSK-AES128-GCM-SHA256' });
    const cap = await capture(port, 'client', (note) => ctx.skip(note));
    const keys = join(dir, 'client.keys');
    const transport = await UdpTransport.bind({ host: '127.0.0.1', port: 0 });
    const message = `key log plaintext ${Math.random()}\n`;
    try {
      const session = await connect({ host: '127.0.0.1', port, transport, credentials: pskStore(), cipherSuites: ['TLS_PSK_WITH_AES_128_GCM_SHA256'], keyLog: keyLogFile(keys), handshakeTimeout: 5000 });
      const rec = recordSession(session);
      session.send(utf8(message));
      await rec.received(message);
      session.close();
    } finally {
      await cap.stop();
      transport.close();
    }

    const lines = readFileSync(keys, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(KEY_LOG_LINE);
    // Without the keys the plaintext is nowhere; with them, our record and the echo both decrypt.
    expect((await dtlsPayloads(bins.tshark, cap.file, port)).join('')).not.toContain(message.trim());
    expect((await dtlsPayloads(bins.tshark, cap.file, port, keys)).filter((p) => p === message)).toHaveLength(2);
  });

  it('as server (TLS_PSK_WITH_AES_128_CCM_8 with openssl s_client): both directions decrypt to the echoed plaintext', async (ctx) => {
    const keys = join(dir, 'server.keys');
    echo = await startEchoServer({ credentials: pskStore(), keyLog: keyLogFile(keys) });
    const cap = await capture(echo.port, 'server', (note) => ctx.skip(note));
    const message = `server key log ${Math.random()}\n`;
    const client = startOpensslClient({ binary: bins.openssl, port: echo.port, cipher: 'PSK-AES128-CCM8' });
    try {
      client.write(message);
      await client.waitForStdout(message);
      client.endInput();
      await client.waitForExit();
    } finally {
      await cap.stop();
    }

    const lines = readFileSync(keys, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(KEY_LOG_LINE);
    expect((await dtlsPayloads(bins.tshark, cap.file, echo.port)).join('')).not.toContain(message.trim());
    expect((await dtlsPayloads(bins.tshark, cap.file, echo.port, keys)).filter((p) => p === message)).toHaveLength(2);
  });
});
