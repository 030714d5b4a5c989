// RFC 8446 §4.6.1: the 1.3 NewSessionTicket, a post-handshake message the server may send
// any time after the client's Finished; unchanged in DTLS 1.3 (where it is acknowledged
// like any handshake message, RFC 9147 §7). Not 1.2's RFC 5077 message (new-session-ticket.ts).
//   struct { uint32 ticket_lifetime; uint32 ticket_age_add; opaque ticket_nonce<0..255>;
//            opaque ticket<1..2^16-1>; Extension extensions<0..2^16-2>; } NewSessionTicket;
import { decodeExtensions, writeExtensions } from './extensions.js';
import type { Extension } from './extension-type.js';
import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

export interface NewSessionTicket13 {
  /** Seconds the ticket may be used; at most 604800 (7 days), 0 to discard it (the client's check). */
  lifetime: number;
  /** uint32 added to the ticket age the client reports (obfuscated_ticket_age). */
  ageAdd: number;
  /** Per-ticket value that makes each ticket's PSK distinct (RFC 8446 §4.6.1 resumption PSK). */
  nonce: Uint8Array;
  /** The label the client offers as its PSK identity, opaque to it. */
  ticket: Uint8Array;
  /** Only early_data is defined here; rx-dtls neither sends nor uses it. */
  extensions: Extension[];
}

export function encodeNewSessionTicket13(x: NewSessionTicket13): Uint8Array {
  if (x.ticket.length === 0) throw new RangeError('ticket must not be empty');
  const w = new Writer(13 + x.nonce.length + x.ticket.length);
  w.uint32(x.lifetime).uint32(x.ageAdd).vector8(x.nonce).vector16(x.ticket);
  writeExtensions(w, x.extensions);
  return w.finish();
}

export function decodeNewSessionTicket13(body: Uint8Array): Result<NewSessionTicket13> {
  return decode('NewSessionTicket13', body, (r) => ({
    lifetime: r.uint32('ticket_lifetime'),
    ageAdd: r.uint32('ticket_age_add'),
    nonce: r.vector8('ticket_nonce'),
    ticket: r.vector16('ticket', 1),
    extensions: decodeExtensions(r),
  }));
}
