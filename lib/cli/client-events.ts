import { concat, from, type Observable } from 'rxjs';
import type { Session, SessionEvent } from '../index.js';

/**
 * openClientSession has started the handshake by the time it returns, so its
 * first events are gone before anyone can subscribe; they are always these two.
 */
const EVENTS_BEFORE_RETURN: readonly SessionEvent[] = [
  { type: 'handshake-start', role: 'client' },
  { type: 'flight-sent', flight: 1 },
];

/** A session from openClientSession: its events from the start of the handshake. */
export function clientEvents$(session: Session): Observable<SessionEvent> {
  return concat(from(EVENTS_BEFORE_RETURN), session.events$);
}
