import { createInterface } from 'node:readline';
import { connect, nodeCryptoProvider, type DtlsError } from '../rx-dtls.js';
import { clientCredentials, SUITES } from '../fixtures.js';

/**
 * One process of a burst's clients (burst.ts starts several, as a fleet of devices is many
 * processes, not one): argv host, port, count. On "go" from stdin, all of them connect at
 * once (PSK, node:crypto); prints one JSON line with each one's outcome and the ms it took.
 */
const [host, port, count] = process.argv.slice(2);
const store = clientCredentials(SUITES.find((s) => s.id === 'psk')!);
const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once('line', resolve));
const started = performance.now();
/** A client still without an outcome this long after the burst is reported as such: the scenario stays bounded in time. */
const DEADLINE_MS = 90_000;
const deadline = new Promise<{ outcome: string; ms: number }>((resolve) => setTimeout(() => resolve({ outcome: 'no outcome after 90 s', ms: DEADLINE_MS }), DEADLINE_MS).unref());
const outcomes = await Promise.all(
  Array.from({ length: Number(count) }, (): Promise<{ outcome: string; ms: number }> => Promise.race([deadline, client()])),
);
process.stdout.write(`${JSON.stringify(outcomes)}\n`, () => process.exit(0));

async function client(): Promise<{ outcome: string; ms: number }> {
  try {
    const session = await connect({ host, port: Number(port), credentials: store, provider: nodeCryptoProvider });
    const ms = performance.now() - started;
    void session.close();
    return { outcome: 'established', ms };
  } catch (error) {
    return { outcome: (error as DtlsError).code ?? String(error), ms: performance.now() - started };
  }
}
