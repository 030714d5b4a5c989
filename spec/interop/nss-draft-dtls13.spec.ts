// NSS's tstclnt (Debian 12's libnss3-tools 3.87) offers DTLS 1.3 as the old draft-43, version
// 0x7f2b in supported_versions, never RFC 9147's 0xfefc. That is not DTLS 1.3: a server must not
// take it for 1.3 (issue 15). Our server answers it with DTLS 1.2 today, having no 1.3 to choose;
// this spec keeps it so once a 1.3 server reads supported_versions.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentials, UdpTransport } from '../../lib/index.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { helloExtensions, lastServerHello } from './helpers/hello-extensions.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { PEER_KEYS, readPem } from './helpers/peer-keys.js';
import { PeerProcess, stopAllPeers } from './helpers/peer-process.js';
import { tapTransport } from './helpers/tap-transport.js';

const tstclnt = peerBinary('tstclnt');

/** The supported_versions extension (RFC 8446 §4.2.1). */
const SUPPORTED_VERSIONS = 43;
const DTLS_1_2 = 0xfefd;
const DTLS_1_3 = 0xfefc;
/** draft-ietf-tls-dtls13-43's version: 0x7f00 | 43. */
const DTLS_1_3_DRAFT_43 = 0x7f2b;

/** The versions a ClientHello's supported_versions lists (RFC 8446 §4.2.1: a list8 of uint16). */
function offeredVersions(data: Uint8Array): number[] {
  const versions: number[] = [];
  const end = Math.min(1 + data[0], data.length);
  for (let at = 1; at + 2 <= end; at += 2) versions.push((data[at] << 8) | data[at + 1]);
  return versions;
}

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

  it('gets DTLS 1.2: the ServerHello says 0xfefd with no supported_versions, and a line is echoed', async () => {
    const transport = tapTransport(await UdpTransport.bind({ host: '127.0.0.1', port: 0 }));
    const store = credentials().x509({ tag: 0, certificate: readPem(PEER_KEYS.certificate), privateKey: readPem(PEER_KEYS.privateKey) });
    echo = await startEchoServer({ credentials: store, transport });
    // -o accepts our self-signed certificate; NSS has no DTLS 1.2 PSK suites.
    const client = PeerProcess.start(bin, ['-P', 'client', '-V', 'tls1.2:tls1.3', '-D', '-o', '-h', '127.0.0.1', '-p', String(echo.port)], 'tstclnt -V tls1.2:tls1.3');
    const message = `ping nss draft-43 ${Math.random()}\n`;
    client.write(message);
    const server = await echo.firstSession();
    await server.next('handshake-complete');
    expect(await server.received(message)).toBe(message);
    await client.waitForStdout(message.trim());

    const offer = helloExtensions(transport.log, 'received', 1)?.find((e) => e.type === SUPPORTED_VERSIONS);
    expect(offer, 'tstclnt offered no supported_versions: it did not try its DTLS 1.3').toBeDefined();
    const offered = offeredVersions(offer!.data);
    expect(offered).toEqual(expect.arrayContaining([DTLS_1_3_DRAFT_43, DTLS_1_2]));
    expect(offered).not.toContain(DTLS_1_3);

    const hello = lastServerHello(transport.log, 'sent');
    expect(hello?.serverVersion).toBe(DTLS_1_2);
    expect(hello?.extensions.map((e) => e.type)).not.toContain(SUPPORTED_VERSIONS);
    expect(server.session.info?.cipherSuite).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
  });
});
