// Server-side SNI (RFC 6066 §3): the certificate served is chosen by the name openssl s_client
// -servername and gnutls-cli --sni-hostname send; each client verifies the chain for that name.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { credentials, type ServerOptions } from '../../lib/index.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';
import { ecdsaPriority } from './helpers/gnutls-cert.js';
import { startOpensslCertClient } from './helpers/openssl-cert.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { PEER_KEYS, readPem } from './helpers/peer-keys.js';
import { PeerProcess, stopAllPeers } from './helpers/peer-process.js';
import { selfSignedP256, type GeneratedPair } from './helpers/throwaway-certs.js';

const openssl = peerBinary('openssl');
const gnutls = peerBinary('gnutls-cli');
const CIPHER = 'ECDHE-ECDSA-AES128-GCM-SHA256';

let dir: string;
let alpha: GeneratedPair;
let echo: EchoServer | undefined;

/** Tag 0: the CN=localhost certificate, the default; tag 1: CN=alpha.example, for that name only. */
async function namedServer(options: Partial<ServerOptions> = {}): Promise<EchoServer> {
  const store = credentials()
    .x509({ tag: 0, certificate: readPem(PEER_KEYS.certificate), privateKey: readPem(PEER_KEYS.privateKey) })
    .x509({ tag: 1, certificate: readFileSync(alpha.certificate, 'utf8'), privateKey: readFileSync(alpha.privateKey, 'utf8') });
  return startEchoServer({ credentials: store, serverNames: { 'alpha.example': 1 }, ...options });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rx-dtls-sni-'));
  if (openssl.path) alpha = selfSignedP256(openssl.path, dir, 'alpha', '/CN=alpha.example', 'DNS:alpha.example');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  echo?.server.close();
  echo = undefined;
  await stopAllPeers();
});

describe.skipIf(openssl.skip)('SNI with openssl s_client -servername', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(openssl);
  });

  async function exchange(serverName: string, caFile: string) {
    const client = startOpensslCertClient({ binary: bin, port: echo!.port, cipher: CIPHER, caFile, extraArgs: ['-servername', serverName] });
    client.write(`for ${serverName}\n`);
    await client.waitForStdout(`for ${serverName}`);
    const server = await echo!.firstSession();
    client.endInput();
    expect((await client.waitForExit()).code).toBe(0);
    return { client, server };
  }

  it('serves alpha.example its own certificate, which s_client verifies, and reports the name', async () => {
    echo = await namedServer();
    const { client, server } = await exchange('alpha.example', alpha.certificate);
    expect(client.stderr).toMatch(/depth=0 CN = alpha\.example\s+verify return:1/);
    expect(server.events).toContainEqual(expect.objectContaining({ type: 'handshake-complete', serverName: 'alpha.example' }));
  });

  it('serves a name it does not know the default certificate', async () => {
    echo = await namedServer();
    const { client, server } = await exchange('beta.example', PEER_KEYS.certificate);
    expect(client.stderr).toMatch(/depth=0 CN = localhost\s+verify return:1/);
    expect(server.events).toContainEqual(expect.objectContaining({ type: 'handshake-complete', serverName: 'beta.example' }));
  });

  it('refuses a name it does not know with a fatal unrecognized_name when told to, which s_client reports as alert 112', async () => {
    echo = await namedServer({ unknownServerName: 'refuse' });
    const client = startOpensslCertClient({ binary: bin, port: echo.port, cipher: CIPHER, caFile: PEER_KEYS.certificate, extraArgs: ['-servername', 'beta.example'] });
    await client.waitForStderr(/unrecognized name.*SSL alert number 112/);
    const server = await echo.firstSession();
    expect((await server.closed()).error).toMatchObject({ code: 'EHANDSHAKE', alert: { level: 'fatal', name: 'unrecognized_name' } });
  });
});

describe.skipIf(gnutls.skip || openssl.skip)('SNI with gnutls-cli --sni-hostname', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(gnutls);
  });

  it('serves alpha.example its own certificate, which gnutls-cli verifies for that name', async () => {
    echo = await namedServer();
    const client = PeerProcess.start(bin, [
      '--udp', '-p', String(echo.port), '--priority', ecdsaPriority({ cipher: 'AES-128-GCM' }),
      '--sni-hostname=alpha.example', '--verify-hostname=alpha.example', '--x509cafile', alpha.certificate, '127.0.0.1',
    ], 'gnutls-cli --sni-hostname');
    client.write('gnutls by name\n');
    await client.waitForStdout(/Simple Client Mode:[\s\S]*gnutls by name/);
    expect(client.stdout).toContain('- Status: The certificate is trusted.');
    const server = await echo.firstSession();
    expect(await server.next('handshake-complete')).toMatchObject({ serverName: 'alpha.example', cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256' });
    client.endInput();
    expect((await client.waitForExit()).code).toBe(0);
  });
});
