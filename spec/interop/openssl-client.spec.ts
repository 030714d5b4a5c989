import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { startOpensslClient } from './helpers/openssl.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { stopAllPeers } from './helpers/peer-process.js';
import { PSK_IDENTITY, pskStore } from './helpers/psk.js';
import { OPENSSL_SUITES } from './helpers/suites.js';

const openssl = peerBinary('openssl');

describe.skipIf(openssl.skip)('openssl s_client -dtls1_2 against an rx-dtls server', () => {
  let bin: string;
  let echo: EchoServer | undefined;
  // beforeEach, not beforeAll: under DTLS_INTEROP=require each test then counts as failed, not skipped.
  beforeEach(() => {
    bin = assertPeerPresent(openssl);
  });
  afterEach(async () => {
    echo?.server.close();
    echo = undefined;
    await stopAllPeers();
  });

  describe.each(OPENSSL_SUITES)('$openssl', ({ iana, openssl: cipher }) => {
    it(`completes a ${iana} handshake, echoes a line to s_client, and sees its close_notify`, async () => {
      echo = await startEchoServer({ credentials: pskStore() });
      const client = startOpensslClient({ binary: bin, port: echo.port, cipher });
      const message = `ping ${cipher} ${Math.random()}\n`;
      client.write(message);

      const server = await echo.firstSession();
      const complete = await server.next('handshake-complete');
      expect(complete).toMatchObject({ cipherSuite: iana, peer: { kind: 'psk', identity: PSK_IDENTITY }, extendedMasterSecret: true });
      expect(await client.waitForStdout(message)).toBe(message);
      expect(await server.received(message)).toBe(message);

      // End of input: s_client (with -no_ign_eof) sends close_notify and exits.
      client.endInput();
      expect((await client.waitForExit()).code).toBe(0);
      const closed = await server.closed();
      expect(closed.error).toBeUndefined();
      expect(server.events).toContainEqual(expect.objectContaining({ type: 'alert', direction: 'received', name: 'close_notify' }));
    });
  });
});
