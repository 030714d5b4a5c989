import type { CryptoProvider } from '../crypto/provider.js';
import { resumptionPsk } from '../crypto/tls13-key-schedule.js';
import type { NewSessionTicket13 } from '../wire/new-session-ticket13.js';
import type { HandshakeSummary13 } from './handshake-step.js';
import type { ServerResumption } from './server-resumption.js';
import { MAX_TICKET_LIFETIME_SECONDS, type TicketState13 } from './ticket-state13.js';

/** One ticket per connection here, so a one-byte nonce is unique across them (RFC 8446 §4.6.1). */
const NONCE = new Uint8Array([0]);

/**
 * The NewSessionTicket a server sends once a 1.3 handshake completed (RFC 8446 §4.6.1), when
 * resumption by ticket is on: the resumption PSK, the suite, ticket_age_add and the peer's
 * identity sealed under the ticket keys 1.2's tickets use, for the session lifetime (at most
 * 7 days). Undefined when tickets are off.
 */
export function issueTicket13(summary: HandshakeSummary13, resumption: ServerResumption, provider: CryptoProvider): NewSessionTicket13 | undefined {
  const lifetime = resumption.ticketLifetime13;
  if (lifetime === 0) return undefined;
  const psk = resumptionPsk(summary.cipherSuite.hash, summary.resumptionMasterSecret, NONCE);
  const ageAdd = new DataView(provider.randomBytes(4).buffer).getUint32(0);
  const ticket = resumption.sealTicket13({ psk, cipherSuite: summary.cipherSuite.id, lifetime, ageAdd, peer: summary.peer });
  return { lifetime, ageAdd, nonce: NONCE, ticket, extensions: [] };
}

/**
 * What a client keeps of a NewSessionTicket (RFC 8446 §4.6.1) received at `now` (ms): the
 * ticket and its resumption PSK, for the session's suite and server. Undefined for a
 * lifetime of 0 ("the ticket should be discarded immediately"); a lifetime beyond 7 days is
 * kept for 7 days, the most a client may.
 */
export function receivedTicket13(message: NewSessionTicket13, summary: HandshakeSummary13, now: number): TicketState13 | undefined {
  if (message.lifetime === 0) return undefined;
  return {
    psk: resumptionPsk(summary.cipherSuite.hash, summary.resumptionMasterSecret, message.nonce),
    cipherSuite: summary.cipherSuite.id,
    issuedAt: now,
    lifetime: Math.min(message.lifetime, MAX_TICKET_LIFETIME_SECONDS),
    ageAdd: message.ageAdd,
    peer: summary.peer,
    ticket: message.ticket.slice(),
  };
}
