import { debuglog } from 'node:util';
import type { Observable } from 'rxjs';
import type { PeerAddress } from '../transport/datagram.js';
import type { HandshakeInfo, PublicPeerIdentity } from './handshake-info.js';
import type { SessionEvent } from './session-event.js';
import type { ServerEvent } from './server.js';

/**
 * Receives an endpoint's debug output, one line per call: handshake progress,
 * retransmissions, alerts and the end of each session, cookie exchanges and drops,
 * each naming the peer. It never carries key material (keys, PSKs, secrets).
 */
export type DebugLog = (line: string) => void;

const nodeDebug = debuglog('rx-dtls');

/**
 * Where an endpoint writes its debug lines: the `log` option when given, otherwise
 * Node's own debug log when the process runs with NODE_DEBUG=rx-dtls (lines on
 * stderr, prefixed "RX-DTLS <pid>:"), otherwise nowhere.
 */
export function debugLogFor(option: DebugLog | undefined): DebugLog | undefined {
  if (option) return option;
  return nodeDebug.enabled ? (line) => nodeDebug('%s', line) : undefined;
}

/** How a peer address reads in a log line: 127.0.0.1:5684, [::1]:5684. */
export function peerText({ address, port }: PeerAddress): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** One session event as a log line, without the peer; only the names and codes events carry, never keys. */
export function sessionEventText(event: SessionEvent): string {
  switch (event.type) {
    case 'handshake-start':
      return `handshake started (${event.role})`;
    case 'flight-sent':
      return `flight ${event.flight} sent: ${event.messages.join(', ')}`;
    case 'retransmit':
      return `flight ${event.flight} resent (attempt ${event.attempt}, ${event.reason === 'timeout' ? 'timer expired' : 'peer retransmitted'})`;
    case 'handshake-complete':
      return `established: ${handshakeText(event)}`;
    case 'alert':
      return `alert ${event.direction}: ${event.level} ${event.name}`;
    case 'keepalive-probe':
      return `silent: HeartbeatRequest sent (attempt ${event.attempt})`;
    case 'key-log-error':
      return 'the keyLog sink failed; the session goes on';
    case 'network-error':
      return `network error: ${event.error.code} ${event.error.message}`;
    case 'peer-address-changed':
      return `peer moved from ${event.from.address}:${event.from.port} (RFC 9146 §6)`;
    case 'closed':
      return event.error ? `closed: ${event.error.code} ${event.error.message}` : 'closed';
  }
}

function handshakeText(info: HandshakeInfo): string {
  return `${info.cipherSuite}, peer ${identityText(info.peer)}${info.extendedMasterSecret ? ', extended master secret' : ''}${info.heartbeat ? ', heartbeat' : ''}`;
}

function identityText(peer: PublicPeerIdentity): string {
  switch (peer.kind) {
    case 'psk':
      return `PSK identity ${JSON.stringify(peer.identity)}`;
    case 'raw-public-key':
      return `raw public key ${peer.fingerprint}`;
    case 'x509':
      return `certificate ${peer.subject}`;
    case 'anonymous':
      return 'not authenticated';
  }
}

/** Writes a session's events to the log, each line naming our role and the peer. */
export function logSession(log: DebugLog, session: { readonly role: string; readonly peer: PeerAddress; readonly events$: Observable<SessionEvent> }): void {
  const prefix = `${session.role} ${peerText(session.peer)}:`;
  // A session that fails errors its events$ after its `closed` event, which the log already
  // has: the error is handled here, not left to RxJS to throw from a timer.
  session.events$.subscribe({ next: (event) => log(`${prefix} ${sessionEventText(event)}`), error: () => undefined });
}

/** Writes a server's events, and each of its sessions' events, to the log. */
export function logServer(
  log: DebugLog,
  server: { readonly events$: Observable<ServerEvent>; readonly sessions$: Observable<Parameters<typeof logSession>[1]> },
): void {
  // A failed transport errors both streams; the server's own subscribers hear of it.
  server.events$.subscribe({ next: (event) => log(`server ${peerText(event.peer)}: ${serverEventText(event)}`), error: () => undefined });
  server.sessions$.subscribe({ next: (session) => logSession(log, session), error: () => undefined });
}

function serverEventText(event: ServerEvent): string {
  switch (event.type) {
    case 'hello-verify-request':
      return `${event.version === '1.3' ? 'HelloRetryRequest' : 'HelloVerifyRequest'} sent (no valid cookie yet)`;
    case 'session-start':
      return 'cookie verified, session started';
    case 'session-end':
      return event.error ? `session ended: ${event.error.code}` : 'session ended';
    case 'dropped':
      return `datagram dropped: ${event.reason}`;
  }
}
