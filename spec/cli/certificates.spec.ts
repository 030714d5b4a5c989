import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, killAll, ROOT, runCli, startServer, type CliProcess } from './helpers/run-cli.js';

const PEERS = join(ROOT, 'spec/fixtures/peers');
const CERT = join(PEERS, 'ecdsa-p256-cert.pem'); // self-signed CN=localhost, SAN localhost, 127.0.0.1, ::1
const CERT_KEY = join(PEERS, 'ecdsa-p256-key.pem');
const RPK_KEY = join(PEERS, 'rpk-p256-key.pem');
const RPK_PUB = join(PEERS, 'rpk-p256-pub.pem');

const dir = mkdtempSync(join(tmpdir(), 'rx-dtls-cli-certs-'));
/** SHA-256 of the DER SubjectPublicKeyInfo of a PEM key, computed here with node:crypto rather than by rx-dtls. */
const fingerprintOf = (pem: string) => createHash('sha256').update(createPublicKey(pem).export({ type: 'spki', format: 'der' })).digest('hex');

/** A fresh client key pair, its private half in SEC1 form, and the public half of the certificate's key for raw-key pinning. */
function writeKeys() {
  const client = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const paths = { clientKey: join(dir, 'client-key.pem'), clientPub: join(dir, 'client-pub.pem'), certPub: join(dir, 'cert-pub.pem') };
  writeFileSync(paths.clientKey, client.privateKey.export({ type: 'sec1', format: 'pem' }));
  writeFileSync(paths.clientPub, client.publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(paths.certPub, createPublicKey(readFileSync(CERT_KEY, 'utf8')).export({ type: 'spki', format: 'pem' }));
  return paths;
}
const keys = writeKeys();
const stranger = join(dir, 'stranger-key.pem');
writeFileSync(stranger, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));

