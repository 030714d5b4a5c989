import type { CryptoProvider } from '../crypto/provider.js';
import { decodeResumableSession, encodeResumableSession, type ResumableSession } from './resumable-session.js';
import { SessionCache } from './session-cache.js';
import { RotationPeriods } from './rotation-periods.js';
import { TICKET_KEY_LENGTH, TicketKeys } from './ticket-keys.js';
import { MAX_TICKET_LIFETIME_SECONDS, decodeTicketState13, encodeTicketState13, ticketUnexpired, type TicketState13 } from './ticket-state13.js';

/** How a server resumes sessions. */
export interface ServerResumptionOptions {
  /** Randomness for session IDs and ticket nonces, and the AEAD that seals tickets. */
  readonly provider: CryptoProvider;
  /** The server's clock (ms). */
  readonly now: () => number;
  /** How long a session may be resumed after its full handshake, by ID or ticket (ms). */
  readonly lifetime: number;
  /** Most sessions cached by ID; 0 caches none. */
  readonly cacheSize: number;
  /** Whether RFC 5077 tickets are issued and accepted. */
  readonly tickets: boolean;
  /**
   * Ticket keys shared with other servers (TICKET_KEY_LENGTH bytes each, the current one
   * first); without them the server makes its own and rotates them every `lifetime`.
   */
  readonly ticketKeys?: readonly Uint8Array[];
  /**
   * Instead of keys of its own, the key of each period of `lifetime` ms counted from time 0
   * of `now` (e.g. SharedSecrets.ticketKey): every server given the same function seals
   * under the same key and opens the others' tickets. Ignored when `ticketKeys` are given.
   */
  readonly ticketKeyOf?: (index: number) => Uint8Array;
}

/**
 * A server's resumable sessions: the cache by session ID and the ticket keys (RFC 5077).
 * A ticket or ID that is unknown, expired, modified or sealed under a key we do not hold
 * resumes nothing: the handshake goes on as a full one (RFC 5077 §3.4).
 */
export class ServerResumption {
  private readonly cache: SessionCache;
  private readonly keys: TicketKeys;
  /** Set when the keys rotate by themselves (not given as a list); counted like the cookie secrets, on use. */
  private rotation?: { readonly periods: RotationPeriods; readonly keyOf: (index: number) => Uint8Array };

  constructor(private readonly options: ServerResumptionOptions) {
    const { provider, now, lifetime, cacheSize, ticketKeys, ticketKeyOf } = options;
    this.cache = new SessionCache({ maxSessions: cacheSize, lifetime, now });
    if (ticketKeys) {
      this.keys = new TicketKeys(provider, ticketKeys);
    } else if (ticketKeyOf) {
      // Shared keys: periods count from time 0, so every server is in the same one.
      const periods = new RotationPeriods(lifetime, now, 0);
      const index = periods.index();
      this.keys = new TicketKeys(provider, [ticketKeyOf(index), ticketKeyOf(index - 1)]);
      this.rotation = { periods, keyOf: ticketKeyOf };
    } else {
      this.keys = new TicketKeys(provider, [provider.randomBytes(TICKET_KEY_LENGTH)]);
      this.rotation = { periods: new RotationPeriods(lifetime, now, now()), keyOf: () => provider.randomBytes(TICKET_KEY_LENGTH) };
    }
  }

  /** Whether tickets are issued and accepted. */
  get tickets(): boolean {
    return this.options.tickets;
  }

  /** Sessions in the cache now. */
  get cachedSessions(): number {
    return this.cache.size;
  }

  /** Replaces the ticket keys (the current one first): a cluster's key rotation. */
  setTicketKeys(keys: readonly Uint8Array[]): void {
    this.keys.set(keys);
    this.rotation = undefined;
  }

  /** A fresh session ID for a full handshake whose session will be cached, or an empty one. */
  newSessionId(): Uint8Array {
    return this.options.cacheSize > 0 ? this.options.provider.randomBytes(32) : new Uint8Array(0);
  }

  /** A full handshake's session, stamped with the time; cached when it has an ID. */
  remember(session: Omit<ResumableSession, 'createdAt'>): ResumableSession {
    const stamped = { ...session, createdAt: this.options.now() };
    this.cache.store(stamped);
    return stamped;
  }

  /**
   * RFC 5246 §7.2.2: after a fatal alert, "servers and clients MUST forget any session-identifiers,
   * keys, and secrets associated with a failed connection". The cache entry goes; a ticket
   * cannot be recalled (it is the client's to forget), but it expires with the session lifetime.
   */
  forget(sessionId: Uint8Array): void {
    this.cache.forget(sessionId);
  }

  /** The cached session with this ID, unless it is unknown or expired. */
  findById(sessionId: Uint8Array): ResumableSession | undefined {
    return this.cache.find(sessionId);
  }

  /** The ticket's session, when one of our keys sealed it and it has not expired. */
  openTicket(ticket: Uint8Array): ResumableSession | undefined {
    if (!this.options.tickets) return undefined;
    this.catchUp();
    const plain = this.keys.open(ticket);
    if (!plain) return undefined;
    const decoded = decodeResumableSession(plain);
    return decoded.ok && this.fresh(decoded.value) ? decoded.value : undefined;
  }

  /** The ticket for a session (RFC 5077 §4): the state sealed under the current key. */
  sealTicket(session: ResumableSession): Uint8Array {
    this.catchUp();
    return this.keys.seal(encodeResumableSession({ ...session, sessionId: new Uint8Array(0), ticket: undefined }));
  }

  /**
   * The lifetime of a DTLS 1.3 ticket in seconds: the session lifetime, at most 7 days
   * (RFC 8446 §4.6.1); 0 when tickets are off.
   */
  get ticketLifetime13(): number {
    return this.options.tickets ? Math.min(Math.floor(this.options.lifetime / 1000), MAX_TICKET_LIFETIME_SECONDS) : 0;
  }

  /** A DTLS 1.3 ticket: the state sealed under the current key, stamped with the time. */
  sealTicket13(state: Omit<TicketState13, 'issuedAt' | 'ticket'>): Uint8Array {
    this.catchUp();
    return this.keys.seal(encodeTicketState13({ ...state, issuedAt: this.options.now() }));
  }

  /**
   * The state of a DTLS 1.3 ticket one of our keys sealed, while within its own lifetime and
   * the session lifetime; undefined otherwise (a stale or foreign ticket, a 1.2 one).
   */
  openTicket13(ticket: Uint8Array): TicketState13 | undefined {
    if (!this.options.tickets) return undefined;
    this.catchUp();
    const plain = this.keys.open(ticket);
    const decoded = plain && decodeTicketState13(plain);
    if (!decoded?.ok) return undefined;
    const state = decoded.value;
    const now = this.options.now();
    return ticketUnexpired(state, now) && now - state.issuedAt < this.options.lifetime ? state : undefined;
  }

  /** The lifetime hint of the tickets, in seconds (RFC 5077 §3.3). */
  get ticketLifetimeHint(): number {
    return Math.floor(this.options.lifetime / 1000);
  }

  private fresh(session: ResumableSession): boolean {
    const age = this.options.now() - session.createdAt;
    return age >= 0 && age < this.options.lifetime;
  }

  /**
   * Keys not given as a list rotate every `lifetime`, on use rather than on a timer: the
   * previous key still opens the tickets it sealed, none of which outlives one more period.
   */
  private catchUp(): void {
    if (!this.rotation) return;
    for (const index of this.rotation.periods.advance()) this.keys.rotate(this.rotation.keyOf(index));
  }
}
