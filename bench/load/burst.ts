// A burst of clients handshaking at once (PSK, node:crypto) against the load server in its
// own process, with the library's defaults unless told: how many complete, how many are
// turned away and with what, how long each waited for its outcome, and what it cost the
// server. The clients run in several processes (burst-clients.ts), told to go together.
//
//   npx tsx bench/load/burst.ts [clients, default 1000] [server listen options as JSON, e.g. '{"recvBufferSize":212992}'] [client processes, default 4]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startLoadServer } from './load-server.js';
import { loadText, serverLines, timesText } from './report.js';

const clients = Number(process.argv[2] ?? 1000);
const serverOptions = JSON.parse(process.argv[3] ?? '{}') as Record<string, unknown>;
const processes = Number(process.argv[4] ?? 4);
const server = await startLoadServer(serverOptions);

const workers = Array.from({ length: processes }, (_, i) => {
  const count = Math.floor(clients / processes) + (i < clients % processes ? 1 : 0);
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./burst-clients.ts', import.meta.url)), server.target.host, String(server.target.port), String(count)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  // 'close', not 'exit': all of its output has been read by then.
  const done = new Promise<Array<{ outcome: string; ms: number }>>((resolve) => child.once('close', () => resolve(JSON.parse(out) as Array<{ outcome: string; ms: number }>)));
  return { child, done };
});
// Let every client process load before the burst starts.
await new Promise((resolve) => setTimeout(resolve, 3000));
const cpuBefore = server.cpuMs();
const loadBefore = loadText();
for (const { child } of workers) child.stdin.write('go\n');
const outcomes = (await Promise.all(workers.map((w) => w.done))).flat();
const lines = await serverLines(server, cpuBefore);
await server.stop();

const byOutcome = new Map<string, number[]>();
for (const { outcome, ms } of outcomes) byOutcome.set(outcome, [...(byOutcome.get(outcome) ?? []), ms]);
console.log(`burst of ${clients} clients at once from ${processes} processes, server options ${JSON.stringify(serverOptions)}; load average before ${loadBefore}`);
for (const [outcome, times] of [...byOutcome].sort((a, b) => b[1].length - a[1].length)) {
  console.log(`  ${outcome}: ${times.length}, time to outcome p50 / p95 / max ${timesText(times)}`);
}
for (const line of lines) console.log(`  ${line}`);
