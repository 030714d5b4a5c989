import type { Session, SessionEvent } from '../../../lib/index.js';

type Of<T extends SessionEvent['type']> = Extract<SessionEvent, { type: T }>;

/** Everything a session reported, kept for assertions after the fact. */
export interface SessionRecord {
  readonly session: Session;
  readonly events: SessionEvent[];
  readonly data: Uint8Array[];
  /** Resolves with the closed event (it carries the error, if any). */
  closed(timeoutMs?: number): Promise<Of<'closed'>>;
  /** Resolves with the first event of this type; rejects if the session ends without one or after `timeoutMs`. */
  next<T extends SessionEvent['type']>(type: T, timeoutMs?: number): Promise<Of<T>>;
  /** Resolves with all application data received so far once it contains `text`. */
  received(text: string, timeoutMs?: number): Promise<string>;
}

/**
 * Subscribes to a session's events$ and data$ at once (they are hot), so a spec
 * can await or inspect them later.
 */
export function recordSession(session: Session): SessionRecord {
  const events: SessionEvent[] = [];
  const data: Uint8Array[] = [];
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());
  session.events$.subscribe({ next: (e) => {
    events.push(e);
    notify();
  }, error: () => undefined });
  session.data$.subscribe({ next: (d) => {
    data.push(d.slice());
    notify();
  }, error: () => undefined });
  const decoder = new TextDecoder();
  const text = () => data.map((d) => decoder.decode(d)).join('');
  const isClosed = () => events.some((e) => e.type === 'closed');
  const waitFor = <T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        listeners.delete(listener);
        fn();
      };
      const listener = () => {
        const value = check();
        if (value !== undefined) finish(() => resolve(value));
        else if (what !== 'closed' && isClosed()) finish(() => reject(new Error(`session closed while waiting for ${what}; events: ${describe(events)}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; events: ${describe(events)}`))), timeoutMs);
      listeners.add(listener);
      listener();
    });
  return {
    session,
    events,
    data,
    closed: (timeoutMs = 5000) => waitFor('closed', () => events.find((e): e is Of<'closed'> => e.type === 'closed'), timeoutMs),
    next: (type, timeoutMs = 5000) => waitFor(type, () => events.find((e) => e.type === type) as never, timeoutMs),
    received: (wanted, timeoutMs = 5000) => waitFor(`data containing ${JSON.stringify(wanted)}`, () => (text().includes(wanted) ? text() : undefined), timeoutMs),
  };
}

function describe(events: readonly SessionEvent[]): string {
  return events.map((e) => JSON.stringify(e)).join(', ') || '(none)';
}
