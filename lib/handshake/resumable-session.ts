import { decode } from '../wire/reader.js';
import type { Reader } from '../wire/reader.js';
import type { Result } from '../wire/result.js';
import { Writer } from '../wire/writer.js';
import type { PeerIdentity } from './handshake-step.js';

/**
 * What it takes to resume a session with an abbreviated handshake (RFC 5246 §7.3,
 * §7.4.1.2): the master secret, the suite, whether the master secret is extended
 * (RFC 7627 §5.3 forbids resuming across that line) and who the peer proved to be.
 * A client keeps the server's session ID and, with RFC 5077, its ticket; a server
 * keeps it in its cache or seals it into the ticket it gives the client.
 */
export interface ResumableSession {
  /** The 48-byte master secret: whoever holds it can read the resumed session. */
  readonly masterSecret: Uint8Array;
  /** The IANA number of the negotiated cipher suite. */
  readonly cipherSuite: number;
  /** Whether the master secret is the extended one (RFC 7627). */
  readonly extendedMasterSecret: boolean;
  /** Who the peer proved to be in the full handshake. */
  readonly peer: PeerIdentity;
  /** When the full handshake completed (ms, the endpoint's clock). */
  readonly createdAt: number;
  /** The server's session ID (empty when the server gave only a ticket). */
  readonly sessionId: Uint8Array;
  /** The server's RFC 5077 ticket, on the client only. */
  readonly ticket?: Uint8Array;
  /** The ticket's lifetime hint in seconds (RFC 5077 §3.3; 0: unspecified). */
  readonly ticketLifetimeHint?: number;
}

/** The first byte of an encoded session: the format's version. */
const FORMAT = 1;
const PEER_KIND = { anonymous: 0, psk: 1, 'raw-public-key': 2, x509: 3 } as const;

/** The session as bytes, to survive a restart (a client) or to be sealed into a ticket (a server). */
export function encodeResumableSession(s: ResumableSession): Uint8Array {
  const w = new Writer()
    .uint8(FORMAT)
    .uint8(s.extendedMasterSecret ? 1 : 0)
    .uint16(s.cipherSuite)
    .uint48(Math.max(0, Math.floor(s.createdAt)))
    .vector8(s.masterSecret)
    .vector8(s.sessionId)
    .vector16(s.ticket ?? new Uint8Array(0))
    .uint24(Math.min(s.ticketLifetimeHint ?? 0, 0xffffff));
  writePeer(w, s.peer);
  return w.finish();
}

/** Who the peer proved to be, as a resumable session (1.2's or a 1.3 ticket's) keeps it. */
export function writePeer(w: Writer, peer: PeerIdentity): void {
  w.uint8(PEER_KIND[peer.kind]);
  switch (peer.kind) {
    case 'psk':
      w.vector16(peer.identity);
      break;
    case 'raw-public-key':
      w.vector16(peer.spki);
      break;
    case 'x509':
      w.vector16(new TextEncoder().encode(peer.subject));
      w.vector24((inner) => peer.chain.forEach((der) => inner.vector24(der)));
      break;
  }
}

/** The inverse of encodeResumableSession; total, as every decoder of bytes from outside is. */
export function decodeResumableSession(bytes: Uint8Array): Result<ResumableSession> {
  return decode('ResumableSession', bytes, (r) => {
    if (r.uint8('format') !== FORMAT) r.fail('invalid', 'format');
    const extendedMasterSecret = r.uint8('extended_master_secret') === 1;
    const cipherSuite = r.uint16('cipher_suite');
    const createdAt = r.uint48('created_at');
    const masterSecret = r.vector8('master_secret', 48, 48);
    const sessionId = r.vector8('session_id', 0, 32);
    const ticket = r.vector16('ticket');
    const ticketLifetimeHint = r.uint24('ticket_lifetime_hint');
    const peer = readPeer(r);
    return {
      masterSecret,
      cipherSuite,
      extendedMasterSecret,
      peer,
      createdAt,
      sessionId,
      ...(ticket.length > 0 ? { ticket, ticketLifetimeHint } : {}),
    };
  });
}

/** The inverse of writePeer. */
export function readPeer(r: Reader): PeerIdentity {
  switch (r.uint8('peer_kind')) {
    case PEER_KIND.anonymous:
      return { kind: 'anonymous' };
    case PEER_KIND.psk:
      return { kind: 'psk', identity: r.vector16('psk_identity') };
    case PEER_KIND['raw-public-key']:
      return { kind: 'raw-public-key', spki: r.vector16('spki') };
    case PEER_KIND.x509: {
      const subject = new TextDecoder().decode(r.vector16('subject'));
      return { kind: 'x509', subject, chain: r.list24('chain', (c) => c.vector24('certificate', 1)) };
    }
    default:
      return r.fail('invalid', 'peer_kind');
  }
}
