import { config } from '../config.js';
import type { Suite } from '../fixtures.js';
import type { RunningServer, Target } from '../peers/peer.js';
import type { ServerPool } from '../peers/server-pool.js';
import { cpuMs, peakRss, resetPeakRss } from '../proc.js';
import { spread, type Spread } from '../stats.js';
import type { Row } from './rows.js';

export interface HandshakeFigures {
  readonly perSecond: Spread;
  /** CPU ms per handshake over the measured runs, server side (all its processes) and client side (when in this process). */
  readonly serverCpuMs: number;
  readonly clientCpuMs?: number;
  /** Peak RSS over warm-up and runs: the largest server process, and this process when the client runs in it. */
  readonly serverPeakRss: number;
  readonly clientPeakRss?: number;
  readonly errors: number;
}

/**
 * Full handshakes per second for one row and suite, one client after another
 * (concurrency 1) or with several clients at once. A server that serves one client at a
 * time gets one process per concurrent client (each client talks to its own).
 */
export async function measureHandshakes(row: Row, suite: Suite, concurrency: number, pool: ServerPool): Promise<HandshakeFigures> {
  // Servers that serve one client at a time get one process per client, started for this measurement.
  const own: RunningServer[] = [];
  try {
    if (row.server.oneClientAtATime) own.push(...(await Promise.all(Array.from({ length: concurrency }, () => row.server.start(suite)))));
    const servers = row.server.oneClientAtATime ? own : [await pool.get(row.server, suite)];
    const targets = servers.map((s) => s.target);
    const pids = servers.flatMap((s) => s.pids);
    for (const pid of [...pids, process.pid]) resetPeakRss(pid);
    let errors = 0;
    const run = (seconds: number) => handshakeLoop(row, suite, targets, concurrency, seconds, () => errors++);
    await run(config.warmupSeconds);
    const serverCpu0 = pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
    const clientCpu0 = process.cpuUsage();
    const rates: number[] = [];
    let count = 0;
    for (let i = 0; i < config.runs; i++) {
      const result = await run(config.handshakeSeconds);
      rates.push(result.perSecond);
      count += result.count;
    }
    const serverCpu = pids.reduce((sum, pid) => sum + cpuMs(pid), 0) - serverCpu0;
    const clientCpu = process.cpuUsage(clientCpu0);
    await row.client.settle?.();
    return {
      perSecond: spread(rates),
      serverCpuMs: count > 0 ? serverCpu / count : Number.NaN,
      clientCpuMs: row.client.inProcess && count > 0 ? (clientCpu.user + clientCpu.system) / 1000 / count : undefined,
      serverPeakRss: Math.max(...pids.map(peakRss)),
      clientPeakRss: row.client.inProcess ? peakRss(process.pid) : undefined,
      errors,
    };
  } finally {
    await row.client.settle?.();
    await Promise.all(own.map((s) => s.stop()));
  }
}

async function handshakeLoop(
  row: Row,
  suite: Suite,
  targets: readonly Target[],
  concurrency: number,
  seconds: number,
  onError: () => void,
): Promise<{ count: number; perSecond: number }> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let count = 0;
  let failures = 0;
  const worker = async (target: Target): Promise<void> => {
    while (performance.now() < end) {
      try {
        await withTimeout(row.client.handshake(target, suite), HANDSHAKE_TIMEOUT_MS);
        count++;
      } catch {
        onError();
        if (++failures > 20) throw new Error(`${row.client.name} → ${row.server.name}: more than 20 failed handshakes`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(targets[i % targets.length])));
  return { count, perSecond: count / ((performance.now() - start) / 1000) };
}

/** A peer whose handshake hangs (werift has no timeout of its own) fails the attempt instead of the row. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no handshake in ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
