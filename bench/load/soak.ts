// Steady traffic with faults: `sessions` PSK clients each send a numbered record every second
// and count the echoes; `pauseAt` s in, the server is stopped (SIGSTOP) for `pause` s; at
// `ecdheAt` s, `ecdhe` ECDHE-ECDSA clients handshake at once into the running soak. Prints the
// records completed (echoed), lost and duplicated, the echo time, the ECDHE handshakes' outcomes,
// and the server's CPU, RSS, event-loop delay and the datagrams its socket dropped.
//
//   npx tsx bench/load/soak.ts [--sessions 2000] [--seconds 30] [--pause-at 10] [--pause 5] [--ecdhe 500] [--ecdhe-at 20]
//                              [--server '{"recvBufferSize":212992}']
import { parseArgs } from 'node:util';
import { connect, nodeCryptoProvider, type DtlsError, type Session } from '../rx-dtls.js';
import { clientCredentials, SUITES } from '../fixtures.js';
import { sleep } from '../stats.js';
import { startLoadServer } from './load-server.js';
import { loadText, msText, serverLines, timesText } from './report.js';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '30' },
    'pause-at': { type: 'string', default: '10' },
    pause: { type: 'string', default: '5' },
    ecdhe: { type: 'string', default: '500' },
    'ecdhe-at': { type: 'string', default: '20' },
    server: { type: 'string', default: '{}' },
  },
});
const [sessions, seconds, pauseAt, pause, ecdhe, ecdheAt] = ['sessions', 'seconds', 'pause-at', 'pause', 'ecdhe', 'ecdhe-at'].map((k) => Number(values[k as keyof typeof values]));
const serverOptions = JSON.parse(values.server) as Record<string, unknown>;
const [psk, ecdsa] = ['psk', 'ecdsa'].map((id) => SUITES.find((s) => s.id === id)!);
const pskStore = clientCredentials(psk);
const ecdsaStore = clientCredentials(ecdsa);

const server = await startLoadServer(serverOptions);
const loadBefore = loadText();

// Bring the sessions up in batches, so that setting up is not itself a burst.
const open: Session[] = [];
for (let i = 0; i < sessions; i += 200) {
  const batch = await Promise.all(Array.from({ length: Math.min(200, sessions - i) }, () => connect({ ...server.target, credentials: pskStore, provider: nodeCryptoProvider })));
  open.push(...batch);
}
const cpuBefore = server.cpuMs();

/** Per session: when each numbered record was sent, and how often its echo came back. */
let sent = 0;
let echoed = 0;
let duplicated = 0;
let failedSessions = 0;
const echoTimes: number[] = [];
const ledgers = open.map((session) => {
  const sentAt = new Map<number, number>();
  const seen = new Set<number>();
  session.data$.subscribe({
    next: (data) => {
      const seq = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
      if (seen.has(seq)) return void duplicated++;
      seen.add(seq);
      echoed++;
      echoTimes.push(performance.now() - sentAt.get(seq)!);
    },
    error: () => void failedSessions++,
  });
  return { session, sentAt };
});

const started = performance.now();
const elapsed = () => (performance.now() - started) / 1000;
// Each session sends once a second, spread over the second.
const timers = ledgers.map(({ session, sentAt }, i) => {
  let seq = 0;
  const tick = () => {
    if (session.state !== 'established') return;
    const record = new Uint8Array(32);
    new DataView(record.buffer).setUint32(0, seq);
    sentAt.set(seq++, performance.now());
    sent++;
    session.send(record);
  };
  const first = setTimeout(() => {
    tick();
    timers[i] = setInterval(tick, 1000);
  }, (1000 * i) / ledgers.length);
  return first as ReturnType<typeof setInterval>;
});

const faults = (async () => {
  await sleep(pauseAt * 1000);
  server.pause();
  await sleep(pause * 1000);
  server.resume();
})();
const ecdheOutcomes = (async () => {
  await sleep(ecdheAt * 1000);
  const t0 = performance.now();
  return Promise.all(
    Array.from({ length: ecdhe }, async () => {
      try {
        const session = await connect({ ...server.target, credentials: ecdsaStore, serverName: 'localhost', provider: nodeCryptoProvider });
        void session.close();
        return { outcome: 'established', ms: performance.now() - t0 };
      } catch (error) {
        return { outcome: (error as DtlsError).code ?? String(error), ms: performance.now() - t0 };
      }
    }),
  );
})();

await sleep(seconds * 1000);
for (const timer of timers) clearInterval(timer);
await faults;
const handshakes = await ecdheOutcomes;
// Echoes still on their way.
await sleep(3000);
const lines = await serverLines(server, cpuBefore);
await Promise.all(open.map((s) => s.close()));
await server.stop();

console.log(`soak: ${sessions} PSK sessions, a record a second each for ${elapsed().toFixed(0)} s, server stopped ${pause} s at ${pauseAt} s, ${ecdhe} ECDHE-ECDSA handshakes at ${ecdheAt} s; server options ${JSON.stringify(serverOptions)}; load average before ${loadBefore}`);
console.log(`  records: sent ${sent}, echoed ${echoed}, lost ${sent - echoed}, duplicated ${duplicated}; sessions failed ${failedSessions}; echo time p50 / p95 / max ${msText(echoTimes)}`);
const byOutcome = new Map<string, number[]>();
for (const { outcome, ms } of handshakes) byOutcome.set(outcome, [...(byOutcome.get(outcome) ?? []), ms]);
for (const [outcome, times] of byOutcome) console.log(`  ECDHE handshakes ${outcome}: ${times.length}, time to outcome p50 / p95 / max ${timesText(times)}`);
for (const line of lines) console.log(`  ${line}`);
