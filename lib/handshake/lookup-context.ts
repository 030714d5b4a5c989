/**
 * What a handshake tells the async lookups it waits on (a pre-shared key by identity,
 * a trust decision on a raw public key) besides the question itself.
 */
export interface LookupContext {
  /**
   * Aborted when the handshake that asked ends: evicted, timed out, failed, or its
   * endpoint closed. A lookup that queries a database can cancel the query then;
   * its answer would be thrown away.
   */
  readonly signal: AbortSignal;
}

/** The signal of a handshake nobody ends from outside (a state machine driven by hand, as in specs). */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;
