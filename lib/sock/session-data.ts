import type { DtlsError } from '../dtls-error.js';
import type { Session } from '../endpoint/session.js';
import { AsyncQueue, END } from './async-queue.js';

/** How much sessionData buffers for a slow loop. */
export interface SessionDataOptions {
  /** Records held while the loop body is busy (default 256); more are dropped and counted, as UDP would. */
  readonly maxBuffered?: number;
}

/** An async iterator over a session's application data, with what it had to drop. */
export interface SessionDataIterator extends AsyncIterableIterator<Uint8Array> {
  /** Records dropped because the consumer fell `maxBuffered` behind. */
  readonly dropped: number;
}

/**
 * A session's application data for `for await` users: one Uint8Array per
 * record, from the moment of the call. The loop ends when the session closes
 * cleanly (close_notify) and throws the session's DtlsError when it ends with
 * one. Leaving the loop (`break`) stops listening; it does not close the session.
 *
 * ```ts
 * for await (const data of sessionData(session)) session.send(data); // echo
 * ```
 */
export function sessionData(session: Session, options: SessionDataOptions = {}): SessionDataIterator {
  const queue = new AsyncQueue<Uint8Array>(options.maxBuffered ?? 256);
  const subscription = session.data$.subscribe({
    next: (data) => queue.push(data),
    complete: () => queue.finish(),
    error: (error: unknown) => queue.finish(error as DtlsError),
  });
  const done = (): IteratorResult<Uint8Array> => {
    subscription.unsubscribe();
    return { done: true, value: undefined };
  };
  const iterator: SessionDataIterator = {
    get dropped() {
      return queue.dropped;
    },
    async next() {
      try {
        const item = await queue.take(Number.POSITIVE_INFINITY);
        return item === END ? done() : { done: false, value: item };
      } catch (error) {
        done();
        throw error;
      }
    },
    async return() {
      queue.finish();
      queue.clear();
      return done();
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
