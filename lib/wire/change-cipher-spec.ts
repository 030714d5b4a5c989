import { fail, ok, type Result } from './result.js';

/** RFC 5246 §7.1: the ChangeCipherSpec record payload is the single byte 1. */
const CHANGE_CIPHER_SPEC = 1;

export function encodeChangeCipherSpec(): Uint8Array {
  return Uint8Array.of(CHANGE_CIPHER_SPEC);
}

export function decodeChangeCipherSpec(payload: Uint8Array): Result<true> {
  if (payload.length === 0) return fail('truncated', 'ChangeCipherSpec');
  if (payload[0] !== CHANGE_CIPHER_SPEC) return fail('invalid', 'ChangeCipherSpec.type');
  if (payload.length > 1) return fail('overlong', 'ChangeCipherSpec');
  return ok(true);
}
