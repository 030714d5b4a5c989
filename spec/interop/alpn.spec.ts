// ALPN (RFC 7301) against OpenSSL 3.0 (both roles) and GnuTLS 3.7 (gnutls-cli; our client against
// gnutls-serv is in gnutls-server.spec.ts), including the no_application_protocol alert.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, utf8 } from '../../lib/index.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { startGnutlsClient } from './helpers/gnutls.js';
import { startOpensslClient, startOpensslServer } from './helpers/openssl.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { stopAllPeers } from './helpers/peer-process.js';
import { pskStore } from './helpers/psk.js';
import { recordSession } from './helpers/session-recorder.js';
import { gnutlsPriority } from './helpers/suites.js';

const openssl = peerBinary('openssl');
const gnutls = peerBinary('gnutls-cli');
const FAST = { handshakeTimeout: 5000, retransmit: { initialTimeout: 250, maxTimeout: 1000 } } as const;
const CCM8 = { iana: 'TLS_PSK_WITH_AES_128_CCM_8', openssl: 'PSK-AES128-CCM8' } as const;

let echo: EchoServer | undefined;
afterEach(async () => {
  echo?.server.close();
  echo = undefined;
  await stopAllPeers();
});

describe.skipIf(openssl.skip)('ALPN with openssl s_server and s_client -alpn', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(openssl);
  });

  it('agrees on "coap" with s_server -alpn coap,h2 and echoes data', async () => {
    const { port } = await startOpensslServer({ binary: bin, cipher: CCM8.openssl, extraArgs: ['-alpn', 'coap,h2'] });
    const session = await connect({ host: '127.0.0.1', port, credentials: pskStore(), cipherSuites: [CCM8.iana], alpn: ['coap'], ...FAST });
    const rec = recordSession(session);
    expect(session.info?.alpn).toBe('coap');
    session.send(utf8('alpn ping\n'));
    expect(await rec.received('alpn ping\n')).toBe('alpn ping\n');
    await session.close();
  });

  it('fails with the no_application_protocol s_server -alpn h2 sends when it supports none of ours', async () => {
    const { port } = await startOpensslServer({ binary: bin, cipher: CCM8.openssl, extraArgs: ['-alpn', 'h2'] });
    const attempt = connect({ host: '127.0.0.1', port, credentials: pskStore(), cipherSuites: [CCM8.iana], alpn: ['coap'], ...FAST });
    await expect(attempt).rejects.toMatchObject({ code: 'EALERT', alert: { level: 'fatal', name: 'no_application_protocol' } });
  });

  it('goes without ALPN against s_server without -alpn', async () => {
    const { port } = await startOpensslServer({ binary: bin, cipher: CCM8.openssl });
    const session = await connect({ host: '127.0.0.1', port, credentials: pskStore(), cipherSuites: [CCM8.iana], alpn: ['coap'], ...FAST });
    expect(session.state).toBe('established');
    expect(session.info).not.toHaveProperty('alpn');
    await session.close();
  });

  it('chooses "coap" for s_client -alpn h2,coap and echoes its line', async () => {
    echo = await startEchoServer({ credentials: pskStore(), alpn: ['coap'] });
    const client = startOpensslClient({ binary: bin, port: echo.port, cipher: CCM8.openssl, extraArgs: ['-alpn', 'h2,coap'] });
    client.write('over coap\n');
    const server = await echo.firstSession();
    expect(await server.next('handshake-complete')).toMatchObject({ alpn: 'coap' });
    expect(await server.received('over coap\n')).toBe('over coap\n');
    await client.waitForStdout('over coap');
    client.endInput();
    expect((await client.waitForExit()).code).toBe(0);
  });

  it('sends s_client -alpn h2 a fatal no_application_protocol, which it reports as alert 120', async () => {
    echo = await startEchoServer({ credentials: pskStore(), alpn: ['coap'] });
    const client = startOpensslClient({ binary: bin, port: echo.port, cipher: CCM8.openssl, extraArgs: ['-alpn', 'h2'] });
    await client.waitForStderr(/no application protocol.*SSL alert number 120/);
    const server = await echo.firstSession();
    expect((await server.closed()).error).toMatchObject({ code: 'EHANDSHAKE', alert: { name: 'no_application_protocol' } });
  });
});

describe.skipIf(gnutls.skip)('ALPN with gnutls-cli --alpn', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(gnutls);
  });
  const priority = gnutlsPriority('PSK', 'AES-128-CCM-8');

  it('chooses "coap" for gnutls-cli --alpn=coap, which reports it, and echoes a line', async () => {
    echo = await startEchoServer({ credentials: pskStore(), alpn: ['coap'] });
    const client = startGnutlsClient({ binary: bin, port: echo.port, priority, extraArgs: ['--alpn=coap'] });
    client.write('gnutls over coap\n');
    await client.waitForStdout('- Application protocol: coap');
    await client.waitForStdout(/Simple Client Mode:[\s\S]*gnutls over coap/);
    const server = await echo.firstSession();
    expect(await server.next('handshake-complete')).toMatchObject({ alpn: 'coap' });
    client.endInput();
    expect((await client.waitForExit()).code).toBe(0);
  });

  it('sends gnutls-cli --alpn=h2 a fatal no_application_protocol, which it reports', async () => {
    echo = await startEchoServer({ credentials: pskStore(), alpn: ['coap'] });
    const client = startGnutlsClient({ binary: bin, port: echo.port, priority, extraArgs: ['--alpn=h2'] });
    const exit = await client.waitForExit();
    expect(exit.code).not.toBe(0);
    expect(client.stdout + client.stderr).toMatch(/No common application protocol could be negotiated|Received alert \[120\]/);
    const server = await echo.firstSession();
    expect((await server.closed()).error).toMatchObject({ alert: { name: 'no_application_protocol' } });
  });
});
