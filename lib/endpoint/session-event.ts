import type { AlertInfo, DtlsError } from '../dtls-error.js';
import type { HandshakeInfo } from './handshake-info.js';

export type SessionState = 'handshaking' | 'established' | 'closed';

/** What a session reports on `events$`. */
export type SessionEvent =
  | { readonly type: 'handshake-start'; readonly role: 'client' | 'server' }
  /** A flight went out for the first time (RFC 6347 §4.2.4 numbering), with the names of its messages. */
  | { readonly type: 'flight-sent'; readonly flight: number; readonly messages: readonly string[] }
  /** A flight went out again: its timer expired, or the peer retransmitted. */
  | {
      readonly type: 'retransmit';
      readonly flight: number;
      readonly messages: readonly string[];
      readonly attempt: number;
      readonly reason: 'timeout' | 'peer';
    }
  | ({ readonly type: 'handshake-complete' } & HandshakeInfo)
  | ({ readonly type: 'alert'; readonly direction: 'sent' | 'received' } & AlertInfo)
  /** The network reported the peer unreachable (ICMP port or host unreachable); whether the session ends follows ClientOptions.icmpErrors. */
  | { readonly type: 'network-error'; readonly error: DtlsError }
  /** The keyLog sink threw; the session goes on. */
  | { readonly type: 'key-log-error'; readonly error: DtlsError }
  /** The session ended: cleanly (no error) or with the error that ended it. */
  | { readonly type: 'closed'; readonly error?: DtlsError };