// One server holds every kind of credential under tag 0 and asks clients for theirs without requiring it;
// the other has a raw public key only and requires one of clients.
let server: CliProcess;
let port: number;
let rpkServer: CliProcess;
let rpkPort: number;
beforeAll(async () => {
  [{ cli: server, port }, { cli: rpkServer, port: rpkPort }] = await Promise.all([
    startServer([
      '--psk', 'Client_identity:secretPSK', '--cert', CERT, '--key', CERT_KEY, '--rpk-key', RPK_KEY,
      '--ca', CERT, '--trust-rpk', keys.clientPub, '--request-client-auth', '--json',
    ]),
    startServer(['--rpk-key', CERT_KEY, '--trust-rpk', keys.clientPub, '--require-client-auth']),
  ]);
});
afterAll(async () => {
  for (const cli of [server, rpkServer]) cli?.child.kill('SIGINT');
  await Promise.all([server?.exited, rpkServer?.exited]);
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

const client = (toPort: () => number, args: readonly string[], input: string) =>
  runCli(['client', '--port', String(toPort()), '--linger', '200', ...args], input);
const serverPort = () => port;

/** The server's handshake-complete event for the client whose first echo had `bytes` bytes (each case sends a distinct length). */
async function serverViewOf(bytes: number): Promise<Record<string, unknown> | undefined> {
  const [, remotePort] = await server.waitForStderr(new RegExp(`"event":"echo","bytes":${bytes},"remote":\\{"address":"127\\.0\\.0\\.1","port":(\\d+)\\}`));
  return jsonLines(server.stderr()).find((e) => e.event === 'handshake-complete' && (e.remote as { port: number }).port === Number(remotePort));
}

describe.concurrent('rx-dtls client against an rx-dtls server holding a PSK, an X.509 certificate and a raw public key at once', () => {
  it.concurrent('X.509: the client checks the chain and the name, names the subject, and the server sees an unauthenticated client', async () => {
    const input = 'x509 one\n';
    const { code, stdout, stderr } = await client(serverPort, ['--ca', CERT, '--server-name', 'localhost'], input);
    expect(code, stderr).toBe(0);
    expect(stdout).toBe(input);
    expect(stderr).toMatch(/^handshake complete: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 with certificate CN=localhost$/m);
    expect(await serverViewOf(input.length)).toMatchObject({ cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', peer: { kind: 'anonymous' } });
  });

  it.concurrent('X.509 both ways: a client sending its certificate is named by its subject on the server', async () => {
    const input = 'mutual x509, a longer line\n';
    const { code, stderr } = await client(serverPort, ['--ca', CERT, '--cert', CERT, '--key', CERT_KEY, '--json', '--cipher', 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM'], input);
    expect(code, stderr).toBe(0);
    expect(jsonLines(stderr).find((e) => e.event === 'handshake-complete')).toMatchObject({ cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM', peer: { kind: 'x509', subject: 'CN=localhost' } });
    const view = await serverViewOf(input.length);
    expect(view).toMatchObject({ peer: { kind: 'x509', subject: 'CN=localhost' } });
    // The chain the client sent, as hex DER: the one certificate of the PEM file.
    const der = Buffer.from(readFileSync(CERT, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('hex');
    expect((view!.peer as { chain: string[] }).chain).toEqual([der]);
  });

  it.concurrent('exits 1 with the error when the certificate does not hold --server-name', async () => {
    const { code, stdout, stderr } = await client(serverPort, ['--ca', CERT, '--server-name', 'wrong.example'], 'never sent\n');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^alert sent: fatal bad_certificate$/m);
    expect(stderr).toMatch(/\nclosed: EHANDSHAKE [^\n]*certificate is not for wrong\.example\n$/);
  });

  it.concurrent('raw public keys both ways: each side names the other by the SHA-256 fingerprint of its key', async () => {
    const input = 'raw keys, mutual, yet longer line\n';
    const { code, stdout, stderr } = await client(serverPort, ['--trust-rpk', RPK_PUB, '--rpk-key', keys.clientKey, '--groups', 'secp256r1'], input);
    expect(code, stderr).toBe(0);
    expect(stdout).toBe(input);
    // The server sends its raw key, not its certificate, to a client that takes raw keys only (RFC 7250 §4.2).
    expect(stderr).toMatch(new RegExp(`^handshake complete: TLS_ECDHE_ECDSA_\\w+ with raw public key SHA-256 ${fingerprintOf(readFileSync(RPK_PUB, 'utf8'))}$`, 'm'));
    expect(await serverViewOf(input.length)).toMatchObject({ peer: { kind: 'raw-public-key', fingerprint: fingerprintOf(readFileSync(keys.clientPub, 'utf8')) } });
  });

  it.concurrent('PSK still: the same server names a PSK client by its identity', async () => {
    const input = 'psk client and its rather long line\n';
    const { code, stderr } = await client(serverPort, ['--psk', 'Client_identity:secretPSK'], input);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/^handshake complete: TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 with psk identity Client_identity$/m);
    expect(await serverViewOf(input.length)).toMatchObject({ peer: { kind: 'psk', identity: 'Client_identity' } });
  });

  it.concurrent('a client key the server does not trust ends the handshake with bad_certificate even when authentication is only requested', async () => {
    const { code, stderr } = await client(serverPort, ['--trust-rpk', RPK_PUB, '--rpk-key', stranger, '--json'], 'never sent\n');
    expect(code).toBe(1);
    expect(jsonLines(stderr).at(-1)).toMatchObject({ event: 'closed', error: { code: 'EALERT', alert: { level: 'fatal', name: 'bad_certificate' } } });
  });
});

describe.concurrent('rx-dtls server --require-client-auth with raw public keys', () => {
  it.concurrent('admits the client whose key it trusts, and the client checks the server key it pinned', async () => {
    const input = 'pinned both ways\n';
    const { code, stdout, stderr } = await client(() => rpkPort, ['--trust-rpk', keys.certPub, '--rpk-key', keys.clientKey, '--cipher', 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'], input);
    expect(code, stderr).toBe(0);
    expect(stdout).toBe(input);
    expect(stderr).toMatch(new RegExp(`^handshake complete: TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 with raw public key SHA-256 ${fingerprintOf(readFileSync(keys.certPub, 'utf8'))}$`, 'm'));
    await rpkServer.waitForStderr(new RegExp(`handshake complete: TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 with raw public key SHA-256 ${fingerprintOf(readFileSync(keys.clientPub, 'utf8'))}\\n`));
  });

  it.concurrent('refuses a client with no key of its own: the client exits 1 with the alert', async () => {
    const { code, stdout, stderr } = await client(() => rpkPort, ['--trust-rpk', keys.certPub], 'never sent\n');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    // Refused at its ClientHello, which offers no raw key (RFC 7250 §4.1), or after an empty Certificate (RFC 5246 §7.4.6).
    expect(stderr).toMatch(/\nclosed: EALERT [^\n]*fatal alert (unsupported_certificate|handshake_failure)\n$/);
    expect(stderr).not.toMatch(/handshake complete/);
  });

  it.concurrent('the client refuses a server whose raw key it did not pin', async () => {
    const { code, stderr } = await client(() => rpkPort, ['--trust-rpk', RPK_PUB, '--rpk-key', keys.clientKey], 'never sent\n');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^alert sent: fatal bad_certificate$/m);
    expect(stderr).toMatch(/\nclosed: EHANDSHAKE [^\n]*raw public key not trusted\n$/);
  });
});
