import { decode } from '../wire/reader.js';
import type { Result } from '../wire/result.js';
import { Writer } from '../wire/writer.js';
import type { PeerIdentity } from './handshake-step.js';
import { readPeer, writePeer } from './resumable-session.js';

/** RFC 8446 §4.6.1: "Servers MUST NOT use any value greater than 604800 seconds (7 days)", nor clients cache a ticket longer. */
export const MAX_TICKET_LIFETIME_SECONDS = 604_800;

/**
 * A DTLS 1.3 session to resume with a PSK (RFC 8446 §4.6.1, §2.2): the resumption PSK of
 * one NewSessionTicket, its suite (whose hash the PSK is used with), its lifetime and
 * ticket_age_add, and who the peer proved to be in the full handshake. The server seals
 * it into the ticket; the client keeps it with the ticket, which is its PSK identity.
 */
export interface TicketState13 {
  /** HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce): whoever holds it can resume. */
  readonly psk: Uint8Array;
  /** The IANA number of the 1.3 suite of the session the ticket came from. */
  readonly cipherSuite: number;
  /** When the ticket was issued (the server's clock) or received (the client's), in ms. */
  readonly issuedAt: number;
  /** Seconds the ticket may be used, at most MAX_TICKET_LIFETIME_SECONDS. */
  readonly lifetime: number;
  /** Added to the ticket's age in obfuscated_ticket_age (mod 2^32). */
  readonly ageAdd: number;
  /** Who the peer proved to be in the full handshake; a resumption restores it. */
  readonly peer: PeerIdentity;
  /** The client's: the ticket, offered as the PSK identity. */
  readonly ticket?: Uint8Array;
}

/** The first byte of an encoded state; 1.2's ResumableSession starts with 1, so neither decodes as the other. */
const FORMAT = 0x13;

/** The state as bytes: the plaintext of a server's ticket, or what a client saves. */
export function encodeTicketState13(s: TicketState13): Uint8Array {
  const w = new Writer()
    .uint8(FORMAT)
    .uint16(s.cipherSuite)
    .uint48(Math.max(0, Math.floor(s.issuedAt)))
    .uint32(s.lifetime)
    .uint32(s.ageAdd)
    .vector8(s.psk)
    .vector16(s.ticket ?? new Uint8Array(0));
  writePeer(w, s.peer);
  return w.finish();
}

/** The inverse of encodeTicketState13; total, as every decoder of bytes from outside is. */
export function decodeTicketState13(bytes: Uint8Array): Result<TicketState13> {
  return decode('TicketState13', bytes, (r) => {
    if (r.uint8('format') !== FORMAT) r.fail('invalid', 'format');
    const cipherSuite = r.uint16('cipher_suite');
    const issuedAt = r.uint48('issued_at');
    const lifetime = r.uint32('lifetime');
    if (lifetime > MAX_TICKET_LIFETIME_SECONDS) r.fail('invalid', 'lifetime');
    const ageAdd = r.uint32('age_add');
    const psk = r.vector8('psk', 32, 48);
    const ticket = r.vector16('ticket');
    const peer = readPeer(r);
    return { psk, cipherSuite, issuedAt, lifetime, ageAdd, peer, ...(ticket.length > 0 ? { ticket } : {}) };
  });
}

/** Whether the state may still be used at `now` (ms): within its lifetime (RFC 8446 §4.6.1). */
export function ticketUnexpired(s: TicketState13, now: number): boolean {
  const age = now - s.issuedAt;
  return age >= 0 && age < s.lifetime * 1000;
}
