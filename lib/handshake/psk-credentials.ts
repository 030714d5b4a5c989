import type { MaybePromise } from './handshake-step.js';
import type { LookupContext } from './lookup-context.js';

/** A pre-shared key and the identity it is known by (RFC 4279). */
export interface PskCredential {
  /** The PSK identity sent in ClientKeyExchange (RFC 4279 §2). */
  readonly identity: Uint8Array;
  /** The pre-shared key itself; never sent. */
  readonly key: Uint8Array;
}

/** Client side: choose a PSK, given the server's identity hint (empty when none was sent). */
export type ClientPskSelector = (hint: Uint8Array) => PskCredential | undefined;

/**
 * Server side: the key for an identity, or undefined when it is unknown. May be async (a
 * fleet keeps keys in a database); `context.signal` says when the handshake no longer needs it.
 */
export type ServerPskLookup = (identity: Uint8Array, context?: LookupContext) => MaybePromise<Uint8Array | undefined>;
