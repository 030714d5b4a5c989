import { filter, identity, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { openClientSession, type ClientOptions } from '../../../lib/endpoint/client.js';
import { createServer, type DtlsServer, type ServerEvent, type ServerOptions } from '../../../lib/endpoint/server.js';
import type { Session } from '../../../lib/endpoint/session.js';
import type { SessionEvent } from '../../../lib/endpoint/session-event.js';
import { credentials, type CredentialStore } from '../../../lib/credentials/credential-store.js';
import type { Datagram, DatagramTransport, PeerAddress } from '../../../lib/transport/datagram.js';
import { memoryLink } from '../../../lib/transport/memory.js';
import { VirtualTime } from './virtual-time.js';

export const CLIENT_ADDRESS: PeerAddress = { address: '10.0.0.1', port: 1111 };
export const SERVER_ADDRESS: PeerAddress = { address: '10.0.0.2', port: 2222 };

/** The PSK the interop specs use too: identity Client_identity, key "secretPSK". */
export function pskStore(key = 'secretPSK', identity = 'Client_identity'): CredentialStore {
  return credentials().psk({ tag: 0, identity, key });
}

/** One datagram as it left its sender, before any impairment. */
export interface WireDatagram {
  readonly from: 'client' | 'server';
  readonly time: number;
  readonly data: Uint8Array;
}

export interface PairOptions {
  /** A stage between the ends, applied per direction after the wire is recorded. */
  readonly link?: MonoTypeOperatorFunction<Datagram>;
  /** Builds the stage on the pair's scheduler instead, told which direction it serves. */
  readonly linkOn?: (scheduler: SchedulerLike, direction: 'client-to-server' | 'server-to-client') => MonoTypeOperatorFunction<Datagram>;
  /** Decides per datagram (as sent) whether it reaches the other side; applied before `link`. */
  readonly deliver?: (datagram: WireDatagram, index: number) => boolean;
  readonly server?: Partial<Omit<ServerOptions, 'transport' | 'scheduler'>>;
  readonly client?: Partial<Omit<ClientOptions, 'transport' | 'scheduler' | 'host' | 'port'>>;
  /** One-way delay of the memory link in ms. */
  readonly delay?: number;
}

export interface Pair {
  readonly time: VirtualTime;
  readonly server: DtlsServer;
  readonly serverEvents: ServerEvent[];
  /** Every server session, in the order they were made. */
  readonly serverSessions: Session[];
  /** Events of each server session, by index in serverSessions. */
  readonly serverSessionEvents: SessionEvent[][];
  readonly client: Session;
  readonly clientEvents: SessionEvent[];
  readonly wire: WireDatagram[];
  /** The raw transports, to inject datagrams as if from the other side. */
  readonly clientEnd: DatagramTransport;
  readonly serverEnd: DatagramTransport;
  /** Opens another client session over the same client end (a client restarting on the same port). */
  reconnect(options?: PairOptions['client']): Promise<Session>;
}

/**
 * A server and a client over memoryLink, in virtual time: the same TestScheduler
 * drives the link and both endpoints, so retransmission and timeouts run without waiting.
 */
export async function startPair(options: PairOptions = {}): Promise<Pair> {
  const time = new VirtualTime();
  const { scheduler } = time;
  const wire: WireDatagram[] = [];
  const deliver = options.deliver;
  // memoryLink applies the link to the client-to-server direction first.
  const directions = ['client-to-server', 'server-to-client'] as const;
  let linked = 0;
  const record: MonoTypeOperatorFunction<Datagram> = (source) =>
    source.pipe(
      filter((d) => {
        const sent: WireDatagram = { from: d.peer.port === SERVER_ADDRESS.port ? 'client' : 'server', time: scheduler.now(), data: d.data };
        wire.push(sent);
        return !deliver || deliver(sent, wire.length - 1);
      }),
      options.linkOn?.(scheduler, directions[linked++ % 2]) ?? options.link ?? identity,
    );
  const [clientEnd, serverEnd] = memoryLink(CLIENT_ADDRESS, SERVER_ADDRESS, { scheduler, link: record, delay: options.delay });
  const store = pskStore();
  const server = createServer({ credentials: store, ...options.server, transport: serverEnd, scheduler });
  const serverEvents: ServerEvent[] = [];
  const serverSessions: Session[] = [];
  const serverSessionEvents: SessionEvent[][] = [];
  server.events$.subscribe((e) => serverEvents.push(e));
  server.sessions$.subscribe((session) => {
    serverSessions.push(session);
    const events: SessionEvent[] = [];
    serverSessionEvents.push(events);
    session.events$.subscribe({ next: (e) => events.push(e), error: () => undefined });
  });
  const clientEvents: SessionEvent[] = [];
  const open = async (clientOptions: PairOptions['client']) => {
    const session = await openClientSession({
      credentials: store,
      keyLog: undefined,
      ...clientOptions,
      host: SERVER_ADDRESS.address,
      port: SERVER_ADDRESS.port,
      transport: clientEnd,
      scheduler,
    });
    session.events$.subscribe({ next: (e) => clientEvents.push(e), error: () => undefined });
    return session;
  };
  const client = await open(options.client);
  return { time, server, serverEvents, serverSessions, serverSessionEvents, client, clientEvents, wire, clientEnd, serverEnd, reconnect: (o = options.client) => open(o) };
}

/** Collects what a session delivers, as text. */
export function received(session: Session): string[] {
  const out: string[] = [];
  session.data$.subscribe({ next: (d) => out.push(new TextDecoder().decode(d)), error: () => undefined });
  return out;
}

/** The datagrams of one sender, by their send time. */
export function sendTimes(wire: readonly WireDatagram[], from: 'client' | 'server'): number[] {
  return wire.filter((d) => d.from === from).map((d) => d.time);
}
