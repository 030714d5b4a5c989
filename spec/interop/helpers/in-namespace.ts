import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PSK_IDENTITY, PSK_KEY_HEX } from './psk.js';

/** The port gnutls-serv listens on inside its namespace: nothing else is there to take it. */
export const NAMESPACE_PORT = 5684;

export interface BesideGnutlsServ {
  /** The last line the child printed, parsed: what our client saw. */
  readonly seen: Record<string, unknown>;
  /** gnutls-serv's stdout and stderr. */
  readonly serverLog: string;
  /** The child's stderr, for failure messages. */
  readonly stderr: string;
}

const shellQuote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `gnutls-serv --udp -p NAMESPACE_PORT --pskpasswd <PSK_IDENTITY's file> <serverArgs>` and,
 * a second after, the node script `child` (helpers/<child>, under tsx, given the port and
 * `childArgs`) inside a network namespace of their own (`unshare -n`, as root) whose only
 * interface is its own loopback: gnutls-serv binds every address and cannot be told otherwise,
 * and nothing outside the namespace can reach it there. `dir` is a scratch directory.
 */
export function runBesideGnutlsServ(dir: string, serverArgs: readonly string[], child: string, childArgs: readonly string[] = []): BesideGnutlsServ {
  const psk = join(dir, 'psk.txt');
  const log = join(dir, 'gnutls-serv.log');
  writeFileSync(psk, `${PSK_IDENTITY}:${PSK_KEY_HEX}\n`);
  const server = ['gnutls-serv', '--udp', '-p', String(NAMESPACE_PORT), '--pskpasswd', psk, ...serverArgs].map(shellQuote).join(' ');
  const node = [process.execPath, '--import', 'tsx', join(import.meta.dirname, child), String(NAMESPACE_PORT), ...childArgs].map(shellQuote).join(' ');
  const script = ['ip link set lo up', `${server} > ${shellQuote(log)} 2>&1 & server=$!`, 'sleep 1', node, 'kill $server 2>/dev/null; wait'].join('\n');
  const run = spawnSync('unshare', ['-n', 'sh', '-c', script], { encoding: 'utf8', timeout: 60_000 });
  return { seen: JSON.parse(run.stdout.trim().split('\n').at(-1) || '{}'), serverLog: readFileSync(log, 'utf8'), stderr: run.stderr };
}
