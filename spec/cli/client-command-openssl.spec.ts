import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { opensslFound, startOpensslServer, stopOpensslServers } from './helpers/openssl-server.js';
import { jsonLines, killAll, ROOT, runCli } from './helpers/run-cli.js';

const required = process.env.DTLS_INTEROP === 'require';
if (!opensslFound && !required) {
  console.warn('spec/cli/client-command-openssl.spec.ts skipped: openssl is not installed (DTLS_INTEROP=require makes this a failure)');
}

const PEERS = join(ROOT, 'spec/fixtures/peers');
const CERT = join(PEERS, 'ecdsa-p256-cert.pem'); // self-signed CN=localhost, SAN 127.0.0.1
const CERT_KEY = join(PEERS, 'ecdsa-p256-key.pem');
const PSK_SERVER = ['-nocert', '-psk_identity', 'Client_identity', '-psk', '73656372657450534b', '-cipher', 'PSK'];
const CERT_SERVER = ['-cert', CERT, '-key', CERT_KEY];

afterAll(() => {
  killAll();
  stopOpensslServers();
});

/** Runs our client against a fresh s_server with `serverArgs`, echoing `input`; checks the echo and the close_notify ending. */
async function echoThroughOpenssl(serverArgs: readonly string[], clientArgs: readonly string[], input: string) {
  const { port, process: server, stderr } = await startOpensslServer(serverArgs);
  const client = await runCli(['client', '--port', String(port), '--linger', '500', '--json', ...clientArgs], input);
  server.kill('SIGTERM');
  const context = `client:\n${client.stderr}\nopenssl:\n${stderr()}`;
  expect(client.code, context).toBe(0);
  expect(client.stdout, context).toBe(input);
  const events = jsonLines(client.stderr);
  expect(events.at(-2), context).toMatchObject({ event: 'alert', direction: 'sent', name: 'close_notify' });
  expect(events.at(-1), context).toEqual({ event: 'closed' });
  return { complete: events.find((e) => e.event === 'handshake-complete'), context, opensslStderr: stderr() };
}

describe.skipIf(!opensslFound && !required)('rx-dtls client against openssl s_server', () => {
  it.concurrent.each(['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_PSK_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256'])(
    'completes a %s handshake, gets its lines echoed and closes with close_notify',
    async (suite) => {
      const { complete, context } = await echoThroughOpenssl(
        PSK_SERVER,
        ['--psk', 'Client_identity:hex:73656372657450534b', '--cipher', suite],
        'hello openssl\nsecond line\n',
      );
      expect(complete, context).toMatchObject({ cipherSuite: suite, peer: { kind: 'psk', identity: 'Client_identity' } });
    },
  );

  it.concurrent('--alpn coap and --max-fragment-length 512: both agreed with s_server -alpn coap, and a 600-byte line goes out in two records', async () => {
    const line = `${'x'.repeat(599)}\n`;
    const { complete, context } = await echoThroughOpenssl(
      [...PSK_SERVER, '-alpn', 'coap'],
      ['--psk', 'Client_identity:hex:73656372657450534b', '--cipher', 'TLS_PSK_WITH_AES_128_CCM_8', '--alpn', 'coap', '--max-fragment-length', '512'],
      line,
    );
    expect(complete, context).toMatchObject({ alpn: 'coap', peerRecordSizeLimit: 512 });
  });

  it.concurrent('X.509: ECDHE-ECDSA-AES128-CCM8 with the server chain checked against --ca for 127.0.0.1', async () => {
    const { complete, context } = await echoThroughOpenssl(
      [...CERT_SERVER, '-cipher', 'ECDHE-ECDSA-AES128-CCM8'],
      ['--ca', CERT],
      'hello certificate\n',
    );
    expect(complete, context).toMatchObject({ cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', peer: { kind: 'x509', subject: 'CN=localhost' } });
  });

  it.concurrent('X.509: GCM over secp256r1 only (--groups secp256r1 against -groups P-256)', async () => {
    const { complete, context } = await echoThroughOpenssl(
      [...CERT_SERVER, '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256', '-groups', 'P-256'],
      ['--ca', CERT, '--server-name', 'localhost', '--groups', 'secp256r1'],
      'over P-256\n',
    );
    expect(complete, context).toMatchObject({ cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', peer: { kind: 'x509', subject: 'CN=localhost' } });
  });

  it.concurrent('X.509 both ways: s_server -Verify checks the certificate our client sends with --cert and --key', async () => {
    const { complete, context, opensslStderr } = await echoThroughOpenssl(
      [...CERT_SERVER, '-cipher', 'ECDHE-ECDSA-AES128-CCM8', '-Verify', '1', '-CAfile', CERT, '-verify_return_error'],
      ['--ca', CERT, '--cert', CERT, '--key', CERT_KEY],
      'client certificate sent\n',
    );
    expect(complete, context).toMatchObject({ cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8' });
    // s_server prints the chain it verified: our client's certificate.
    expect(opensslStderr, context).toMatch(/depth=0 CN = localhost\nverify return:1/);
  });

  it.concurrent('exits 1 when the certificate does not hold --server-name, with our alert and error', async () => {
    const { port, process: server, stderr } = await startOpensslServer([...CERT_SERVER, '-cipher', 'ECDHE-ECDSA-AES128-CCM8']);
    const client = await runCli(['client', '--port', String(port), '--ca', CERT, '--server-name', 'not-localhost.example'], 'never sent\n');
    server.kill('SIGTERM');
    const context = `client:\n${client.stderr}\nopenssl:\n${stderr()}`;
    expect(client.code, context).toBe(1);
    expect(client.stdout).toBe('');
    expect(client.stderr, context).toMatch(/\nalert sent: fatal bad_certificate\nclosed: EHANDSHAKE [^\n]*certificate is not for not-localhost\.example\n$/);
  });
});
