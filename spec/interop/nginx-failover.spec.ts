import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connect, utf8, type Session, type SessionResumption } from '../../lib/index.js';
import { percentile } from '../../bench/network/percentile.js';
import { handshakesOf, startEchoNode, startNginx, writeMasterSecret } from './helpers/nginx.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { stopAllPeers, type PeerProcess } from './helpers/peer-process.js';
import { pskStore } from './helpers/psk.js';
import { freeUdpPort } from './helpers/udp-port.js';

/**
 * Issue 16: several rx-dtls nodes behind nginx's UDP load balancer (examples/nginx), one of
 * them SIGKILLed mid-traffic. Real processes on real timers (nginx cannot run on virtual
 * time); the figures are printed, never asserted.
 */
const nginx = peerBinary('nginx');
const STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

const CLIENTS = 30;
const SEND_EVERY_MS = 100;
/**
 * A client's only way to notice its node died: nginx ends its session on the node's ICMP
 * unreachable and tells the client nothing, and the client's socket to nginx sees no
 * error. Heartbeats after 500 ms of silence; the session ends after 2 s without a record.
 */
const KEEPALIVE = { interval: 500, timeout: 2000 };
const FAST = { handshakeTimeout: 5000, retransmit: { initialTimeout: 250, maxTimeout: 1000 } } as const;
/** Long enough for every dead session to be noticed and resumed elsewhere, on a loaded machine. */
const RECOVERY_DEADLINE_MS = 20_000;

/** One client: its sessions in order, the numbered records it sent, and what came back. */
interface Client {
  readonly tag: string;
  sessions: Array<{ session: Session; node?: string; resumed: boolean; endedAt?: number; firstEchoAt?: number }>;
  sent: number;
  /** How many times each number came back. */
  readonly echoes: Map<number, number>;
  /** Answers that were not this client's records. */
  readonly foreign: string[];
  /** When its last record came back. */
  lastEchoAt?: number;
  reconnectFailures: number;
}

