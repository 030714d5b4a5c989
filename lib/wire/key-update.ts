// RFC 8446 §4.6.3: struct { KeyUpdateRequest request_update; } KeyUpdate, in DTLS 1.3 sent
// and acknowledged as RFC 9147 §8 says (the sender switches keys only once its KeyUpdate
// is ACKed).
import { decode } from './reader.js';
import type { Result } from './result.js';

export const KeyUpdateRequest = {
  /** The peer need not update its own sending keys in return. */
  update_not_requested: 0,
  /** The peer is to answer with a KeyUpdate of its own (update_not_requested). */
  update_requested: 1,
} as const;
export type KeyUpdateRequest = (typeof KeyUpdateRequest)[keyof typeof KeyUpdateRequest];

function isKeyUpdateRequest(n: number): n is KeyUpdateRequest {
  return n === KeyUpdateRequest.update_not_requested || n === KeyUpdateRequest.update_requested;
}

export function encodeKeyUpdate(request: KeyUpdateRequest): Uint8Array {
  if (!isKeyUpdateRequest(request)) throw new RangeError(`request_update is 0 or 1, got ${String(request)}`);
  return Uint8Array.of(request);
}

/** Any value but 0 and 1 is 'invalid': RFC 8446 §4.6.3 answers it with illegal_parameter. */
export function decodeKeyUpdate(body: Uint8Array): Result<KeyUpdateRequest> {
  return decode('KeyUpdate', body, (r) => {
    const request = r.uint8('request_update');
    return isKeyUpdateRequest(request) ? request : r.fail('invalid', 'request_update');
  });
}
