import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, utf8, type Session } from '../../lib/index.js';
import { assertPeerPresent } from './helpers/peer-binary.js';
import { stopAllPeers, type PeerProcess } from './helpers/peer-process.js';
import { pskStore } from './helpers/psk.js';
import { recordSession } from './helpers/session-recorder.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { startWolfsslClient, startWolfsslServer, WOLFSSL_MESSAGES, WOLFSSL_PSK, WOLFSSL_SUITES, wolfsslBinary, wolfsslHandshakes } from './helpers/wolfssl.js';

const wolfServer = wolfsslBinary('server');
const wolfClient = wolfsslBinary('client');

/** A loopback handshake either finishes quickly or fails quickly. */
const FAST = { handshakeTimeout: 8000, retransmit: { initialTimeout: 250, maxTimeout: 2000 } } as const;

/** wolfSSL's 1.3 PSK client names its identity after the suite's hash; its server takes the bare one too. */
const ourPsk = (identity: string = WOLFSSL_PSK.identity) => pskStore(identity, WOLFSSL_PSK.keyHex['1.3']);

async function echoesALine(session: Session): Promise<void> {
  const rec = recordSession(session);
  const message = `ping wolfSSL ${Math.random()}`;
  session.send(utf8(message));
  expect(await rec.received(message)).toBe(message);
}

function expectWolfsslSaw(peer: PeerProcess, iana: string, curve?: string): void {
  const [handshake] = wolfsslHandshakes(peer.stdout);
  expect(handshake).toMatchObject({ version: 'DTLSv1.3', cipherSuite: iana, curve });
}

describe.skipIf(wolfServer.skip)('rx-dtls client against wolfSSL 5.7 example server, DTLS 1.3 with a PSK', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(wolfServer);
  });
  afterEach(stopAllPeers);

  it('TLS_AES_128_GCM_SHA256, psk_dhe_ke on x25519 through its HelloRetryRequest cookie: agreed on by both, and a line is echoed', async () => {
    const { peer, port } = await startWolfsslServer({ binary: bin, version: '1.3', auth: 'psk', suites: WOLFSSL_SUITES.TLS_AES_128_GCM_SHA256 });
    const session = await connect({ host: '127.0.0.1', port, credentials: ourPsk(), versions: ['1.3'], cipherSuites: ['TLS_AES_128_GCM_SHA256'], ...FAST });
    expect(session.info).toMatchObject({ version: '1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256' });
    await echoesALine(session);
    await session.close();
    await peer.waitForExit();
    expectWolfsslSaw(peer, 'TLS_AES_128_GCM_SHA256', 'X25519');
  });
});

describe.skipIf(wolfClient.skip)('wolfSSL 5.7 example client against an rx-dtls server, DTLS 1.3 with a PSK', () => {
  let bin: string;
  let echo: EchoServer | undefined;
  beforeEach(() => {
    bin = assertPeerPresent(wolfClient);
  });
  afterEach(async () => {
    await echo?.server.close();
    echo = undefined;
    await stopAllPeers();
  });

  it('TLS_AES_128_GCM_SHA256 through our HelloRetryRequest cookie: agreed on by both, and its message is echoed', async () => {
    echo = await startEchoServer({ credentials: ourPsk(`${WOLFSSL_PSK.identity}SHA256`), versions: ['1.2', '1.3'], ...FAST });
    const client = startWolfsslClient({ binary: bin, version: '1.3', auth: 'psk', suites: WOLFSSL_SUITES.TLS_AES_128_GCM_SHA256, port: echo.port });
    const exit = await client.waitForExit(15_000);
    expect(exit.code, client.describe()).toBe(0);
    expect(client.stdout).toMatch(new RegExp(`${WOLFSSL_MESSAGES.hello}$`, 'm'));
    expectWolfsslSaw(client, 'TLS_AES_128_GCM_SHA256', 'SECP256R1');
    const session = await echo.firstSession();
    expect(session.session.info).toMatchObject({ version: '1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', peer: { kind: 'psk', identity: `${WOLFSSL_PSK.identity}SHA256` } });
  });
});
