import { spawn, spawnSync } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, killAll, ROOT, startServer, type CliProcess } from './helpers/run-cli.js';

const gnutlsFound = spawnSync('gnutls-cli', ['--version']).status === 0;
const required = process.env.DTLS_INTEROP === 'require';
if (!gnutlsFound && !required) {
  console.warn('spec/cli/server-command-gnutls.spec.ts skipped: gnutls-cli is not installed (DTLS_INTEROP=require makes this a failure)');
}

const PEERS = join(ROOT, 'spec/fixtures/peers');
const CERT = join(PEERS, 'ecdsa-p256-cert.pem');
const CERT_KEY = join(PEERS, 'ecdsa-p256-key.pem');
const RPK_KEY = join(PEERS, 'rpk-p256-key.pem');
const RPK_PUB = join(PEERS, 'rpk-p256-pub.pem');
const DTLS12_ECDSA = 'NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+ECDHE-ECDSA:-CIPHER-ALL';
const RAW_KEYS_ONLY = '+CTYPE-SRV-RAWPK:+CTYPE-CLI-RAWPK:-CTYPE-SRV-X509:-CTYPE-CLI-X509';

const dir = mkdtempSync(join(tmpdir(), 'rx-dtls-cli-gnutls-'));
const gnutlsChildren = new Set<ReturnType<typeof spawn>>();
afterAll(() => {
  for (const child of gnutlsChildren) child.kill('SIGKILL');
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

const spkiPem = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString().trim();
const fingerprintOf = (pem: string) => createHash('sha256').update(createPublicKey(pem).export({ type: 'spki', format: 'der' })).digest('hex');

/**
 * `gnutls-cli --udp` against our server on 127.0.0.1: it sends each line of its
 * standard input and prints what comes back; at the end of input it sends
 * close_notify and exits. (gnutls-serv is never run: it cannot bind loopback only.)
 */
function gnutlsCli(port: number, args: readonly string[]) {
  if (!gnutlsFound) throw new Error('DTLS_INTEROP=require, but gnutls-cli is not installed');
  const child = spawn('gnutls-cli', ['--udp', '-p', String(port), ...args, '127.0.0.1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  gnutlsChildren.add(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (output += text));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    output: () => output,
    exited,
    /** Sends `line`, waits for it to come back after the handshake, then ends the input. */
    async echo(line: string, timeoutMs = 8000): Promise<void> {
      child.stdin!.write(line);
      const deadline = Date.now() + timeoutMs;
      // Printed as it came, or as "- Received[n]: ..." with -V.
      const marker = '- Simple Client Mode:';
      while (!output.includes(marker) || !output.slice(output.indexOf(marker)).includes(line.trim())) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no echo of ${JSON.stringify(line)} from gnutls-cli:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      child.stdin!.end();
    },
  };
}

async function stop(server: CliProcess): Promise<string> {
  server.child.kill('SIGINT');
  expect(await server.exited).toBe(0);
  return server.stderr();
}

describe.skipIf(!gnutlsFound && !required)('gnutls-cli against rx-dtls server', () => {
  it.concurrent('raw public keys both ways under --require-client-auth: the server names gnutls-cli by its key fingerprint', async () => {
    const { cli: server, port } = await startServer(['--rpk-key', CERT_KEY, '--trust-rpk', RPK_PUB, '--require-client-auth', '--json']);
    const client = gnutlsCli(port, [
      '-V', '--insecure', '--rawpkfile', RPK_PUB, '--rawpkkeyfile', RPK_KEY,
      '--priority', `${DTLS12_ECDSA}:+AES-128-CCM-8:${RAW_KEYS_ONLY}`,
    ]);
    await client.echo('hello from gnutls\n');
    expect(await client.exited, client.output()).toBe(0);
    const output = client.output();
    expect(output).toContain('- Description: (DTLS1.2-Raw Public Key)-(ECDHE-X25519)-(ECDSA-SHA256)-(AES-128-CCM-8)');
    expect(output).toContain('- Successfully sent 1 certificate(s) to server.');
    expect(output).toContain('- Peer has closed the GnuTLS connection');
    // gnutls-cli cannot pin a raw key itself (--insecure): the key it printed must be our --rpk-key's.
    expect(output.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g)).toEqual([spkiPem(readFileSync(CERT_KEY, 'utf8'))]);

    const events = jsonLines(await stop(server));
    expect(events.find((e) => e.event === 'handshake-complete')).toMatchObject({
      cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8',
      peer: { kind: 'raw-public-key', fingerprint: fingerprintOf(readFileSync(RPK_PUB, 'utf8')) },
    });
    expect(events.filter((e) => e.event === 'echo').map((e) => e.bytes)).toEqual(['hello from gnutls\n'.length]);
    expect(events).toContainEqual(expect.objectContaining({ event: 'alert', direction: 'received', name: 'close_notify' }));
  });

  it.concurrent('refuses a gnutls-cli raw key it was not given with --trust-rpk: bad_certificate, and no data echoed', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const strangerKey = join(dir, 'stranger-key.pem');
    const strangerPub = join(dir, 'stranger-pub.pem');
    writeFileSync(strangerKey, stranger.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(strangerPub, stranger.publicKey.export({ type: 'spki', format: 'pem' }));
    const { cli: server, port } = await startServer(['--rpk-key', CERT_KEY, '--trust-rpk', RPK_PUB, '--require-client-auth']);
    const client = gnutlsCli(port, ['--insecure', '--rawpkfile', strangerPub, '--rawpkkeyfile', strangerKey, '--priority', `${DTLS12_ECDSA}:+AES-128-CCM-8:${RAW_KEYS_ONLY}`]);
    expect(await client.exited).not.toBe(0);
    expect(client.output()).toContain('Received alert [42]');
    const log = await stop(server);
    expect(log).toMatch(/\] alert sent: fatal bad_certificate\n/);
    expect(log).toMatch(/\] closed: EHANDSHAKE [^\n]*raw public key not trusted\n/);
    expect(log).not.toMatch(/echoed/);
  });

  it.concurrent('X.509: gnutls-cli trusts our --cert for 127.0.0.1 and the server line names an unauthenticated client', async () => {
    const { cli: server, port } = await startServer(['--cert', CERT, '--key', CERT_KEY, '--psk', 'Client_identity:secretPSK']);
    const client = gnutlsCli(port, ['--x509cafile', CERT, '--priority', `${DTLS12_ECDSA}:+AES-128-GCM`]);
    await client.echo('x509 from gnutls\n');
    expect(await client.exited, client.output()).toBe(0);
    expect(client.output()).toContain('- Status: The certificate is trusted.');
    expect(await stop(server)).toMatch(/\] handshake complete: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 with an unauthenticated peer\n/);
  });
});
