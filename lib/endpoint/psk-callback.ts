import { utf8, type Bytes } from '../credentials/credential-store.js';
import type { ClientPskSelector } from '../handshake/psk-credentials.js';

/** What a client's pskCallback chooses: the identity to send and its key. */
export interface PskCallbackResult {
  /** The PSK identity, sent in the clear (text is taken as UTF-8). */
  readonly identity: Bytes;
  /** The key. */
  readonly psk: Bytes;
}

/**
 * Chooses the client's pre-shared key once the server's identity hint is known
 * (RFC 4279 §2: the hint in ServerKeyExchange; null when the server sent none), as
 * Node's `tls.connect({ pskCallback })` does. Null or undefined ends the handshake
 * with handshake_failure. Synchronous: the ClientKeyExchange goes out at once.
 */
export type PskCallback = (hint: string | null) => PskCallbackResult | null | undefined;

const toBytes = (value: Bytes): Uint8Array => (typeof value === 'string' ? utf8(value) : value);

/** The handshake's PSK selector for a user's callback; a callback that throws chooses nothing. */
export function pskSelector(callback: PskCallback): ClientPskSelector {
  return (hint) => {
    let chosen: PskCallbackResult | null | undefined;
    try {
      // RFC 4279 §5.2: the hint is a string, UTF-8 by convention.
      chosen = callback(hint.length === 0 ? null : new TextDecoder().decode(hint));
    } catch {
      return undefined;
    }
    if (!chosen) return undefined;
    const key = toBytes(chosen.psk);
    return key.length === 0 ? undefined : { identity: toBytes(chosen.identity), key };
  };
}
