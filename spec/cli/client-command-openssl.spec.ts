import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, killAll, runCli } from './helpers/run-cli.js';

const opensslFound = spawnSync('openssl', ['version']).status === 0;
const required = process.env.DTLS_INTEROP === 'require';
if (!opensslFound && !required) {
  console.warn('spec/cli/client-command-openssl.spec.ts skipped: openssl is not installed (DTLS_INTEROP=require makes this a failure)');
}

const dir = mkdtempSync(join(tmpdir(), 'rx-dtls-cli-openssl-'));
const servers = new Set<ChildProcess>();
afterAll(() => {
  killAll();
  for (const server of servers) server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A port free a moment ago: openssl cannot pick one and say which. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/**
 * openssl s_server has no DTLS echo mode; with -quiet its standard output is the
 * data it received and its standard input is sent, so both on one FIFO echo
 * (see PEERS.md). It serves one client per process, hence one server per case.
 */
async function startOpensslServer(): Promise<{ port: number; server: ChildProcess; stderr: () => string }> {
  // Each case fails on its own, so a report counts them as failed rather than skipped.
  if (!opensslFound) throw new Error('DTLS_INTEROP=require, but openssl is not installed');
  for (let attempt = 1; ; attempt++) {
    const port = await freeUdpPort();
    const fifo = join(dir, `echo-${port}`);
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const script =
      'exec openssl s_server -dtls1_2 -accept "127.0.0.1:$1" -listen -nocert -psk_identity Client_identity ' +
      '-psk 73656372657450534b -cipher PSK -quiet <>"$2" >"$2"';
    const server = spawn('sh', ['-c', script, 'sh', String(port), fifo], { stdio: ['ignore', 'ignore', 'pipe'] });
    servers.add(server);
    let stderr = '';
    server.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    // With -quiet it says nothing once bound; a port taken meanwhile ends it at once.
    const ended = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 300);
      server.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!ended) return { port, server, stderr: () => stderr };
    if (attempt === 3) throw new Error(`openssl s_server did not start:\n${stderr}`);
  }
}

describe.skipIf(!opensslFound && !required)('rx-dtls client against openssl s_server', () => {
  it.concurrent.each(['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_PSK_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256'])(
    'completes a %s handshake, gets its lines echoed and closes with close_notify',
    async (suite) => {
      const { port, server, stderr } = await startOpensslServer();
      const input = 'hello openssl\nsecond line\n';
      const client = await runCli(
        ['client', '--port', String(port), '--psk', 'Client_identity:hex:73656372657450534b', '--cipher', suite, '--linger', '500', '--json'],
        input,
      );
      server.kill('SIGTERM');
      const context = `client:\n${client.stderr}\nopenssl:\n${stderr()}`;
      expect(client.code, context).toBe(0);
      expect(client.stdout, context).toBe(input);
      const events = jsonLines(client.stderr);
      expect(events.find((e) => e.event === 'handshake-complete'), context).toMatchObject({
        cipherSuite: suite,
        peer: { kind: 'psk', identity: 'Client_identity' },
      });
      expect(events.at(-2), context).toMatchObject({ event: 'alert', direction: 'sent', name: 'close_notify' });
      expect(events.at(-1), context).toEqual({ event: 'closed' });
    },
  );
});
