import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { coapEchoResponse } from './helpers/coap-echo.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { PeerProcess, stopAllPeers } from './helpers/peer-process.js';
import { PSK_IDENTITY, pskStore } from './helpers/psk.js';

const coapGnutls = peerBinary('coap-client-gnutls');

/**
 * libcoap's client on GnuTLS negotiates TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256
 * by default: it carries the GnuTLS ECDHE-PSK echo that gnutls-cli 3.7 cannot
 * (it crashes printing the session after every ECDHE-PSK handshake).
 */
describe.skipIf(coapGnutls.skip)('coap-client-gnutls (libcoap on GnuTLS) against an rx-dtls server', () => {
  let bin: string;
  let echo: EchoServer | undefined;
  // beforeEach, not beforeAll: under DTLS_INTEROP=require each test then counts as failed, not skipped.
  beforeEach(() => {
    bin = assertPeerPresent(coapGnutls);
  });
  afterEach(async () => {
    echo?.server.close();
    echo = undefined;
    await stopAllPeers();
  });

  it('negotiates TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 and gets its CoAP payload back', async () => {
    echo = await startEchoServer({ credentials: pskStore(), respond: coapEchoResponse });
    const payload = `ecdhe-psk-${Math.floor(Math.random() * 1e9)}`;
    const client = PeerProcess.start(bin, ['-m', 'put', '-e', payload, '-B', '5', '-u', PSK_IDENTITY, '-k', 'secretPSK', `coaps://127.0.0.1:${echo.port}/echo`], 'coap-client-gnutls');

    const server = await echo.firstSession();
    expect(await server.next('handshake-complete')).toMatchObject({
      cipherSuite: 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256',
      peer: { kind: 'psk', identity: PSK_IDENTITY },
    });
    expect(await client.waitForStdout(payload)).toContain(payload);
    expect((await client.waitForExit()).code).toBe(0);
    // The request arrived intact: its payload is in the one record the server received.
    expect(new TextDecoder().decode(server.data[0])).toContain(payload);
  });
});
