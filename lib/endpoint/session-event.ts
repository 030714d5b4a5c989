import type { AlertInfo, DtlsError } from '../dtls-error.js';
import type { PeerAddress } from '../transport/datagram.js';
import type { HandshakeInfo } from './handshake-info.js';

/** Where a session is in its life; it only moves forward. */
export type SessionState = 'handshaking' | 'established' | 'closed';

/** What a session reports on `events$`. */
export type SessionEvent =
  | {
      /** The handshake began. */
      readonly type: 'handshake-start';
      /** Our side of it. */
      readonly role: 'client' | 'server';
    }
  | {
      /** A flight went out for the first time. */
      readonly type: 'flight-sent';
      /** Its number, as RFC 6347 §4.2.4 numbers flights (1 to 6). */
      readonly flight: number;
      /** The names of its messages, e.g. ["ServerHello", "ServerHelloDone"]. */
      readonly messages: readonly string[];
    }
  | {
      /** A flight went out again. */
      readonly type: 'retransmit';
      /** Its number. */
      readonly flight: number;
      /** The names of its messages. */
      readonly messages: readonly string[];
      /** 1 for the first retransmission, and on. */
      readonly attempt: number;
      /** Its timer expired, or the peer retransmitted its own previous flight (RFC 6347 §4.2.4). */
      readonly reason: 'timeout' | 'peer';
    }
  | ({
      /** The handshake completed; what it agreed follows. */
      readonly type: 'handshake-complete';
    } & HandshakeInfo)
  | ({
      /** An alert went out or came in. */
      readonly type: 'alert';
      /** Which way. */
      readonly direction: 'sent' | 'received';
    } & AlertInfo)
  | {
      /** The network reported the peer unreachable (ICMP port or host unreachable); whether the session ends follows ClientOptions.icmpErrors. */
      readonly type: 'network-error';
      /** ECONNREFUSED or EHOSTUNREACH, naming the peer. */
      readonly error: DtlsError;
    }
  | {
      /**
       * The peer's address changed (a NAT rebinding, RFC 9146 §6): a record newer than any
       * before it authenticated from a new address, found by the session's Connection ID.
       * Until the peer speaks again from there after we sent to it, we send it no more
       * bytes than it sent us from there.
       */
      readonly type: 'peer-address-changed';
      /** Where the peer was. */
      readonly from: PeerAddress;
      /** Where it is now. */
      readonly to: PeerAddress;
    }
  | {
      /** The server was silent for `keepalive.interval`: a HeartbeatRequest (RFC 6520) went out to it. */
      readonly type: 'keepalive-probe';
      /** 1 for the first request of this silence, then each resend on the DTLS timer. */
      readonly attempt: number;
    }
  | {
      /** The keyLog sink threw; the session goes on. */
      readonly type: 'key-log-error';
      /** What it threw, as an EINVAL DtlsError. */
      readonly error: DtlsError;
    }
  | {
      /** The session ended. */
      readonly type: 'closed';
      /** Why, when it did not end cleanly. */
      readonly error?: DtlsError;
    };
