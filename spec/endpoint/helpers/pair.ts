import { filter, identity, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { clientSessionOn, type ClientOptions } from '../../../lib/endpoint/client.js';
import type { DtlsServer, ServerEvent, ServerOptions } from '../../../lib/endpoint/server.js';
import type { Session } from '../../../lib/endpoint/session.js';
import type { SessionEvent } from '../../../lib/endpoint/session-event.js';
import { credentials, type CredentialStore } from '../../../lib/credentials/credential-store.js';
import type { Datagram, DatagramTransport, PeerAddress } from '../../../lib/transport/datagram.js';
import { VirtualTime, virtualPair } from '../../../lib/testing/index.js';

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
 * A server and a client over memoryLink, in virtual time: rx-dtls/testing's virtualPair,
 * with the wire recorded and the events of both ends collected for the specs.
 */
export async function startPair(options: PairOptions = {}): Promise<Pair> {
  const time = new VirtualTime();
  const { scheduler } = time;
  const wire: WireDatagram[] = [];
  const deliver = options.deliver;
  const store = pskStore();
  const pair = virtualPair({
    credentials: store,
    server: options.server,
    client: { keyLog: undefined, ...options.client },
    time,
    delay: options.delay,
    clientAddress: CLIENT_ADDRESS,
    serverAddress: SERVER_ADDRESS,
    link: (direction) => (source) =>
      source.pipe(
        filter((d) => {
          const sent: WireDatagram = { from: direction === 'client-to-server' ? 'client' : 'server', time: scheduler.now(), data: d.data };
          wire.push(sent);
          return !deliver || deliver(sent, wire.length - 1);
        }),
        options.linkOn?.(scheduler, direction) ?? options.link ?? identity,
      ),
  });
  const { server, client, clientEnd, serverEnd } = pair;
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
  const watch = (session: Session) => {
    session.events$.subscribe({ next: (e) => clientEvents.push(e), error: () => undefined });
    return session;
  };
  watch(client);
  const reconnect = async (clientOptions: PairOptions['client'] = options.client) =>
    watch(
      clientSessionOn(clientEnd, {
        credentials: store,
        keyLog: undefined,
        ...clientOptions,
        host: SERVER_ADDRESS.address,
        port: SERVER_ADDRESS.port,
        scheduler,
      }),
    );
  return { time, server, serverEvents, serverSessions, serverSessionEvents, client, clientEvents, wire, clientEnd, serverEnd, reconnect };
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
