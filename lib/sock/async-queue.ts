import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import { DtlsError } from '../dtls-error.js';

/** What `take` resolves to once the queue finished cleanly and is drained. */
export const END: unique symbol = Symbol('end of queue');

interface Taker<T> {
  readonly resolve: (item: T | typeof END) => void;
  readonly reject: (error: Error) => void;
  timer?: Subscription;
}

/**
 * A bounded FIFO between a push source (an Observable) and pull consumers
 * (`await take(timeout)`): what blocking receive calls need. Items beyond the
 * capacity are dropped and counted, as a full socket receive buffer drops
 * datagrams; timeouts run on a scheduler.
 */
export class AsyncQueue<T> {
  /** Items refused because the queue was full. */
  dropped = 0;
  private readonly items: T[] = [];
  private readonly takers: Taker<T>[] = [];
  private finished = false;
  private failure?: Error;

  constructor(
    private readonly capacity: number,
    private readonly scheduler: SchedulerLike = asyncScheduler,
  ) {}

  get length(): number {
    return this.items.length;
  }

  /** Hands the item to the oldest waiting taker, or keeps it; false when it was dropped. */
  push(item: T): boolean {
    if (this.finished) return false;
    const taker = this.takers.shift();
    if (taker) {
      taker.timer?.unsubscribe();
      taker.resolve(item);
      return true;
    }
    if (this.items.length >= this.capacity) {
      this.dropped++;
      return false;
    }
    this.items.push(item);
    return true;
  }

  /**
   * The next item; waits up to `timeout` ms (Infinity: forever; 0: not at all)
   * and then rejects with ETIMEDOUT. After `finish`, resolves END (or rejects
   * with the failure) once the items left are taken.
   */
  take(timeout: number): Promise<T | typeof END> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift() as T);
    if (this.finished) return this.failure ? Promise.reject(this.failure) : Promise.resolve(END);
    if (timeout <= 0) return Promise.reject(timedOut(timeout));
    return new Promise((resolve, reject) => {
      const taker: Taker<T> = { resolve, reject };
      if (Number.isFinite(timeout)) {
        taker.timer = this.scheduler.schedule(() => {
          this.takers.splice(this.takers.indexOf(taker), 1);
          reject(timedOut(timeout));
        }, timeout);
      }
      this.takers.push(taker);
    });
  }

  /** No more items: waiting takers get END, or `failure`. */
  finish(failure?: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = failure;
    for (const taker of this.takers.splice(0)) {
      taker.timer?.unsubscribe();
      if (failure) taker.reject(failure);
      else taker.resolve(END);
    }
  }

  /** Forgets the items not taken yet. */
  clear(): void {
    this.items.length = 0;
  }
}

function timedOut(timeout: number): DtlsError {
  // RIOT's sock_dtls_recv: -EAGAIN when asked not to wait, -ETIMEDOUT when the wait ran out.
  return timeout <= 0 ? new DtlsError('EAGAIN', 'nothing to receive (timeout 0)') : new DtlsError('ETIMEDOUT', `nothing received within ${timeout} ms`);
}
