/**
 * An rx-dtls client with a keepalive against gnutls-serv --heartbeat --echo on
 * 127.0.0.1:<port>, run by spec/interop/heartbeat-gnutls.spec.ts inside a network
 * namespace of its own (gnutls-serv cannot bind loopback only). Prints one JSON line:
 * what the session saw.
 */
import { connect } from '../../../lib/endpoint/client.js';
import type { SessionEvent } from '../../../lib/endpoint/session-event.js';
import { utf8 } from '../../../lib/index.js';
import { pskStore } from './psk.js';

const port = Number(process.argv[2]);
const keepalive = { interval: 200, timeout: 2000 };
const session = await connect({ host: '127.0.0.1', port, credentials: pskStore(), keepalive, keyLog: undefined });
const events: SessionEvent[] = [];
session.events$.subscribe({ next: (e) => events.push(e), error: () => undefined });
const echoed: string[] = [];
session.data$.subscribe({ next: (d) => echoed.push(new TextDecoder().decode(d)), error: () => undefined });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Silent for 2.5 times the timeout: only answered HeartbeatRequests keep the session.
await sleep(5000);
const probes = events.filter((e) => e.type === 'keepalive-probe').length;
const aliveAfterSilence = session.state === 'established';
// gnutls-serv's echo mode pings its client (gnutls_heartbeat_ping, waiting for the answer) on this line.
session.send(utf8('**HEARTBEAT**\n'));
await sleep(1000);
session.send(utf8('after\n'));
await sleep(1000);
console.log(
  JSON.stringify({
    heartbeat: session.info?.heartbeat,
    probes,
    aliveAfterSilence,
    echoed: echoed.join(''),
    state: session.state,
    error: session.error?.message,
    dropped: session.droppedRecords,
  }),
);
await session.close();
