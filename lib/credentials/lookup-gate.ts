import type { MaybePromise } from '../handshake/handshake-step.js';

interface Waiting {
  readonly signal: AbortSignal;
  readonly start: () => void;
  readonly onAbort: () => void;
}

/**
 * Bounds the user's async lookups (PSK by identity, raw-key trust) an endpoint runs at
 * once: a lookup may be a database query, and a flood of handshakes must not become a
 * flood of queries. Beyond the bound a lookup waits its turn, first come first served.
 * A waiting lookup belongs to a live handshake (each runs one lookup at a time) and
 * leaves the queue when that handshake's signal aborts, so the queue is never longer
 * than the handshakes in progress. A slot is held until the user's promise settles,
 * so a lookup that ignores its signal still counts while it runs.
 */
export class LookupGate {
  private running = 0;
  private readonly waiting: Waiting[] = [];

  constructor(private readonly maxRunning: number) {}

  /** Lookups started and not yet settled. */
  get inFlight(): number {
    return this.running;
  }

  /** Lookups waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Runs `lookup` now if a slot is free (a synchronous answer comes back synchronously),
   * else once one is; rejects with the signal's reason, without running it, if the
   * signal aborts first.
   */
  run<T>(lookup: () => MaybePromise<T>, signal: AbortSignal): MaybePromise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.running < this.maxRunning) return this.start(lookup);
    return new Promise<T>((resolve, reject) => {
      const entry: Waiting = {
        signal,
        start: () => {
          signal.removeEventListener('abort', entry.onAbort);
          Promise.resolve(this.start(lookup)).then(resolve, reject);
        },
        onAbort: () => {
          this.waiting.splice(this.waiting.indexOf(entry), 1);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', entry.onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  private start<T>(lookup: () => MaybePromise<T>): MaybePromise<T> {
    this.running++;
    let result: MaybePromise<T>;
    try {
      result = lookup();
    } catch (error) {
      result = Promise.reject(error);
    }
    if (!(result instanceof Promise)) {
      this.release();
      return result;
    }
    return result.finally(() => this.release());
  }

  private release(): void {
    this.running--;
    while (this.running < this.maxRunning && this.waiting.length > 0) this.waiting.shift()!.start();
  }
}
