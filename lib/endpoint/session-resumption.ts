import { cipherSuiteById } from '../crypto/cipher-suites.js';
import { tls13CipherSuiteById } from '../crypto/tls13-cipher-suites.js';
import { DtlsError } from '../dtls-error.js';
import { decodeResumableSession, encodeResumableSession, type ResumableSession } from '../handshake/resumable-session.js';
import { decodeTicketState13, encodeTicketState13, type TicketState13 } from '../handshake/ticket-state13.js';
import { publicPeerIdentity, type PublicPeerIdentity } from './handshake-info.js';

/**
 * What a client keeps to resume a session later with an abbreviated handshake (RFC 5246
 * §7.3): the server's session ID and, when it gave one, its ticket (RFC 5077), with the
 * session's master secret. In DTLS 1.3 it is the server's latest NewSessionTicket with its
 * resumption PSK (RFC 8446 §4.6.1), offered as a PSK (§2.2). Pass it back as
 * `connect({ resume })` with the same `versions`; `toBytes()` or `toString()` (base64) let
 * it survive a restart.
 *
 * **It holds a secret.** Whoever has these bytes can decrypt the resumed session and
 * resume it as this client: store them as you would a private key (a file only this
 * user may read, an encrypted store), and never log them.
 */
export class SessionResumption {
  /** @internal made by a client session, or from bytes saved earlier */
  constructor(
    /** @internal */
    readonly state: ResumableSession | TicketState13,
  ) {}

  /**
   * A resumption saved with `toBytes()` or `toString()`. Throws a DtlsError EINVAL for
   * bytes that are not one.
   */
  static from(saved: Uint8Array | string): SessionResumption {
    const bytes = typeof saved === 'string' ? fromBase64(saved) : saved;
    const decoded = bytes && decodeResumableSession(bytes);
    if (decoded?.ok) return new SessionResumption({ ...decoded.value, masterSecret: decoded.value.masterSecret.slice() });
    const decoded13 = bytes && decodeTicketState13(bytes);
    if (decoded13?.ok) return new SessionResumption({ ...decoded13.value, psk: decoded13.value.psk.slice() });
    throw new DtlsError('EINVAL', 'resume must be a SessionResumption or the bytes or base64 of one');
  }

  /** The session as bytes, the master secret (or 1.3 resumption PSK) included. */
  toBytes(): Uint8Array {
    const { state } = this;
    return 'psk' in state ? encodeTicketState13(state) : encodeResumableSession(state);
  }

  /** The DTLS version the session was made with, and can be resumed in. */
  get version(): '1.2' | '1.3' {
    return 'psk' in this.state ? '1.3' : '1.2';
  }

  /** The session as base64, the master secret (or 1.3 resumption PSK) included. */
  toString(): string {
    return btoa(String.fromCharCode(...this.toBytes()));
  }

  /** The session's cipher suite (IANA name). */
  get cipherSuite(): string {
    const suite = 'psk' in this.state ? tls13CipherSuiteById(this.state.cipherSuite) : cipherSuiteById(this.state.cipherSuite);
    return suite?.name ?? `0x${this.state.cipherSuite.toString(16).padStart(4, '0')}`;
  }

  /** Who the server proved to be in the full handshake. */
  get peer(): PublicPeerIdentity {
    return publicPeerIdentity(this.state.peer);
  }

  /** When the full handshake completed (1.3: when the ticket came), in ms of the session's scheduler clock. */
  get createdAt(): number {
    return 'psk' in this.state ? this.state.issuedAt : this.state.createdAt;
  }

  /** Whether the server gave a ticket (RFC 5077, or a 1.3 NewSessionTicket) rather than only a session ID. */
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
