// Field rules shared by ClientHello and ServerHello (RFC 5246 §7.4.1.2-3).
import type { Reader } from './reader.js';

/** Random: gmt_unix_time(4) + random_bytes(28), treated as 32 opaque bytes. */
export const RANDOM_LENGTH = 32;
/** SessionID: opaque<0..32>. */
export const MAX_SESSION_ID_LENGTH = 32;

export function readRandom(r: Reader): Uint8Array {
  return r.bytes(RANDOM_LENGTH, 'random');
}

export function readSessionId(r: Reader): Uint8Array {
  return r.vector8('session_id', 0, MAX_SESSION_ID_LENGTH);
}

/** Throws on values an encoder cannot put on the wire (programmer errors). */
export function checkHelloFields(random: Uint8Array, sessionId: Uint8Array): void {
  if (random.length !== RANDOM_LENGTH) throw new RangeError(`random must be ${RANDOM_LENGTH} bytes`);
  if (sessionId.length > MAX_SESSION_ID_LENGTH) throw new RangeError('session_id longer than 32 bytes');
}
