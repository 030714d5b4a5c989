import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { servePipeline } from '../../examples/rx-pipeline.js';
import { UdpTransport } from '../../lib/index.js';
import { startOpensslClient } from './helpers/openssl.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { stopAllPeers } from './helpers/peer-process.js';
import { pskStore } from './helpers/psk.js';

/**
 * examples/rx-pipeline.ts, a PSK echo server composed from rx-dtls/stages alone over a
 * UDP socket (issue 13, finding 6), against `openssl s_client -dtls1_2 -psk`.
 */
const openssl = peerBinary('openssl');

describe.skipIf(openssl.skip)('the rx-dtls/stages pipeline example against openssl s_client', () => {
  let bin: string;
  let stop: (() => void) | undefined;

  // beforeEach, not beforeAll: under DTLS_INTEROP=require each test then counts as failed, not skipped.
  beforeEach(() => {
    bin = assertPeerPresent(openssl);
  });
  afterEach(async () => {
    await stopAllPeers();
    stop?.();
  });

  it.each([
    { cipher: 'PSK-AES128-CCM8', iana: 'TLS_PSK_WITH_AES_128_CCM_8' },
    { cipher: 'PSK-AES256-GCM-SHA384', iana: 'TLS_PSK_WITH_AES_256_GCM_SHA384' },
    { cipher: 'ECDHE-PSK-CHACHA20-POLY1305', iana: 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256' },
  ])('completes $cipher through the cookie exchange, echoes lines, and answers close_notify', async ({ cipher, iana }) => {
    const transport = await UdpTransport.bind({ host: '127.0.0.1', port: 0 });
    const log: string[] = [];
    stop = servePipeline(transport, { credentials: pskStore(), log: (line) => log.push(line), handshakeTimeout: 5000 });
    const client = startOpensslClient({ binary: bin, port: transport.address().port, cipher });
    for (const line of [`first ${Math.random()}\n`, `second ${Math.random()}\n`]) {
      client.write(line);
      expect(await client.waitForStdout(line)).toContain(line);
    }
    client.endInput();
    expect((await client.waitForExit()).code).toBe(0);
    expect(log[0]).toMatch(new RegExp(`^handshake with 127\\.0\\.0\\.1:\\d+ complete: ${iana}$`));
    await expect.poll(() => log.some((l) => l.endsWith(' closed'))).toBe(true);
  });
});
