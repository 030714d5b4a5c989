import { createSocket } from 'node:dgram';
import { readFile, readlink, readdir } from 'node:fs/promises';
import type { PeerProcess } from './peer-process.js';

/**
 * A UDP port on 127.0.0.1 that was free a moment ago: the kernel picks it, we
 * release it. Another process may take it before the peer binds it, so callers
 * retry on "Address already in use".
 */
export function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** Socket inodes bound to 127.0.0.1:port or *:port, from /proc/net/udp (Linux). */
async function inodesBoundTo(port: number): Promise<Set<string>> {
  const table = await readFile('/proc/net/udp', 'utf8');
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    if (local === `0100007F:${hexPort}` || local === `00000000:${hexPort}`) inodes.add(cols[9]);
  }
  return inodes;
}

/** Whether process `pid` holds one of these socket inodes. */
async function holdsSocket(pid: number, inodes: Set<string>): Promise<boolean> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode && inodes.has(inode)) return true;
  }
  return false;
}

/**
 * Resolves once process `pid` itself has bound UDP `port` (not merely someone
 * else holding it), so a spec never sends to a peer that is not listening yet.
 * Rejects when `stillRunning()` turns false or after `timeoutMs`. Without
 * /proc (not Linux) it falls back to a fixed pause.
 */
export async function waitUntilBound(pid: number, port: number, stillRunning: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const hasProc = await readFile('/proc/net/udp', 'utf8').then(
    () => true,
    () => false,
  );
  if (!hasProc) {
    await new Promise((r) => setTimeout(r, 500));
    if (!stillRunning()) throw new Error(`process ${pid} exited before binding UDP port ${port}`);
    return;
  }
  while (Date.now() < deadline) {
    if (!stillRunning()) throw new Error(`process ${pid} exited before binding UDP port ${port}`);
    if (await holdsSocket(pid, await inodesBoundTo(port))) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`process ${pid} did not bind UDP port ${port} within ${timeoutMs} ms`);
}

/**
 * Starts a peer on a port that was free a moment ago and resolves once the peer itself
 * has bound it. Another process may take the port in between: when `portTaken(peer)`
 * says that is why the peer failed, it is stopped and started again on another port.
 */
export async function startOnFreePort(
  label: string,
  start: (port: number) => PeerProcess,
  portTaken: (peer: PeerProcess) => boolean = () => true,
): Promise<{ peer: PeerProcess; port: number }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeUdpPort();
    const peer = start(port);
    try {
      await waitUntilBound(peer.pid, port, () => peer.running);
      return { peer, port };
    } catch (error) {
      lastError = error;
      await peer.stop();
      if (!portTaken(peer)) throw new Error(`${String(error)}\n${peer.describe()}`);
    }
  }
  throw new Error(`${label} found no free port after 5 attempts: ${String(lastError)}`);
}
