import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/**
 * RFC 5077 §3.3: the server's NewSessionTicket (handshake type 4), sent after the
 * client's Finished in a full handshake or after ServerHello in an abbreviated one,
 * before the server's ChangeCipherSpec. The ticket is opaque to the client.
 */
export interface NewSessionTicket {
  /** Seconds the ticket may be kept; 0 means unspecified. */
  ticketLifetimeHint: number;
  /** The ticket, opaque to the client (a view into the message on decode). */
  ticket: Uint8Array;
}

export function encodeNewSessionTicket(x: NewSessionTicket): Uint8Array {
  const w = new Writer();
  // uint32 as two uint16 halves: the writer has no 32-bit field.
  w.uint16(Math.floor(x.ticketLifetimeHint / 0x10000)).uint16(x.ticketLifetimeHint % 0x10000);
  return w.vector16(x.ticket).finish();
}

export function decodeNewSessionTicket(body: Uint8Array): Result<NewSessionTicket> {
  return decode('NewSessionTicket', body, (r) => ({
    ticketLifetimeHint: r.uint16('ticket_lifetime_hint') * 0x10000 + r.uint16('ticket_lifetime_hint'),
    ticket: r.vector16('ticket'),
  }));
}
