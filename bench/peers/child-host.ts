import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunningServer } from './peer.js';

/**
 * Starts a Node server in its own process (bench/peers/*-host.ts), so its CPU time and
 * peak RSS are its own and it gets a core, as an openssl s_server does. The host prints
 * one JSON line {"port": n} when it listens, and exits when its stdin closes.
 */
export async function startHost(script: string, args: readonly string[]): Promise<RunningServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited (${code}) before listening`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    target: { host: '127.0.0.1', port },
    pids: [child.pid!],
    async stop() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** What a host does: listen, say where, and go when told (stdin closes). */
export function announce(port: number, stop: () => void): void {
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.stdin.on('end', () => {
    stop();
    setTimeout(() => process.exit(0), 100).unref();
  });
  process.stdin.resume();
}
