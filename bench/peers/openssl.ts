import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CERT_PATH, KEY_PATH, P256, PSK_HEX, PSK_IDENTITY, type Suite } from '../fixtures.js';
import { freeUdpPort } from '../proc.js';
import { sleep } from '../stats.js';
import type { ClientPeer, EchoChannel, ServerPeer, Target } from './peer.js';

export const opensslPresent = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;

/**
 * s_server reads its stdin from the echo FIFO, so it never sees an end of input: if the
 * bench stops early (an error, Ctrl-C) it would stay. Every one still running is ended
 * when this process exits.
 */
const servers = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of servers) child.kill('SIGTERM');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

/** s_server and s_client take the same suite and key options; P-256 is the only group offered. */
function suiteArgs(suite: Suite, role: 'server' | 'client'): string[] {
  if (suite.id === 'psk') {
    return [...(role === 'server' ? ['-nocert'] : []), '-psk_identity', PSK_IDENTITY, '-psk', PSK_HEX, '-cipher', suite.openssl];
  }
  const keys = role === 'server' ? ['-cert', CERT_PATH, '-key', KEY_PATH] : ['-CAfile', CERT_PATH, '-verify_return_error'];
  return [...keys, '-cipher', suite.openssl, '-groups', P256 === 23 ? 'P-256' : 'X25519'];
}

/**
 * openssl s_server -dtls1_2 as an echo server: with -quiet its stdout is exactly the
 * application data received and its stdin is sent, so both tied to one FIFO echo
 * (PEERS.md). Without -listen it still answers each first ClientHello with a
 * HelloVerifyRequest (a cookie exchange), and, unlike -listen in OpenSSL 3.0, it serves
 * one client after another on the same port. It serves one client at a time.
 */
export const opensslServer: ServerPeer = {
  name: 'openssl s_server',
  supports: () => opensslPresent,
  oneClientAtATime: true,
  // DTLS never splits one write into several records (it fails the write instead), so the
  // record size cannot be imposed with -max_send_frag: s_server and s_client send what they
  // read from their pipes in one record, which joins records when several are waiting.
  async start(suite) {
    for (let attempt = 0; ; attempt++) {
      const dir = mkdtempSync(join(tmpdir(), 'rx-dtls-bench-'));
      const fifo = join(dir, 'echo');
      spawnSync('mkfifo', [fifo]);
      const port = await freeUdpPort();
      const args = ['s_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, '-quiet', ...suiteArgs(suite, 'server')];
      const child = spawn('sh', ['-c', 'exec openssl "$@" <>"$0" >"$0"', fifo, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      servers.add(child);
      let exited = false;
      const exit = new Promise<void>((resolve) =>
        child.once('exit', () => {
          exited = true;
          servers.delete(child);
          resolve();
        }),
      );
      child.stderr!.resume();
      const stop = async (): Promise<void> => {
        child.kill('SIGTERM');
        await exit;
        rmSync(dir, { recursive: true, force: true });
      };
      if (await bound(port, () => exited)) return { target: { host: '127.0.0.1', port }, pids: [child.pid!], stop };
      await stop();
      if (attempt === 5) throw new Error('openssl s_server did not start');
    }
  },
};

/** Waits until something is bound to the UDP port (s_server -quiet says nothing when it is ready). */
async function bound(port: number, gone: () => boolean): Promise<boolean> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  for (let i = 0; i < 300 && !gone(); i++) {
    if (readFileSync('/proc/net/udp', 'utf8').includes(`0100007F${hex}`)) return true;
    await sleep(10);
  }
  return false;
}

/**
 * openssl s_client -dtls1_2, one process per connection. -brief prints CONNECTION
 * ESTABLISHED on stderr once the handshake is done and leaves stdout to application data.
 * At the end of its input s_client sends close_notify and then waits 500 ms for the peer
 * (apps/s_client.c, after SSL_shutdown): the handshake row counts the connection at
 * CONNECTION ESTABLISHED, closes its input and starts the next process without waiting.
 */
export function opensslClient(): ClientPeer {
  const lingering = new Set<Promise<void>>();
  const start = (target: Target, suite: Suite, recordSize?: number): Promise<ChildProcess> => {
    const child = spawn(
      'openssl',
      ['s_client', '-dtls1_2', '-connect', `${target.host}:${target.port}`, '-brief', ...suiteArgs(suite, 'client')],
      { stdio: ['pipe', recordSize === undefined ? 'ignore' : 'pipe', 'pipe'] },
    );
    const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    lingering.add(exit);
    void exit.then(() => lingering.delete(exit));
    return new Promise((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('s_client: no handshake within 10 s'));
      }, 10_000);
      child.stderr!.on('data', (chunk: Buffer) => {
        err += chunk.toString();
        if (err.includes('CONNECTION ESTABLISHED')) {
          clearTimeout(timer);
          resolve(child);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`s_client exited (${code}) before the handshake: ${err.trim().split('\n').pop()}`));
      });
    });
  };
  return {
    name: 'openssl s_client',
    inProcess: false,
    supports: () => opensslPresent,
    async handshake(target, suite) {
      const child = await start(target, suite);
      child.stdin!.end();
    },
    async open(target, suite, recordSize): Promise<EchoChannel> {
      const child = await start(target, suite, recordSize);
      return {
        send: (data) => void child.stdin!.write(data),
        onData: (listener) => void child.stdout!.on('data', (chunk: Buffer) => listener(chunk.length)),
        async close() {
          child.stdin!.end();
          await Promise.race([new Promise((r) => child.once('exit', r)), sleep(1000)]);
        },
      };
    },
    async settle() {
      await Promise.all(lingering);
    },
  };
}
