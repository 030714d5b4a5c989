import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connect, credentials, type Session } from '../rx-dtls.js';
import { PSK_HEX, PSK_IDENTITY } from '../fixtures.js';
import { percentile } from '../network/percentile.js';
import { freeUdpPort } from '../proc.js';

/**
 * Issue 17, the restart fault: a server with established sessions and handshakes in
 * flight is SIGKILLed, and started again on the same port `--gap` ms later. Every
 * established client has a keepalive; each sends a numbered record every `--every` ms
 * and counts the echoes. Prints, per group, how many noticed and when (ms after the kill),
 * the records completed, lost and duplicated, and the server's RSS, CPU and event-loop lag.
 *
 *   npm run build && npx tsx bench/load/restart.ts [--established 500] [--inflight 200] [--gap 2400] [--interval 2000] [--timeout 6000] [--icmp fail|ignore]
 */
const { values } = parseArgs({
  options: {
    established: { type: 'string', default: '500' },
    inflight: { type: 'string', default: '200' },
    gap: { type: 'string', default: '2400' },
    interval: { type: 'string', default: '2000' },
    timeout: { type: 'string', default: '6000' },
    every: { type: 'string', default: '1000' },
    'silent-timeouts': { type: 'string', default: '4' },
    icmp: { type: 'string', default: 'fail' },
    'kill-after': { type: 'string', default: '60' },
  },
});
const ESTABLISHED = Number(values.established);
const INFLIGHT = Number(values.inflight);
const GAP = Number(values.gap);
const keepalive = { interval: Number(values.interval), timeout: Number(values.timeout) };
const EVERY = Number(values.every);
const maxSilentTimeouts = Number(values['silent-timeouts']);
// 'ignore': as when no ICMP port unreachable comes back (a host that is down, a firewall), so only the keepalive and the silence rule can tell.
const icmpErrors = values.icmp === 'ignore' ? 'ignore' : 'fail';

interface Status {
  rss: number;
  cpuMs: number;
  lagP99Ms: number;
  lagMaxMs: number;
  sessions: number;
}

function startServer(port: number): Promise<{ child: ChildProcess; statuses: Status[] }> {
  const script = fileURLToPath(new URL('restart-server-host.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const statuses: Status[] = [];
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) {
        const parsed = JSON.parse(line) as Status & { port?: number };
        if (parsed.port !== undefined) resolve({ child, statuses });
        else statuses.push(parsed);
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`server exited (${code ?? signal}) before listening`)));
  });
}

const store = credentials().psk({ tag: 0, identity: PSK_IDENTITY, key: new Uint8Array(Buffer.from(PSK_HEX, 'hex')) });
const port = await freeUdpPort();
const first = await startServer(port);
const options = { host: '127.0.0.1', port, credentials: store, keepalive, maxSilentTimeouts, icmpErrors, keyLog: undefined } as const;

/** One client: its session, the records it sent and the echoes it counted. */
interface Client {
  session?: Session;
  sent: number;
  echoed: Map<number, number>;
  endedAt?: number;
  error?: string;
}
const clients: Client[] = [];
const track = (client: Client, session: Session) => {
  client.session = session;
  session.data$.subscribe({
    next: (bytes) => {
      const n = Number(new TextDecoder().decode(bytes));
      client.echoed.set(n, (client.echoed.get(n) ?? 0) + 1);
    },
    error: () => undefined,
  });
  session.state$.subscribe({
    error: (error: Error) => {
      client.endedAt = performance.now();
      client.error = error.message;
    },
    complete: () => (client.endedAt ??= performance.now()),
  });
};

// The established ones, a few at a time.
for (let i = 0; i < ESTABLISHED; i += 50) {
  await Promise.all(
    Array.from({ length: Math.min(50, ESTABLISHED - i) }, async () => {
      const client: Client = { sent: 0, echoed: new Map() };
      clients.push(client);
      track(client, await connect(options));
    }),
  );
}
const sender = setInterval(() => {
  for (const client of clients) {
    if (client.session?.state !== 'established') continue;
    client.session.send(new TextEncoder().encode(String(client.sent++)));
  }
}, EVERY);
await new Promise((resolve) => setTimeout(resolve, 3 * EVERY));

