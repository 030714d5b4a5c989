import { fail, ok, type Result } from './result.js';

/**
 * RFC 5246 §7.4.9: verify_data fills the whole body. Its length is set by the cipher
 * suite (12 bytes unless a suite says otherwise), so checking it is left to the
 * handshake, which knows the suite.
 */
export interface Finished {
  verifyData: Uint8Array;
}

export function encodeFinished(x: Finished): Uint8Array {
  if (x.verifyData.length === 0) throw new RangeError('verify_data must not be empty');
  return x.verifyData.slice();
}

export function decodeFinished(body: Uint8Array): Result<Finished> {
  return body.length === 0 ? fail('truncated', 'Finished.verify_data') : ok({ verifyData: body });
}
