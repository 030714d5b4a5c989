import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PeerProcess } from './peer-process.js';
import { waitUntilBound } from './udp-port.js';

const ROOT = join(import.meta.dirname, '../../..');
/** The deployment's config: what the spec runs is this file with its ports replaced, nothing else. */
export const NGINX_CONFIG = join(ROOT, 'examples/nginx/nginx.conf');
const ECHO_NODE = join(ROOT, 'examples/nginx/echo-node.ts');
/** The ports written in NGINX_CONFIG: where nginx listens, then the three nodes. */
const CONFIG_LISTEN_PORT = 5684;
const CONFIG_NODE_PORTS = [5701, 5702, 5703] as const;

/**
 * NGINX_CONFIG with `127.0.0.1:<port>` of the listener and of each node replaced by the
 * ports given. Throws if one of them is not in the file, so the file and the spec cannot drift apart.
 */
export function nginxConfigFor(listenPort: number, nodePorts: readonly number[]): string {
  let config = readFileSync(NGINX_CONFIG, 'utf8');
  const replacements: Array<[number, number]> = [[CONFIG_LISTEN_PORT, listenPort], ...CONFIG_NODE_PORTS.map((port, i): [number, number] => [port, nodePorts[i]])];
  for (const [from, to] of replacements) {
    const address = `127.0.0.1:${from}`;
    if (!config.includes(address)) throw new Error(`${NGINX_CONFIG} has no ${address}`);
    config = config.replaceAll(`${address} `, `127.0.0.1:${to} `).replaceAll(`${address};`, `127.0.0.1:${to};`);
  }
  return config;
}

/**
 * nginx in the foreground with NGINX_CONFIG (ports replaced) under `dir`, which holds its
 * pid file and logs (`dir`/logs/error.log); resolves once its master process has bound the listener.
 */
export async function startNginx(bin: string, dir: string, listenPort: number, nodePorts: readonly number[]): Promise<PeerProcess> {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const config = join(dir, 'nginx.conf');
  writeFileSync(config, nginxConfigFor(listenPort, nodePorts));
  const nginx = PeerProcess.start(bin, ['-p', `${dir}/`, '-e', 'logs/error.log', '-c', config, '-g', 'daemon off;'], 'nginx');
  await waitUntilBound(nginx.pid, listenPort, () => nginx.running, 10_000).catch((error: Error) => {
    throw new Error(`${error.message}\n${nginx.describe()}\n${readFileSync(join(dir, 'logs/error.log'), 'utf8')}`);
  });
  return nginx;
}

/** Writes a fresh 32-byte master secret, in hex, to a file only its owner may read; returns its path. */
export function writeMasterSecret(dir: string): string {
  const file = join(dir, 'master-secret');
  writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return file;
}

/** examples/nginx/echo-node.ts as its own Node process (one process: SIGKILL ends it, nothing in between); resolves once it listens. */
export async function startEchoNode(name: string, port: number, masterSecretFile: string): Promise<PeerProcess> {
  const node = PeerProcess.start(process.execPath, ['--import', 'tsx', ECHO_NODE, '--name', name, '--port', String(port), '--master-secret', masterSecretFile], `node ${name}`);
  await node.waitForStdout('"listening"', 20_000);
  return node;
}

/** How many handshakes of each kind a node printed ({"handshake":"full"|"resumed"} lines). */
export function handshakesOf(node: PeerProcess): { full: number; resumed: number } {
  const lines = node.stdout.split('\n').filter((line) => line.startsWith('{"handshake"'));
  const resumed = lines.filter((line) => line.includes('"resumed"')).length;
  return { full: lines.length - resumed, resumed };
}
