// The short version of the soak's fault (bench/load/soak.ts): a server process stopped with
// SIGSTOP while its clients keep sending. What arrives meanwhile waits in the socket's
// receive buffer, and what does not fit is lost; nothing is ever delivered twice, no session
// fails, and the records sent after SIGCONT are echoed again. The server is the CLI
// (`rx-dtls server`), so its --recv-buffer option is what sets the buffer. What Linux grants
// is capped by net.core.rmem_max, so "nothing lost" is expected only where it allows 4 MiB.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../lib/endpoint/client.js';
import type { Session } from '../../lib/endpoint/session.js';
import { killAll, startCli } from '../cli/helpers/run-cli.js';
import { pskStore } from '../endpoint/helpers/pair.js';

const SESSIONS = 40;
/** 40 sessions every 50 ms: 800 records in the 1 s pause, more than the kernel's usual 208 KiB holds. */
const EVERY_MS = 50;
/** What listen asks for by default. */
const DEFAULT_RECV_BUFFER = 4 * 2 ** 20;
const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
afterAll(killAll);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sessions sending numbered records through a 1 s SIGSTOP of the server; what each got back. */
async function pauseUnderTraffic(serverArgs: readonly string[]) {
  const cli = startCli(['server', '--port', '0', '--psk', 'Client_identity:secretPSK', ...serverArgs]);
  const [, port] = await cli.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/, 30_000);
  const sessions: Session[] = [];
  for (let i = 0; i < SESSIONS; i++) sessions.push(await connect({ host: '127.0.0.1', port: Number(port), credentials: pskStore() }));
  const ledgers = sessions.map((session) => {
    const ledger = { session, sent: 0, echoed: new Set<number>(), duplicated: 0, echoedAfterResume: 0, resumed: false };
    session.data$.subscribe((data) => {
      const seq = data[0] * 256 + data[1];
      if (ledger.echoed.has(seq)) ledger.duplicated++;
      ledger.echoed.add(seq);
      if (ledger.resumed) ledger.echoedAfterResume++;
    });
    return ledger;
  });
  const send = () => ledgers.forEach((l) => l.session.send(new Uint8Array([l.sent >> 8, l.sent++ & 255, ...new Uint8Array(30)])));
  const sendFor = async (ms: number) => {
    for (let t = 0; t < ms; t += EVERY_MS) {
      send();
      await sleep(EVERY_MS);
    }
  };
  await sendFor(500);
  cli.child.kill('SIGSTOP');
  await sendFor(1000);
  cli.child.kill('SIGCONT');
  // The backlog is echoed first; what is sent from now on is echoed too.
  await sleep(2000);
  ledgers.forEach((l) => (l.resumed = true));
  await sendFor(500);
  await sleep(2000);
  const result = {
    sent: ledgers.reduce((n, l) => n + l.sent, 0),
    echoed: ledgers.reduce((n, l) => n + l.echoed.size, 0),
    duplicated: ledgers.reduce((n, l) => n + l.duplicated, 0),
    failed: sessions.filter((s) => s.state !== 'established').length,
    echoedAfterResume: ledgers.filter((l) => l.echoedAfterResume > 0).length,
  };
  await Promise.all(sessions.map((s) => s.close()));
  cli.child.kill('SIGTERM');
  await cli.exited;
  return result;
}

describe('a server stopped for a second under traffic', () => {
  it("loses nothing with the default receive buffer (4 MiB asked for) where the kernel grants it, fewer than with the kernel's usual 208 KiB anyway, and never delivers twice", async () => {
    const usual = await pauseUnderTraffic(['--recv-buffer', String(212_992 / 2)]);
    const byDefault = await pauseUnderTraffic([]);
    console.info(`208 KiB granted: ${JSON.stringify(usual)}; default (rmem_max ${rmemMax}): ${JSON.stringify(byDefault)}`);
    for (const r of [usual, byDefault]) expect(r).toMatchObject({ duplicated: 0, failed: 0, echoedAfterResume: SESSIONS });
    expect(usual.echoed).toBeLessThan(usual.sent);
    expect(byDefault.sent - byDefault.echoed).toBeLessThan(usual.sent - usual.echoed);
    if (rmemMax >= DEFAULT_RECV_BUFFER) expect(byDefault.echoed).toBe(byDefault.sent);
  }, 120_000);
});
