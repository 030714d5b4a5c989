import type { ResumableSession } from './resumable-session.js';

/**
 * A server's sessions by session ID (RFC 5246 §7.4.1.2), bounded by count and by age.
 * Every entry lives equally long, so insertion order is expiry order: a Map's oldest
 * entry is the first to go, whether it expired or the cache is full.
 */
export class SessionCache {
  private readonly entries = new Map<string, ResumableSession>();

  constructor(
    private readonly options: {
      /** Most sessions held; 0 keeps none. */
      readonly maxSessions: number;
      /** How long a session may be resumed after its full handshake (ms). */
      readonly lifetime: number;
      readonly now: () => number;
    },
  ) {}

  /** Sessions held now (expired ones go at the next store or lookup). */
  get size(): number {
    return this.entries.size;
  }

  store(session: ResumableSession): void {
    if (this.options.maxSessions === 0 || session.sessionId.length === 0) return;
    this.dropExpired();
    for (const id of this.entries.keys()) {
      if (this.entries.size < this.options.maxSessions) break;
      this.entries.delete(id);
    }
    this.entries.set(key(session.sessionId), session);
  }

  /** Drops the session with this ID, if held (RFC 5246 §7.2.2: a failed connection's session is forgotten). */
  forget(sessionId: Uint8Array): void {
    if (sessionId.length > 0) this.entries.delete(key(sessionId));
  }

  /** The session with this ID, unless it is unknown or expired. */
  find(sessionId: Uint8Array): ResumableSession | undefined {
    this.dropExpired();
    return sessionId.length === 0 ? undefined : this.entries.get(key(sessionId));
  }

  private dropExpired(): void {
    const oldest = this.options.now() - this.options.lifetime;
    for (const [id, session] of this.entries) {
      if (session.createdAt > oldest) break;
      this.entries.delete(id);
    }
  }
}

/** One character per byte: a short string is the cheapest Map key for 32 bytes. */
function key(sessionId: Uint8Array): string {
  return String.fromCharCode(...sessionId);
}
