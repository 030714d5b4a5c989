import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import { clientSessionOn, type ClientOptions } from '../endpoint/client.js';
import { createServer, type DtlsServer, type ServerOptions } from '../endpoint/server.js';
import type { Session } from '../endpoint/session.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import type { Datagram, DatagramTransport, PeerAddress } from '../transport/datagram.js';
import { memoryLink } from '../transport/memory.js';
import { VirtualTime } from './virtual-time.js';

/** Which way a datagram crosses a virtual pair's link. */
export type LinkDirection = 'client-to-server' | 'server-to-client';

/** How {@link virtualPair} builds its server, client and link. */
export interface VirtualPairOptions {
  /** The credentials of both ends, unless `server` or `client` gives its own. */
  readonly credentials: CredentialStore;
  /** Server options; the transport and scheduler are the pair's. */
  readonly server?: Partial<Omit<ServerOptions, 'transport' | 'scheduler'>>;
  /** Client options; the transport, scheduler and server address are the pair's. */
  readonly client?: Partial<Omit<ClientOptions, 'transport' | 'scheduler' | 'host' | 'port'>>;
  /** A stage between the ends for each direction, such as `impair()`, made on the pair's scheduler. */
  readonly link?: (direction: LinkDirection, scheduler: SchedulerLike) => MonoTypeOperatorFunction<Datagram>;
  /** One-way delay of the link in ms (default 0: the next turn of the scheduler). */
  readonly delay?: number;
  /** The clock to run on (default a new one); pairs on one clock run side by side. */
  readonly time?: VirtualTime;
  /** The client's address on the link (default 10.0.0.1:1111). */
  readonly clientAddress?: PeerAddress;
  /** The server's address on the link (default 10.0.0.2:5684). */
  readonly serverAddress?: PeerAddress;
}

/** A server and a client connected by an in-memory link on one virtual clock, made by {@link virtualPair}. */
export interface VirtualPair {
  /** The clock both ends run on; advance it to make anything happen. */
  readonly time: VirtualTime;
  /** The DTLS server. */
  readonly server: DtlsServer;
  /** The client session; its handshake starts on the first step of the clock. */
  readonly client: Session;
  /** Every session the server made, in order. */
  readonly serverSessions: readonly Session[];
  /** The raw ends of the link, to inject datagrams as if from the other side. */
  readonly clientEnd: DatagramTransport;
  /** The server's raw end of the link. */
  readonly serverEnd: DatagramTransport;
  /**
   * Steps the clock until the client and a server session are both established (true),
   * or the client's session closed or `limit` ms went by (false).
   */
  runUntilEstablished(limit?: number): boolean;
  /** Closes the client (close_notify) and the server, and runs the clock until nothing is left scheduled. */
  close(): void;
}

/** Longer than any handshake with the default timers: the 60 s handshake timeout and a last flight. */
const DEFAULT_LIMIT = 120_000;

/**
 * A DTLS server and a client over `memoryLink`, both on one virtual clock: real
 * handshakes, with loss, delay and timeouts, in microseconds of real time and the
 * same way every run. Made synchronously, so it works in a hand-stepped
 * `VirtualTime` and inside `TestScheduler.run()` alike (there, give it
 * `time: new VirtualTime(testScheduler)` and let `run()` flush it).
 *
 * @example
 * const pair = virtualPair({
 *   credentials: credentials().psk({ tag: 0, identity: 'device', key: 'secret' }),
 *   link: (direction, scheduler) => impair({ seed: 7, loss: 0.3, scheduler }),
 *   delay: 50,
 * });
 * pair.runUntilEstablished(); // true: retransmissions got it through
 */
export function virtualPair(options: VirtualPairOptions): VirtualPair {
  const time = options.time ?? new VirtualTime();
  const { scheduler } = time;
  const clientAddress = options.clientAddress ?? { address: '10.0.0.1', port: 1111 };
  const serverAddress = options.serverAddress ?? { address: '10.0.0.2', port: 5684 };
  // memoryLink applies its link to the first end's outgoing direction first.
  const directions: LinkDirection[] = ['client-to-server', 'server-to-client'];
  const { link } = options;
  const [clientEnd, serverEnd] = memoryLink(clientAddress, serverAddress, {
    scheduler,
    delay: options.delay,
    link: link && ((source) => source.pipe(link(directions.shift() ?? 'server-to-client', scheduler))),
  });
  const server = createServer({ credentials: options.credentials, ...options.server, transport: serverEnd, scheduler });
  const serverSessions: Session[] = [];
  server.sessions$.subscribe((session) => serverSessions.push(session));
  const client = clientSessionOn(clientEnd, {
    credentials: options.credentials,
    ...options.client,
    host: serverAddress.address,
    port: serverAddress.port,
    scheduler,
  });
  const serverEstablished = () => serverSessions.some((s) => s.state === 'established');
  return {
    time,
    server,
    client,
    serverSessions,
    clientEnd,
    serverEnd,
    runUntilEstablished(limit = DEFAULT_LIMIT) {
      time.runUntil(() => client.state !== 'handshaking' && (client.state === 'closed' || serverEstablished()), limit);
      return client.state === 'established' && serverEstablished();
    },
    close() {
      client.close();
      server.close();
      clientEnd.close();
      time.runUntil(() => time.pending === 0, DEFAULT_LIMIT, 1_000);
    },
  };
}
