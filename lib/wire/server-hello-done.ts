import { fail, ok, type Result } from './result.js';

/** RFC 5246 §7.4.5: ServerHelloDone has an empty body. */
export function encodeServerHelloDone(): Uint8Array {
  return new Uint8Array(0);
}

export function decodeServerHelloDone(body: Uint8Array): Result<true> {
  return body.length === 0 ? ok(true) : fail('overlong', 'ServerHelloDone');
}