const now = () => performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(nginx.skip)('nginx (stream module, UDP) in front of three rx-dtls nodes sharing one master secret', () => {
  let bin: string;
  let dir: string;
  beforeEach(() => {
    bin = assertPeerPresent(nginx);
    if (!existsSync(STREAM_MODULE)) throw new Error(`${STREAM_MODULE} is missing: apt-get install libnginx-mod-stream`);
  });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rx-dtls-nginx-'));
  });
  afterEach(() => stopAllPeers());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a node SIGKILLed mid-traffic: its clients notice, come back through nginx on another node with a resumed handshake; no record twice or to another client', { timeout: 60_000 }, async () => {
    const secret = writeMasterSecret(dir);
    const [listenPort, ...nodePorts] = await Promise.all([freeUdpPort(), freeUdpPort(), freeUdpPort(), freeUdpPort()]);
    const names = ['a', 'b', 'c'];
    const nodes = new Map<string, PeerProcess>();
    await Promise.all(names.map(async (name, i) => nodes.set(name, await startEchoNode(name, nodePorts[i], secret))));
    await startNginx(bin, dir, listenPort, nodePorts);

    const store = pskStore();
    const options = { host: '127.0.0.1', port: listenPort, credentials: store, keepalive: KEEPALIVE, keyLog: undefined, ...FAST };
    let stopping = false;
    let killedAt = Number.POSITIVE_INFINITY;

    const attach = (client: Client, session: Session) => {
      const entry: Client['sessions'][number] = { session, resumed: session.info?.resumed ?? false };
      client.sessions.push(entry);
      session.data$.subscribe({
        next: (bytes) => {
          const text = new TextDecoder().decode(bytes);
          const [node, record] = text.split('|');
          const number = record?.startsWith(`${client.tag}:`) ? Number(record.slice(client.tag.length + 1)) : Number.NaN;
          if (!Number.isInteger(number)) return void client.foreign.push(text);
          entry.node ??= node;
          entry.firstEchoAt ??= now();
          client.lastEchoAt = now();
          client.echoes.set(number, (client.echoes.get(number) ?? 0) + 1);
        },
        error: () => undefined,
      });
      session.state$.subscribe({
        error: () => {
          entry.endedAt = now();
          void reconnect(client, entry.session.resumption);
        },
        complete: () => {
          entry.endedAt ??= now();
        },
      });
    };
    // The application's choice, as in examples/reconnect.ts: handshake again, offering the session it had.
    const reconnect = async (client: Client, resume: SessionResumption | undefined) => {
      while (!stopping) {
        try {
          return attach(client, await connect({ ...options, resume }));
        } catch {
          client.reconnectFailures++;
          await sleep(200);
        }
      }
    };

    const clients: Client[] = Array.from({ length: CLIENTS }, (_, i) => ({ tag: `c${i}`, sessions: [], sent: 0, echoes: new Map(), foreign: [], reconnectFailures: 0 }));
    await Promise.all(clients.map(async (client) => attach(client, await connect(options))));
    const sender = setInterval(() => {
      for (const client of clients) {
        const session = client.sessions.at(-1)?.session;
        if (session?.state === 'established') session.send(utf8(`${client.tag}:${client.sent++}`));
      }
    }, SEND_EVERY_MS);
    const nodeOf = (name: string) => clients.filter((c) => c.sessions[0].node === name);
    let victim = '';
    let orphans: Client[] = [];
    try {
      // Traffic until every client has been answered, so each knows its node.
      const served = () => clients.every((c) => c.sessions[0].node !== undefined);
      for (const deadline = now() + 10_000; !served() && now() < deadline; ) await sleep(50);
      expect(served()).toBe(true);
      await sleep(500);

      // The node with the most clients dies without a word.
      victim = [...names].sort((x, y) => nodeOf(y).length - nodeOf(x).length)[0];
      orphans = nodeOf(victim);
      nodes.get(victim)!.signal('SIGKILL');
      killedAt = now();

      const recovered = (c: Client) => c.sessions.length > 1 && c.sessions.at(-1)!.firstEchoAt !== undefined;
      for (const deadline = now() + RECOVERY_DEADLINE_MS; !orphans.every(recovered) && now() < deadline; ) await sleep(50);
      // Service again for everyone, then a little more traffic on the new sessions.
      await sleep(1000);
    } finally {
      clearInterval(sender);
    }
    await sleep(500);
    stopping = true;
    await Promise.all(clients.map((c) => c.sessions.at(-1)?.session.close()));

    // Every client was answered after the kill: the orphans by another node, on a resumed session.
    expect(orphans.length).toBeGreaterThan(0);
    for (const client of clients) {
      expect(client.lastEchoAt, `${client.tag} answered after the kill`).toBeGreaterThan(killedAt);
      expect(client.sessions.at(-1)!.node, `${client.tag} served by a live node`).not.toBe(victim);
    }
    const reconnections = clients.flatMap((c) => c.sessions.slice(1));
    for (const client of orphans) expect(client.sessions.length, `${client.tag} came back`).toBeGreaterThanOrEqual(2);
    // Consistent hashing moved only the dead node's clients: the others kept their sessions.
    for (const client of clients.filter((c) => !orphans.includes(c))) expect(client.sessions, `${client.tag} kept its session`).toHaveLength(1);
    // Resumed, not full: the surviving nodes opened the tickets the dead one sealed, with the ticket key each derived on its own.
    expect(reconnections.filter((s) => s.resumed)).toHaveLength(reconnections.length);
    const survivors = names.filter((name) => name !== victim).map((name) => handshakesOf(nodes.get(name)!));
    expect(survivors.reduce((sum, h) => sum + h.resumed, 0)).toBe(reconnections.length);
    // No record twice, none to another client.
    for (const client of clients) {
      expect(client.foreign, `${client.tag} got only its own records`).toEqual([]);
      expect([...client.echoes].filter(([, count]) => count > 1), `${client.tag} got no record twice`).toEqual([]);
    }

    // The figures.
    const lost = clients.flatMap((c) => c.sessions.filter((s) => s.endedAt !== undefined && s.endedAt > killedAt && s.session !== c.sessions.at(-1)!.session));
    const noticed = lost.map((s) => s.endedAt! - killedAt).sort((x, y) => x - y);
    const recovery = orphans.map((c) => c.sessions[1].firstEchoAt! - killedAt).sort((x, y) => x - y);
    const sent = clients.reduce((sum, c) => sum + c.sent, 0);
    const echoed = clients.reduce((sum, c) => sum + c.echoes.size, 0);
    const log = readFileSync(join(dir, 'logs/error.log'), 'utf8');
    const count = (pattern: RegExp) => log.split('\n').filter((line) => pattern.test(line)).length;
    const ms = (v: number | undefined) => (v === undefined ? '-' : `${Math.round(v)} ms`);
    console.log(
      [
        `[nginx] ${CLIENTS} clients over nodes ${names.map((n) => `${n}:${nodeOf(n).length}`).join(' ')}; node ${victim} SIGKILLed`,
        `[nginx] sessions lost: ${lost.length} (noticed after median ${ms(percentile(noticed, 50))}, max ${ms(noticed.at(-1))}; keepalive ${KEEPALIVE.interval}/${KEEPALIVE.timeout} ms)`,
        `[nginx] recovery (kill to first echo on the new node): median ${ms(percentile(recovery, 50))}, max ${ms(recovery.at(-1))}`,
        `[nginx] handshakes after the kill: ${reconnections.filter((s) => s.resumed).length} resumed, ${reconnections.filter((s) => !s.resumed).length} full; failed attempts ${clients.reduce((sum, c) => sum + c.reconnectFailures, 0)}`,
        `[nginx] records: ${sent} sent, ${echoed} echoed, ${sent - echoed} lost (in flight to the dead node or unanswered at the end), 0 twice, 0 to another client`,
        `[nginx] error.log: ${count(/Connection refused/)} x "Connection refused" from the dead node, ${count(/temporarily disabled/)} x "upstream server temporarily disabled"`,
      ].join('\n'),
    );
  });
});
