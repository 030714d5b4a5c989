import type { Observable, Subscription } from 'rxjs';
import { DtlsError } from '../dtls-error.js';
import type { Session } from './session.js';

export interface IcmpErrorPolicy {
  /** 'fail' ends the session on ICMP errors (see `limit`); 'ignore' only reports them on events$. */
  readonly icmpErrors: 'fail' | 'ignore';
  /** Established sessions: how many ICMP errors end the session with no record from the peer between them. */
  readonly limit: number;
}

/**
 * What the network's errors do to a client session. An ICMP port unreachable means
 * nothing listens on the server's port: during the handshake that is the answer, so
 * the session fails at once with ECONNREFUSED, as a TCP connect would, instead of
 * retransmitting for the whole handshake timeout. Once established, one such error
 * may be stale (a server that restarted), so the session ends only after `limit` in a
 * row with no authenticated record from the server between them.
 */
export function applyIcmpErrors(errors$: Observable<DtlsError>, session: Session, peerName: string, policy: IcmpErrorPolicy): Subscription {
  let inARow = 0;
  let heardAt = session.lastActivity;
  return errors$.subscribe((error) => {
    const reported = explain(error, peerName);
    // Anything else the socket reports (a datagram too big for the path) is loss to DTLS, and only told.
    const icmp = error.code === 'ECONNREFUSED' || error.code === 'EHOSTUNREACH';
    if (!icmp || policy.icmpErrors === 'ignore') return session.reportNetworkError(reported, false);
    if (session.state === 'handshaking') return session.reportNetworkError(reported, true);
    if (session.lastActivity !== heardAt) {
      heardAt = session.lastActivity;
      inARow = 0;
    }
    inARow++;
    session.reportNetworkError(reported, inARow >= policy.limit);
  });
}

/** Says in words what the kernel's error code means for a DTLS client. */
function explain(error: DtlsError, peerName: string): DtlsError {
  switch (error.code) {
    case 'ECONNREFUSED':
      return new DtlsError('ECONNREFUSED', `${peerName} refused: nothing listens on that UDP port (ICMP port unreachable)`, undefined, { cause: error });
    case 'EHOSTUNREACH':
      return new DtlsError('EHOSTUNREACH', `${peerName} is unreachable: no route to it (ICMP host or network unreachable)`, undefined, { cause: error });
    default:
      return error;
  }
}
