import { openClientSession } from '../../../lib/endpoint/client.js';
import { createServer, type DtlsServer, type ServerEvent, type ServerOptions } from '../../../lib/endpoint/server.js';
import type { Session } from '../../../lib/endpoint/session.js';
import type { PeerAddress } from '../../../lib/transport/datagram.js';
import { MemoryHub, VirtualTime, type HubFilter } from '../../../lib/testing/index.js';
import { SERVER_ADDRESS, pskStore } from './pair.js';

export const clientAddress = (n: number): PeerAddress => ({ address: `10.0.1.${n}`, port: 5000 + n });
export const isServer = (p: PeerAddress) => p.port === SERVER_ADDRESS.port;

/** A server on a hub where several clients can connect from their own addresses. */
export function hubServer(options: Partial<ServerOptions> = {}, filter?: HubFilter) {
  const time = new VirtualTime();
  const hub = new MemoryHub(time.scheduler, filter);
  const server: DtlsServer = createServer({ credentials: pskStore(), ...options, transport: hub.endpoint(SERVER_ADDRESS), scheduler: time.scheduler });
  const events: ServerEvent[] = [];
  const sessions: Session[] = [];
  server.events$.subscribe((e) => events.push(e));
  server.sessions$.subscribe((s) => sessions.push(s));
  const connect = (n: number, extra: Partial<Parameters<typeof openClientSession>[0]> = {}) =>
    openClientSession({
      credentials: pskStore(),
      keyLog: undefined,
      ...extra,
      host: SERVER_ADDRESS.address,
      port: SERVER_ADDRESS.port,
      transport: hub.endpoint(clientAddress(n)),
      scheduler: time.scheduler,
    });
  return { time, server, events, sessions, connect };
}

/** Lets only the HelloVerifyRequest through to clients whose number is in `stalled`: their handshakes stay open on the server. */
export const stallAfterCookie =
  (...stalled: number[]): HubFilter =>
  (from, to, _data, index) =>
    !(isServer(from) && stalled.some((n) => clientAddress(n).port === to.port) && index > 0);
