// NSS's tstclnt (Debian 12's libnss3-tools 3.87) offers DTLS 1.3 as the old draft-43, version
// 0x7f2b in supported_versions, never RFC 9147's 0xfefc. That is not DTLS 1.3: a server must not
// take it for 1.3 (issue 15). Both our 1.2-only server and one that accepts 1.3 answer it with
// DTLS 1.2; the latter with RFC 8446 §4.1.3's downgrade sentinel, which NSS's draft client
// accepts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { carriesDowngradeSentinel, type DtlsVersion } from '../../lib/handshake/version-negotiation.js';
import { credentials, UdpTransport } from '../../lib/index.js';
import { DTLS_1_2, DTLS_1_3 } from '../../lib/wire/constants.js';
import { ExtensionType } from '../../lib/wire/extension-type.js';
import { decodeSupportedVersionsOffer } from '../../lib/wire/supported-versions-extension.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { helloExtensions, lastServerHello } from './helpers/hello-extensions.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { PEER_KEYS, readPem } from './helpers/peer-keys.js';
import { PeerProcess, stopAllPeers } from './helpers/peer-process.js';
import { tapTransport } from './helpers/tap-transport.js';

const tstclnt = peerBinary('tstclnt');

/** draft-ietf-tls-dtls13-43's version: 0x7f00 | 43. */
const DTLS_1_3_DRAFT_43 = 0x7f2b;

describe.skipIf(tstclnt.skip)('NSS tstclnt offering its draft DTLS 1.3 (-V tls1.2:tls1.3) to an rx-dtls server', () => {
  let bin: string;
  let echo: EchoServer | undefined;
  beforeEach(() => {
    bin = assertPeerPresent(tstclnt);
  });
  afterEach(async () => {
    await echo?.server.close();
    echo = undefined;
    await stopAllPeers();
  });

  /**
   * tstclnt -V tls1.2:tls1.3 against an echo server accepting `versions`: its offer, our
   * ServerHello and the session, once a line went there and back.
   */
  async function handshake(versions: readonly DtlsVersion[]) {
    const transport = tapTransport(await UdpTransport.bind({ host: '127.0.0.1', port: 0 }));
    // NSS has no DTLS 1.2 PSK suites; a server accepting 1.3 needs a PSK (its 1.3 has no certificates yet).
    const store = credentials()
      .x509({ tag: 0, certificate: readPem(PEER_KEYS.certificate), privateKey: readPem(PEER_KEYS.privateKey) })
      .psk({ tag: 0, identity: 'Client_identity', key: 'secretPSK' });
    echo = await startEchoServer({ credentials: store, transport, versions: [...versions] });
    // -o accepts our self-signed certificate.
    const client = PeerProcess.start(bin, ['-P', 'client', '-V', 'tls1.2:tls1.3', '-D', '-o', '-h', '127.0.0.1', '-p', String(echo.port)], 'tstclnt -V tls1.2:tls1.3');
    const message = `ping nss draft-43 ${Math.random()}\n`;
    client.write(message);
    const server = await echo.firstSession();
    await server.next('handshake-complete');
    expect(await server.received(message)).toBe(message);
    await client.waitForStdout(message.trim());

    const offer = helloExtensions(transport.log, 'received', 1)?.find((e) => e.type === ExtensionType.supported_versions);
    expect(offer, 'tstclnt offered no supported_versions: it did not try its DTLS 1.3').toBeDefined();
    const offered = decodeSupportedVersionsOffer(offer!.data);
    expect(offered.ok && offered.value).toEqual(expect.arrayContaining([DTLS_1_3_DRAFT_43, DTLS_1_2]));
    expect(offered.ok && offered.value).not.toContain(DTLS_1_3);
    const hello = lastServerHello(transport.log, 'sent')!;
    expect(hello.serverVersion).toBe(DTLS_1_2);
    expect(hello.extensions.map((e) => e.type)).not.toContain(ExtensionType.supported_versions);
    expect(server.session.info?.cipherSuite).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
    return hello;
  }

  it('a 1.2-only server: DTLS 1.2, the ServerHello says 0xfefd with no supported_versions, and a line is echoed', async () => {
    const hello = await handshake(['1.2']);
    expect(carriesDowngradeSentinel(hello.random)).toBe(false);
  });

  it('a server accepting 1.3 does not take the draft for it: DTLS 1.2 with the downgrade sentinel, and NSS still completes', async () => {
    const hello = await handshake(['1.2', '1.3']);
    expect(carriesDowngradeSentinel(hello.random)).toBe(true);
  });
});
