import { tls13CipherSuiteById, type Tls13CipherSuite } from '../crypto/tls13-cipher-suites.js';
import type { OfferedPsks } from '../wire/pre-shared-key-extension.js';
import type { MaybePromise } from './handshake-step.js';
import type { ServerPskLookup } from './psk-credentials.js';
import type { TicketState13 } from './ticket-state13.js';

/** Opens a ticket we issued: its state while it is fresh, undefined otherwise (ServerResumption.openTicket13). */
export type TicketLookup13 = (ticket: Uint8Array) => TicketState13 | undefined;

/** The PSK a 1.3 server takes from a ClientHello's offer: which identity, its key, and the ticket's state when it resumes. */
export interface SelectedPsk13 {
  readonly index: number;
  readonly key: Uint8Array;
  readonly ticket?: TicketState13;
}

/** Identities of one ClientHello opened as tickets at most: each costs an AEAD open. */
const MAX_TICKETS_TRIED = 4;
/** Identities of one ClientHello looked up as external PSKs at most: each may be a database query. */
const MAX_LOOKUPS = 2;

/**
 * The first offered identity that is a ticket of ours, still fresh, for a suite with the
 * hash of the one chosen (RFC 8446 §4.2.11: the PSK's hash must be the suite's). A stale,
 * foreign or forged ticket is passed over, never an error: the handshake goes on without it.
 */
export function resumedPsk13(offered: OfferedPsks, suite: Tls13CipherSuite, open: TicketLookup13 | undefined): SelectedPsk13 | undefined {
  if (!open) return undefined;
  const tried = offered.identities.slice(0, MAX_TICKETS_TRIED);
  for (const [index, { identity }] of tried.entries()) {
    const ticket = open(identity);
    if (ticket && tls13CipherSuiteById(ticket.cipherSuite)?.hash === suite.hash) return { index, key: ticket.psk, ticket };
  }
  return undefined;
}

/**
 * The first of the offered identities (at most MAX_LOOKUPS of them) whose external PSK the
 * lookup knows, looked up one after the other; undefined when none is known. Those with an
 * obfuscated_ticket_age of 0 come first: RFC 8446 §4.2.11 has external identities carry 0,
 * so the user's lookup does not see a ticket first.
 */
export function externalPsk13Lookup(offered: OfferedPsks, lookup: ServerPskLookup, signal: AbortSignal): MaybePromise<SelectedPsk13 | undefined> {
  const indexed = offered.identities.map((p, index) => ({ index, identity: p.identity, age: p.obfuscatedTicketAge }));
  const ordered = [...indexed.filter((p) => p.age === 0), ...indexed.filter((p) => p.age !== 0)].slice(0, MAX_LOOKUPS);
  const from = (i: number): MaybePromise<SelectedPsk13 | undefined> => {
    const candidate = ordered[i];
    if (candidate === undefined) return undefined;
    const found = (key: Uint8Array | undefined) => (key ? { index: candidate.index, key } : from(i + 1));
    const key = lookup(candidate.identity.slice(), { signal });
    return key instanceof Promise ? key.then(found) : found(key);
  };
  return from(0);
}