// The in-flight ones: started, and the server killed while their handshakes run.
const inflight: Array<{ startedAt: number; endedAt?: number; establishedAt?: number; outcome?: string }> = [];
for (let i = 0; i < INFLIGHT; i++) {
  const entry: (typeof inflight)[number] = { startedAt: performance.now() };
  inflight.push(entry);
  connect(options).then(
    (session) => {
      entry.outcome = 'established';
      entry.establishedAt = performance.now();
      void session.close();
    },
    (error: Error) => {
      entry.endedAt = performance.now();
      entry.outcome = error.message;
    },
  );
}
await new Promise((resolve) => setTimeout(resolve, Number(values['kill-after'])));
const before = first.statuses.at(-1);
first.child.kill('SIGKILL');
const killedAt = performance.now();
await new Promise((resolve) => setTimeout(resolve, GAP));
const second = await startServer(port);
// Long enough for every deadline: the keepalive's timeout and the handshake's silence rule (15 s).
await new Promise((resolve) => setTimeout(resolve, Math.max(keepalive.timeout, 16_000) + 2000));
clearInterval(sender);
await new Promise((resolve) => setTimeout(resolve, 500));

const established = clients.filter((c) => c.endedAt !== undefined && c.endedAt > killedAt);
const noticed = established.map((c) => c.endedAt! - killedAt).sort((a, b) => a - b);
const stillUp = clients.filter((c) => c.session?.state === 'established').length;
const records = clients.reduce(
  (sum, c) => {
    sum.sent += c.sent;
    for (const count of c.echoed.values()) {
      sum.completed++;
      if (count > 1) sum.duplicated++;
    }
    return sum;
  },
  { sent: 0, completed: 0, duplicated: 0 },
);
const flights = inflight.filter((e) => e.outcome !== 'established' && e.endedAt !== undefined);
const failedIn = flights.map((e) => e.endedAt! - killedAt).sort((a, b) => a - b);
const ms = (v: number | undefined) => (v === undefined ? '-' : Math.round(v).toString());
const after = second.statuses.at(-1);

console.log(`SIGKILL + restart ${GAP} ms later; keepalive ${keepalive.interval}/${keepalive.timeout} ms, maxSilentTimeouts ${maxSilentTimeouts}, ICMP errors ${icmpErrors}\n`);
console.log('| group | sessions | ended after the kill | still established | noticed p50 / p95 / max (ms after the kill) |');
console.log('|---|---:|---:|---:|---|');
console.log(`| established, keepalive | ${clients.length} | ${established.length} | ${stillUp} | ${ms(percentile(noticed, 50))} / ${ms(percentile(noticed, 95))} / ${ms(noticed.at(-1))} |`);
const completedBefore = inflight.filter((e) => e.establishedAt !== undefined && e.establishedAt < killedAt).length;
const completedAfter = inflight.filter((e) => e.establishedAt !== undefined && e.establishedAt >= killedAt).length;
console.log(
  `| started ${values['kill-after']} ms before the kill | ${INFLIGHT} | ${flights.length} failed; ${completedBefore} completed before the kill, ${completedAfter} with the restarted server | - | ${ms(percentile(failedIn, 50))} / ${ms(percentile(failedIn, 95))} / ${ms(failedIn.at(-1))} |`,
);
console.log(`\nrecords: ${records.sent} sent, ${records.completed} completed (echoed), ${records.sent - records.completed} lost, ${records.duplicated} duplicated`);
const reasons = new Map<string, number>();
for (const e of [...established.map((c) => c.error ?? 'clean'), ...flights.map((f) => f.outcome!)]) {
  const key = e.replace(/\d+/g, 'N');
  reasons.set(key, (reasons.get(key) ?? 0) + 1);
}
for (const [reason, count] of reasons) console.log(`  ${count} x ${reason}`);
const mib = (b: number | undefined) => (b === undefined ? '-' : (b / 2 ** 20).toFixed(1));
console.log(`\nserver before the kill: RSS ${mib(before?.rss)} MiB, CPU ${ms(before?.cpuMs)} ms, event-loop lag p99 ${before?.lagP99Ms.toFixed(1)} ms (max ${before?.lagMaxMs.toFixed(1)}), ${before?.sessions} sessions`);
const lagMax = Math.max(...second.statuses.map((s) => s.lagMaxMs));
console.log(`restarted server at the end: RSS ${mib(after?.rss)} MiB, CPU ${ms(after?.cpuMs)} ms, worst event-loop lag ${lagMax.toFixed(1)} ms, ${after?.sessions} sessions`);
for (const c of clients) void c.session?.close();
second.child.kill('SIGTERM');
process.exit(0);
