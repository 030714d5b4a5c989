import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runEchoClient } from '../../examples/sock-echo-client.js';
import { ECHO_PSK, runEchoServer } from '../../examples/sock-echo-server.js';
import { UdpTransport, type DatagramTransport } from '../../lib/index.js';
import { startOpensslClient, startOpensslServer } from './helpers/openssl.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { stopAllPeers } from './helpers/peer-process.js';

/** The seed 003 echo examples on rx-dtls's sock facade, against OpenSSL in both roles. */
const openssl = peerBinary('openssl');
const KEY_HEX = Buffer.from(ECHO_PSK.key).toString('hex');

describe.skipIf(openssl.skip)('sock echo examples against openssl', () => {
  let bin: string;
  let stop: AbortController | undefined;
  let serving: Promise<void> | undefined;
  const transports: DatagramTransport[] = [];

  // beforeEach, not beforeAll: under DTLS_INTEROP=require each test then counts as failed, not skipped.
  beforeEach(() => {
    bin = assertPeerPresent(openssl);
  });
  afterEach(async () => {
    await stopAllPeers();
    stop?.abort();
    await serving;
    transports.splice(0).forEach((t) => t.close());
  });

  async function udp(): Promise<UdpTransport> {
    const transport = await UdpTransport.bind({ host: '127.0.0.1', port: 0 });
    transports.push(transport);
    return transport;
  }

  async function echoServer(): Promise<{ port: number; log: string[] }> {
    const transport = await udp();
    const log: string[] = [];
    stop = new AbortController();
    serving = runEchoServer(transport, { signal: stop.signal, log: (line) => log.push(line), handshakeTimeout: 5000 });
    return { port: transport.address().port, log };
  }

  it.each([
    { cipher: 'PSK-AES128-CCM8', iana: 'TLS_PSK_WITH_AES_128_CCM_8' },
    { cipher: 'ECDHE-PSK-CHACHA20-POLY1305', iana: 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256' },
  ])('sock-echo-server echoes openssl s_client lines over $cipher, and serves the next client after its close_notify', async ({ cipher, iana }) => {
    const { port, log } = await echoServer();
    for (const round of [1, 2]) {
      const client = startOpensslClient({ binary: bin, port, cipher, identity: ECHO_PSK.identity, keyHex: KEY_HEX });
      const line = `round ${round} ${Math.random()}\n`;
      client.write(line);
      expect(await client.waitForStdout(line)).toBe(line);
      client.endInput();
      expect((await client.waitForExit()).code).toBe(0);
    }
    expect(log.filter((l) => l.startsWith('New session')).map((l) => l.replace(/^.*\((.*)\)$/, '$1'))).toEqual([iana, iana]);
    expect(log.filter((l) => l.endsWith('-- echo!'))).toHaveLength(2);
  });

  it('sock-echo-client gets HELLO back from openssl s_server (-listen, cookie exchange)', async () => {
    const { port } = await startOpensslServer({ binary: bin, cipher: 'PSK-AES128-CCM8', identity: ECHO_PSK.identity, keyHex: KEY_HEX });
    const log: string[] = [];
    const reply = await runEchoClient(await udp(), { address: '127.0.0.1', port }, { log: (line) => log.push(line), timeout: 5000 });
    expect(reply).toBe('HELLO');
    expect(log).toEqual(['Session with 127.0.0.1:' + port + ': TLS_PSK_WITH_AES_128_CCM_8', 'Sent 5 bytes', 'Received 5 bytes: HELLO']);
  });
});
