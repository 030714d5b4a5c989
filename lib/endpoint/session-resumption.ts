import { cipherSuiteById } from '../crypto/cipher-suites.js';
import { DtlsError } from '../dtls-error.js';
import { decodeResumableSession, encodeResumableSession, type ResumableSession } from '../handshake/resumable-session.js';
import { publicPeerIdentity, type PublicPeerIdentity } from './handshake-info.js';

/**
 * What a client keeps to resume a session later with an abbreviated handshake (RFC 5246
 * §7.3): the server's session ID and, when it gave one, its ticket (RFC 5077), with the
 * session's master secret. Pass it back as `connect({ resume })`; `toBytes()` or
 * `toString()` (base64) let it survive a restart.
 *
 * **It holds a secret.** Whoever has these bytes can decrypt the resumed session and
 * resume it as this client: store them as you would a private key (a file only this
 * user may read, an encrypted store), and never log them.
 */
export class SessionResumption {
  /** @internal made by a client session, or from bytes saved earlier */
  constructor(
    /** @internal */
    readonly state: ResumableSession,
  ) {}

  /**
   * A resumption saved with `toBytes()` or `toString()`. Throws a DtlsError EINVAL for
   * bytes that are not one.
   */
  static from(saved: Uint8Array | string): SessionResumption {
    const bytes = typeof saved === 'string' ? fromBase64(saved) : saved;
    const decoded = bytes && decodeResumableSession(bytes);
    if (!decoded?.ok) throw new DtlsError('EINVAL', 'resume must be a SessionResumption or the bytes or base64 of one');
    return new SessionResumption({ ...decoded.value, masterSecret: decoded.value.masterSecret.slice() });
  }

  /** The session as bytes, the master secret included. */
  toBytes(): Uint8Array {
    return encodeResumableSession(this.state);
  }

  /** The session as base64, the master secret included. */
  toString(): string {
    return btoa(String.fromCharCode(...this.toBytes()));
  }

  /** The session's cipher suite (IANA name). */
  get cipherSuite(): string {
    return cipherSuiteById(this.state.cipherSuite)?.name ?? `0x${this.state.cipherSuite.toString(16).padStart(4, '0')}`;
  }

  /** Who the server proved to be in the full handshake. */
  get peer(): PublicPeerIdentity {
    return publicPeerIdentity(this.state.peer);
  }

  /** When the full handshake completed (ms, the session's scheduler clock). */
  get createdAt(): number {
    return this.state.createdAt;
  }

  /** Whether the server gave a ticket (RFC 5077) rather than only a session ID. */
  get hasTicket(): boolean {
    return this.state.ticket !== undefined;
  }
}

function fromBase64(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}
