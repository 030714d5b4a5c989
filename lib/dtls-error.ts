import { alertDescriptionName } from './wire/alert.js';

/** What went wrong, in the spirit of the errno values of RIOT's sock_dtls. */
export type DtlsErrorCode =
  /** A handshake or a blocking call did not finish in time. */
  | 'ETIMEDOUT'
  /** The session is not established (yet, or any more). */
  | 'ENOTCONN'
  /** Nothing is there now and the caller asked not to wait (RIOT's recv with a zero timeout). */
  | 'EAGAIN'
  /** The handshake failed on our side (the alert we sent, if any, is attached). */
  | 'EHANDSHAKE'
  /** The peer sent a fatal alert (attached). */
  | 'EALERT'
  /** No usable credentials: no PSK for the server, unknown identity, untrusted key. */
  | 'ECREDENTIALS'
  /** A limit was reached (sessions, handshakes, buffered bytes). */
  | 'ENOBUFS'
  /**
   * The server turned the handshake away: it answered our cookie-bearing ClientHello, or
   * a handshake in progress, with a fatal internal_error (it is out of room, or failed
   * inside). Not our fault: retry later, with backoff.
   */
  | 'EBUSY'
  /** A message too large for one record. */
  | 'EMSGSIZE'
  /** An invalid argument or option. */
  | 'EINVAL'
  /** The endpoint or session was closed. */
  | 'ECLOSED'
  /** An AbortSignal given to the call aborted it (its reason is the cause). */
  | 'ECANCELED'
  /** The local address and port are taken by another socket. */
  | 'EADDRINUSE'
  /** The local address to bind is not one of this host's. */
  | 'EADDRNOTAVAIL'
  /** Not allowed to bind that port (below 1024 without the privilege). */
  | 'EACCES'
  /** The host name does not resolve. */
  | 'ENOTFOUND'
  /** ICMP port unreachable: nothing listens on the server's UDP port. */
  | 'ECONNREFUSED'
  /** ICMP host or network unreachable: no route to the server. */
  | 'EHOSTUNREACH'
  /** Any other failure of the operating system's socket or resolver (the Node error is the cause). */
  | 'EIO';

/** A DTLS alert (RFC 5246 §7.2) as errors and events carry it. */
export interface AlertInfo {
  /** A fatal alert ends the session. */
  readonly level: 'warning' | 'fatal';
  /** The AlertDescription code. */
  readonly description: number;
  /** The RFC 5246 §7.2 name, e.g. "handshake_failure". */
  readonly name: string;
}

export function alertInfo(level: number, description: number): AlertInfo {
  return { level: level === 1 ? 'warning' : 'fatal', description, name: alertDescriptionName(description) };
}

/** The one error type rx-dtls gives its users. */
export class DtlsError extends Error {
  /** Always "DtlsError". */
  override readonly name = 'DtlsError';

  constructor(
    /** What went wrong, to branch on. */
    readonly code: DtlsErrorCode,
    message: string,
    /** The alert sent (EHANDSHAKE) or received (EALERT), where there was one. */
    readonly alert?: AlertInfo,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    // V8 keeps the frames of a new error's stack (each frame's function and receiver) until
    // the stack is first read; an application that keeps the error would keep them, and
    // through them the handshake the error ended. Reading it now turns them into a string.
    void this.stack;
  }
}
