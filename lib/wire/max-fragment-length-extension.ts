// RFC 6066 §4: max_fragment_length (1). Its extension_data is one byte,
// enum { 2^9(1), 2^10(2), 2^11(3), 2^12(4), (255) } MaxFragmentLength; the server
// echoes the client's value to accept it.
import { ExtensionType, type Extension } from './extension-type.js';
import { decode } from './reader.js';
import type { Result } from './result.js';

/** A max_fragment_length in bytes: one of the four RFC 6066 §4 allows (2^9..2^12). */
export type MaxFragmentLength = 512 | 1024 | 2048 | 4096;

/** The fragment lengths RFC 6066 §4 allows, in the order of their codes 1..4. */
export const MAX_FRAGMENT_LENGTHS: readonly MaxFragmentLength[] = [512, 1024, 2048, 4096];

export function encodeMaxFragmentLengthExtension(length: MaxFragmentLength): Extension {
  const code = MAX_FRAGMENT_LENGTHS.indexOf(length) + 1;
  if (code === 0) throw new RangeError(`max_fragment_length ${String(length)} is not one of ${MAX_FRAGMENT_LENGTHS.join(', ')}`);
  return { type: ExtensionType.max_fragment_length, data: Uint8Array.of(code) };
}

/** The length in bytes; a code outside 1..4 is 'invalid' (RFC 6066 §4: illegal_parameter). */
export function decodeMaxFragmentLengthExtension(data: Uint8Array): Result<MaxFragmentLength> {
  return decode('MaxFragmentLength', data, (r) => {
    const code = r.uint8('max_fragment_length');
    const length = MAX_FRAGMENT_LENGTHS[code - 1];
    if (length === undefined) r.fail('invalid', 'max_fragment_length');
    return length;
  });
}
