import { lookup } from 'node:dns/promises';
import { concat, from, type Observable } from 'rxjs';
import { UdpTransport, openClientSession, type ClientOptions, type Session, type SessionEvent } from '../index.js';

/** A client session on a UDP socket of its own, which the command closes itself. */
export interface OwnedClient {
  readonly session: Session;
  /** The session's events, from the start of the handshake. */
  readonly events$: Observable<SessionEvent>;
  /** Closes the socket, after what the session last sent (close_notify) has left it. */
  release(): void;
}

/**
 * openClientSession has started the handshake by the time it returns, so its
 * first events are gone before anyone can subscribe; they are always these two.
 */
const EVENTS_BEFORE_RETURN: readonly SessionEvent[] = [
  { type: 'handshake-start', role: 'client' },
  { type: 'flight-sent', flight: 1 },
];

/**
 * Opens a client session on a socket the caller owns. A socket openClientSession
 * makes itself is closed in the same tick as the session, and node:dgram then
 * discards the close_notify still waiting for its address lookup; here the
 * socket closes one turn of the event loop later.
 */
export async function openOwnedClient(options: Omit<ClientOptions, 'transport'>): Promise<OwnedClient> {
  const { address, family } = await lookup(options.host);
  const transport = await UdpTransport.bind({ host: bindAddress(address, family) });
  try {
    const session = await openClientSession({ ...options, host: address, transport });
    return {
      session,
      events$: concat(from(EVENTS_BEFORE_RETURN), session.events$),
      release: () => setImmediate(() => transport.close()),
    };
  } catch (err) {
    transport.close();
    throw err;
  }
}

/** A loopback peer is reached from loopback, so nothing listens on other interfaces. */
function bindAddress(address: string, family: number): string {
  if (family === 6) return address === '::1' ? '::1' : '::';
  return address.startsWith('127.') ? '127.0.0.1' : '0.0.0.0';
}
