import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selfSignedP256 } from '../interop/helpers/throwaway-certs.js';
import { opensslFound } from './helpers/openssl-server.js';
import { jsonLines, killAll, ROOT, runCli, startServer } from './helpers/run-cli.js';

const required = process.env.DTLS_INTEROP === 'require';
const PEERS = join(ROOT, 'spec/fixtures/peers');
const dir = mkdtempSync(join(tmpdir(), 'rx-dtls-cli-sni-'));

afterAll(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

// openssl makes the second certificate (CN=alpha.example).
describe.skipIf(!opensslFound && !required)('rx-dtls server --sni and --alpn, with rx-dtls client --server-name and --alpn', () => {
  it('serves alpha.example its own certificate, agrees on coap, and refuses another name with unrecognized_name', async () => {
    const alpha = selfSignedP256('openssl', dir, 'alpha', '/CN=alpha.example', 'DNS:alpha.example');
    const { cli: server, port } = await startServer([
      '--cert', join(PEERS, 'ecdsa-p256-cert.pem'), '--key', join(PEERS, 'ecdsa-p256-key.pem'),
      '--sni', `alpha.example=${alpha.certificate},${alpha.privateKey}`, '--sni-refuse-unknown', '--alpn', 'coap', '--json',
    ]);
    const named = await runCli(['client', '--port', String(port), '--ca', alpha.certificate, '--server-name', 'alpha.example', '--alpn', 'coap', '--linger', '300', '--json'], 'by name\n');
    const other = await runCli(['client', '--port', String(port), '--ca', alpha.certificate, '--server-name', 'beta.example', '--json'], 'never\n');
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);

    expect(named.code, named.stderr).toBe(0);
    expect(named.stdout).toBe('by name\n');
    expect(jsonLines(named.stderr).find((e) => e.event === 'handshake-complete')).toMatchObject({ alpn: 'coap', peer: { kind: 'x509', subject: 'CN=alpha.example' } });
    expect(jsonLines(server.stderr()).find((e) => e.event === 'handshake-complete')).toMatchObject({ alpn: 'coap', serverName: 'alpha.example' });
    expect(other.code).toBe(1);
    expect(jsonLines(other.stderr)).toContainEqual(expect.objectContaining({ event: 'alert', direction: 'received', level: 'fatal', name: 'unrecognized_name' }));
  });
});
