import type { HandshakeInfo } from '../endpoint/handshake-info.js';
import type { Session } from '../endpoint/session.js';
import type { SessionState } from '../endpoint/session-event.js';
import type { PeerAddress } from '../transport/datagram.js';

/**
 * RIOT's `sock_dtls_session_t`: the remote endpoint, and the DTLS session with
 * it when there is one. A client's handle outlives its sessions: a send with a
 * timeout on it after the session ended starts a new handshake.
 */
export class SockDtlsSession {
  /** Sends and session creations waiting for this handshake: they, not recv, take its completion. */
  waiting = 0;
  private current?: Session;

  constructor(
    /** The remote endpoint (`sock_dtls_session_get_udp_ep`). */
    readonly ep: PeerAddress,
  ) {}

  /** The rx-dtls session underneath (for its events$, info, or `sessionData`), if one was started. */
  get dtls(): Session | undefined {
    return this.current;
  }

  /** 'none' before any handshake; otherwise the state of the latest session. */
  get state(): SessionState | 'none' {
    return this.current?.state ?? 'none';
  }

  /** What the handshake agreed, once established. */
  get info(): HandshakeInfo | undefined {
    return this.current?.info;
  }

  /** Makes `session` the current one (a new handshake with the same endpoint). */
  attach(session: Session): void {
    this.current = session;
  }
}
