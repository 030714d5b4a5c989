import { loadavg } from 'node:os';
import { percentile } from '../network/percentile.js';
import type { LoadServer, ServerStats } from './load-server.js';
import { udpDrops } from './udp-drops.js';

/** "p50 / p95 / max" of times in ms, as seconds. */
export function timesText(times: readonly number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const s = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);
  return `${s(percentile(sorted, 50))} / ${s(percentile(sorted, 95))} / ${s(sorted[sorted.length - 1])}`;
}

/** "p50 / p95 / max" of short times in ms. */
export function msText(times: readonly number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const s = (ms: number | undefined) => (ms === undefined ? '-' : `${ms.toFixed(1)} ms`);
  return `${s(percentile(sorted, 50))} / ${s(percentile(sorted, 95))} / ${s(sorted[sorted.length - 1])}`;
}

/** The 1, 5 and 15 minute load averages: the machine is shared, so every figure says how busy it was. */
export function loadText(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/** The server's side of a scenario: CPU, peak RSS, event-loop delay, datagrams its socket dropped, its buffers. */
export async function serverLines(server: LoadServer, cpuBefore: number): Promise<string[]> {
  const stats: ServerStats = await server.stats();
  const info = server.info as { socketBuffers?: { recvBufferSize: number } } | undefined;
  return [
    `server: CPU ${((server.cpuMs() - cpuBefore) / 1000).toFixed(1)} s, peak RSS ${(server.peakRss() / 2 ** 20).toFixed(0)} MiB, ` +
      `event-loop delay p50 ${stats.lagP50} ms / p99 ${stats.lagP99} ms / max ${stats.lagMax} ms, ` +
      `datagrams dropped by its socket ${udpDrops(server.target.port)}, receive buffer ${info?.socketBuffers?.recvBufferSize ?? "the kernel's default (no info)"}`,
    `load average ${loadText()}`,
  ];
}
