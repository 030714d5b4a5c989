// One UDP port served by worker threads (issue 16, part 1), on loopback with real workers:
// a fleet of our clients spread over them with echo, a client whose NAT rebinds reaching its
// worker by the CID's prefix, a worker that crashes replaced while the others serve on, and
// the primary's events and counters. Real time: nothing here asserts a timing.
import { afterEach, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { listenCluster, MAX_DATAGRAMS_QUEUED_PER_WORKER, type ClusterEvent, type DtlsCluster } from '../../lib/cluster/cluster-server.js';
import { connect } from '../../lib/endpoint/client.js';
import type { Session } from '../../lib/endpoint/session.js';
import { credentials, utf8 } from '../../lib/credentials/credential-store.js';
import { firstValueFrom, filter, toArray } from 'rxjs';
import { UdpNat } from './helpers/udp-nat.js';

const TS_WORKER = new URL('./helpers/ts-worker.mjs', import.meta.url);
const ECHO_WORKER = new URL('./helpers/echo-worker.ts', import.meta.url).pathname;
const store = credentials().psk({ tag: 0, identity: 'Client_identity', key: 'secretPSK' });

let cluster: DtlsCluster | undefined;
const sessions: Session[] = [];
afterEach(async () => {
  for (const session of sessions.splice(0)) void session.close();
  await cluster?.close();
  cluster = undefined;
});

async function start(workers: number): Promise<{ cluster: DtlsCluster; events: ClusterEvent[] }> {
  cluster = await listenCluster({ worker: TS_WORKER, workers, port: 0, workerOptions: { module: ECHO_WORKER } });
  const events: ClusterEvent[] = [];
  cluster.events$.subscribe((e) => events.push(e));
  return { cluster, events };
}

async function client(port: number, options: Partial<Parameters<typeof connect>[0]> = {}): Promise<Session> {
  const session = await connect({ host: '127.0.0.1', port, credentials: store, keyLog: undefined, ...options });
  sessions.push(session);
  return session;
}

/** Sends `text` and resolves with the echo: "<worker index>:<text>". */
async function echo(session: Session, text: string): Promise<string> {
  const reply = firstValueFrom(session.data$);
  session.send(utf8(text));
  return new TextDecoder().decode(await reply);
}

const workerOf = (reply: string) => Number(reply.slice(0, reply.indexOf(':')));

describe('listenCluster: one UDP port, several worker threads', () => {
  it('spreads a fleet of clients over the workers; every record of a client reaches the one worker that owns it; the primary counts them all', async () => {
    const { cluster, events } = await start(2);
    const { port } = cluster.address();
    const fleet = await Promise.all(Array.from({ length: 16 }, () => client(port)));
    const owners: number[] = [];
    for (const [n, session] of fleet.entries()) {
      const replies = [await echo(session, `a${n}`), await echo(session, `b${n}`), await echo(session, `c${n}`)];
      const owner = workerOf(replies[0]);
      expect(replies).toEqual([`${owner}:a${n}`, `${owner}:b${n}`, `${owner}:c${n}`]);
      owners.push(owner);
    }
    // Both workers serve (all 16 on one would happen once in 32,768 runs).
    expect(new Set(owners)).toEqual(new Set([0, 1]));
    const started = events.filter((e) => e.type === 'session-start');
    expect(started).toHaveLength(16);
    expect(cluster.stats.sessions).toEqual([owners.filter((o) => o === 0).length, owners.filter((o) => o === 1).length]);
    expect(cluster.stats.dropped).toBe(0);
  });

  it.each(['1.2', '1.3'] as const)('a DTLS %s client whose NAT rebinds keeps its session: the CID names its worker, wherever it comes from', async (version) => {
    const { cluster, events } = await start(2);
    const nat = await UdpNat.start(cluster.address());
    try {
      const session = await client(nat.inside().port, { connectionId: 'offer', versions: [version] });
      expect(session.info?.version ?? '1.2').toBe(version);
      const owner = workerOf(await echo(session, 'before'));
      expect(session.info?.connectionId?.send?.[0]).toBe(owner);
      // Eight new outside ports: one hashes to the other worker in all but 1 run in 256, and then only the CID finds the session.
      for (let i = 0; i < 8; i++) {
        await nat.rebind();
        expect(await echo(session, `after ${i}`)).toBe(`${owner}:after ${i}`);
      }
      expect(events.filter((e) => e.type === 'session-start')).toHaveLength(1);
      expect(cluster.stats.sessions[owner]).toBe(1);
    } finally {
      nat.close();
    }
  });

  it('replaces a worker that crashes: its sessions are lost, the other worker serves on, and newcomers are served by the new one', async () => {
    const { cluster, events } = await start(2);
    const { port } = cluster.address();
    const fleet = await Promise.all(Array.from({ length: 10 }, () => client(port)));
    const owners = await Promise.all(fleet.map(async (s, n) => workerOf(await echo(s, `hi ${n}`))));
    const victim = owners[0];
    const survivors = fleet.filter((_, n) => owners[n] !== victim);
    const replaced = firstValueFrom(cluster.events$.pipe(filter((e) => e.type === 'worker-ready' && e.worker === victim)));
    fleet[0].send(utf8('crash'));
    await replaced;
    const exit = events.find((e) => e.type === 'worker-exit');
    expect(exit).toMatchObject({ worker: victim, error: { code: 'EIO', message: expect.stringContaining(`worker ${victim} crashed on request`) } });
    expect(cluster.stats.restarts).toBe(1);
    expect(cluster.stats.sessions[victim]).toBe(0);
    for (const session of survivors) expect(workerOf(await echo(session, 'still here'))).toBe(1 - victim);
    // New clients land on both workers again, the new one included.
    const newcomers = await Promise.all(Array.from({ length: 12 }, () => client(port)));
    const newOwners = await Promise.all(newcomers.map(async (s) => workerOf(await echo(s, 'new'))));
    expect(new Set(newOwners)).toEqual(new Set([0, 1]));
  });

  it('queues at most MAX_DATAGRAMS_QUEUED_PER_WORKER datagrams to a worker that takes none, and drops the rest', async () => {
    const { cluster } = await start(1);
    const session = await client(cluster.address().port);
    await echo(session, 'stall');
    const before = cluster.stats.datagrams[0];
    // A flood while the worker is busy: 6,000 datagrams from one port, paced so the kernel keeps them.
    const flood = createSocket('udp4');
    // (Five seconds of stall leave the flood time to finish on a loaded machine.)
    await new Promise<void>((resolve) => flood.bind(0, '127.0.0.1', resolve));
    for (let i = 0; i < 6_000; i++) {
      flood.send(new Uint8Array(40).fill(i), cluster.address().port, '127.0.0.1');
      if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    flood.close();
    expect(cluster.stats.datagrams[0] - before).toBeLessThanOrEqual(MAX_DATAGRAMS_QUEUED_PER_WORKER);
    expect(cluster.stats.dropped).toBeGreaterThan(0);
  });

  it('closes cleanly: every client hears close_notify, the workers end, and events$ completes', async () => {
    const { cluster } = await start(2);
    const fleet = await Promise.all(Array.from({ length: 4 }, () => client(cluster.address().port)));
    const ended = fleet.map((s) => firstValueFrom(s.state$.pipe(filter((state) => state === 'closed'))));
    const completed = firstValueFrom(cluster.events$.pipe(toArray()));
    await cluster.close();
    await Promise.all(ended);
    for (const session of fleet) expect(session.error).toBeUndefined();
    await completed;
  });

  it('fails listenCluster with EIO when a worker cannot start', async () => {
    const failing = listenCluster({ worker: TS_WORKER, workers: 2, port: 0, workerOptions: { module: '/nonexistent/worker.ts' } });
    await expect(failing).rejects.toMatchObject({ code: 'EIO' });
  });

  it('refuses a worker count it cannot route by a CID byte', async () => {
    await expect(listenCluster({ worker: TS_WORKER, workers: 257, port: 0 })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(listenCluster({ worker: TS_WORKER, workers: 0, port: 0 })).rejects.toMatchObject({ code: 'EINVAL' });
  });
});

