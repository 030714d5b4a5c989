/**
 * An rx-dtls client against gnutls-serv --echo on 127.0.0.1:<port>, run by
 * spec/interop/gnutls-server.spec.ts inside a network namespace of its own
 * (helpers/in-namespace.ts). argv[3] is a JSON object: `connect` options (alpn,
 * recordSizeLimit, maxFragmentLength, versions), `lineLength` (of the line to echo), `oversize` (a
 * send() of that many bytes to try), `certificate` (authenticate gnutls-serv by the committed
 * P-256 certificate, given with --x509certfile, instead of the PSK), and
 * `resume` (connect a second time resuming the first session). Prints one JSON line: per
 * connection, what the session agreed, what came back, and how it ended.
 */
import { connect, type ClientOptions } from '../../../lib/endpoint/client.js';
import type { Session } from '../../../lib/endpoint/session.js';
import { credentials, utf8 } from '../../../lib/index.js';
import { PEER_KEYS, readPem } from './peer-keys.js';
import { pskStore } from './psk.js';

interface Scenario {
  readonly connect?: Pick<ClientOptions, 'alpn' | 'recordSizeLimit' | 'maxFragmentLength' | 'versions'>;
  readonly certificate?: boolean;
  readonly oversize?: number;
  /** The length of the line to echo (a short one when absent). */
  readonly lineLength?: number;
  readonly resume?: boolean;
}

const port = Number(process.argv[2]);
const scenario = JSON.parse(process.argv[3] ?? '{}') as Scenario;

/** Sends a line and waits for gnutls-serv to echo it back (it may in several records). */
function echo(session: Session, line: string): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const subscription = session.data$.subscribe({
      next: (d) => {
        received += new TextDecoder().decode(d);
        if (received.includes('\n')) resolve(received);
      },
      error: () => resolve(received),
    });
    setTimeout(() => {
      subscription.unsubscribe();
      resolve(received);
    }, 5000);
    session.send(utf8(line));
  });
}

function tryOversize(session: Session, length: number): string {
  try {
    session.send(new Uint8Array(length));
    return 'sent';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

async function connection(resume?: Session['resumption']) {
  try {
    const store = scenario.certificate ? credentials().x509({ tag: 0, ca: readPem(PEER_KEYS.certificate) }) : pskStore();
    const session = await connect({ host: '127.0.0.1', port, credentials: store, ...scenario.connect, ...(resume && { resume }), keyLog: undefined });
    const ping = `ping ${resume ? 'resumed' : 'full'} ${Math.random()}`;
    const line = `${ping.padEnd(scenario.lineLength ?? 0, '.')}\n`;
    const echoed = await echo(session, line);
    const oversize = scenario.oversize === undefined ? undefined : tryOversize(session, scenario.oversize);
    const outcome = { info: session.info, echoedOk: echoed === line, oversize, ticket: session.resumption?.hasTicket };
    await session.close();
    return { outcome, session };
  } catch (error) {
    const { code, alert, message } = error as { code?: string; alert?: unknown; message?: string };
    return { outcome: { error: { code, alert, message } }, session: undefined };
  }
}

const first = await connection();
const second = scenario.resume ? await connection(first.session?.resumption) : undefined;
console.log(JSON.stringify({ first: first.outcome, ...(second && { second: second.outcome }) }));
