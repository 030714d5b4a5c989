import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const opensslFound = spawnSync('openssl', ['version']).status === 0;

export interface OpensslServer {
  readonly port: number;
  readonly process: ChildProcess;
  stderr(): string;
}

const dir = mkdtempSync(join(tmpdir(), 'rx-dtls-cli-openssl-'));
const servers = new Set<ChildProcess>();

/** A port free a moment ago: openssl cannot pick one and say which. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/**
 * `openssl s_server -dtls1_2 -accept 127.0.0.1:PORT -listen -quiet ARGS...` as an
 * echo server. s_server has no DTLS echo mode; with -quiet its standard output is
 * the data it received and its standard input is sent, so both on one FIFO echo
 * (see PEERS.md). It serves one client per process: start one per case.
 */
export async function startOpensslServer(args: readonly string[]): Promise<OpensslServer> {
  // Each case fails on its own, so a report counts them as failed rather than skipped.
  if (!opensslFound) throw new Error('DTLS_INTEROP=require, but openssl is not installed');
  for (let attempt = 1; ; attempt++) {
    const port = await freeUdpPort();
    const fifo = join(dir, `echo-${port}`);
    const made = spawnSync('mkfifo', [fifo]);
    if (made.status !== 0) throw new Error(`mkfifo ${fifo} failed: ${made.stderr}`);
    const script = 'port=$1 fifo=$2; shift 2; exec openssl s_server -dtls1_2 -accept "127.0.0.1:$port" -listen -quiet "$@" <>"$fifo" >"$fifo"';
    const server = spawn('sh', ['-c', script, 'sh', String(port), fifo, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
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
    if (!ended) return { port, process: server, stderr: () => stderr };
    if (attempt === 3) throw new Error(`openssl s_server did not start:\n${stderr}`);
  }
}

/** For afterAll: ends every s_server still running and removes the FIFOs. */
export function stopOpensslServers(): void {
  for (const server of servers) server.kill('SIGKILL');
  servers.clear();
  rmSync(dir, { recursive: true, force: true });
}
