import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { afterHandshake, startGnutlsClient } from './helpers/gnutls.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { stopAllPeers } from './helpers/peer-process.js';
import { PSK_IDENTITY, pskStore } from './helpers/psk.js';
import { GNUTLS_SUITES, gnutlsPriority } from './helpers/suites.js';

const gnutls = peerBinary('gnutls-cli');

/** gnutls-cli's stdout once the line came back after the handshake. */
const echoed = (line: string) => new RegExp(`- Simple Client Mode:[\\s\\S]*${line.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

describe.skipIf(gnutls.skip)('gnutls-cli --udp against an rx-dtls server', () => {
  let bin: string;
  let echo: EchoServer | undefined;
  // beforeEach, not beforeAll: under DTLS_INTEROP=require each test then counts as failed, not skipped.
  beforeEach(() => {
    bin = assertPeerPresent(gnutls);
  });
  afterEach(async () => {
    echo?.server.close();
    echo = undefined;
    await stopAllPeers();
  });

  describe.each(GNUTLS_SUITES)('$kx $cipher', ({ iana, kx, cipher }) => {
    it(`completes a ${iana} handshake, echoes a line, and answers gnutls-cli's close_notify`, async () => {
      echo = await startEchoServer({ credentials: pskStore() });
      const client = startGnutlsClient({ binary: bin, port: echo.port, priority: gnutlsPriority(kx, cipher) });
      const message = `ping ${cipher} ${Math.random()}\n`;
      client.write(message);

      const server = await echo.firstSession();
      expect(await server.next('handshake-complete')).toMatchObject({ cipherSuite: iana, peer: { kind: 'psk', identity: PSK_IDENTITY }, extendedMasterSecret: true });
      const didEcho = await client.waitForStdout(echoed(message)).then(
        () => true,
        () => false,
      );
      if (!didEcho && kx === 'ECDHE-PSK' && (await client.waitForExit()).signal === 'SIGSEGV') {
        // gnutls-cli 3.7.9 crashes in its own print_info (gnutls_psk_server_get_username)
        // right after every ECDHE-PSK handshake, against openssl s_server too. print_info
        // runs only once gnutls_handshake() succeeded, so the handshake itself interoperated;
        // the echo for this suite is checked with coap-client-gnutls (coap-client.spec.ts).
        console.warn(`[interop] gnutls-cli crashed after the ${iana} handshake (known gnutls-cli 3.7 bug); echo not checked here`);
        return;
      }
      expect(didEcho, client.describe()).toBe(true);
      expect(await server.received(message)).toBe(message);

      // End of input: gnutls-cli sends close_notify; our answer makes it report a clean close.
      client.endInput();
      expect((await client.waitForExit()).code).toBe(0);
      expect(afterHandshake(client.stdout)).toContain('- Peer has closed the GnuTLS connection');
      expect(client.stderr).not.toContain('Fatal error');
      expect((await server.closed()).error).toBeUndefined();
      expect(server.events).toContainEqual(expect.objectContaining({ type: 'alert', direction: 'received', name: 'close_notify' }));
    });
  });

  it('session.close() on the server reaches gnutls-cli as a clean close', async () => {
    echo = await startEchoServer({ credentials: pskStore() });
    const client = startGnutlsClient({ binary: bin, port: echo.port, priority: gnutlsPriority('PSK', 'AES-128-CCM-8') });
    client.write('bye from server\n');
    await client.waitForStdout(echoed('bye from server'));
    (await echo.firstSession()).session.close();
    await client.waitForStdout('- Peer has closed the GnuTLS connection');
    expect((await client.waitForExit()).code).toBe(0);
  });

  // gnutls-cli's "*** Fatal error: Error in the push function." comes from here: the
  // server's close_notify never leaves, its socket closes, and gnutls-cli's own
  // close_notify then draws an ICMP port unreachable, so its next send fails.
  it('server.close() sends close_notify before its socket closes, so gnutls-cli ends cleanly', async () => {
    echo = await startEchoServer({ credentials: pskStore() });
    const client = startGnutlsClient({ binary: bin, port: echo.port, priority: gnutlsPriority('PSK', 'AES-128-CCM-8') });
    client.write('server going away\n');
    await client.waitForStdout(echoed('server going away'));
    echo.server.close();
    // Give the close_notify time to arrive; then end input as a user would.
    await client.waitForStdout('- Peer has closed the GnuTLS connection', 1000).catch(() => undefined);
    client.endInput();
    const exit = await client.waitForExit();
    expect(client.stderr).not.toContain('Error in the push function');
    expect(afterHandshake(client.stdout)).toContain('- Peer has closed the GnuTLS connection');
    expect(exit.code).toBe(0);
  });
});
