import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

/**
 * Bytes from annotated hex: everything after `#` on a line is a comment, whitespace is
 * ignored, so golden vectors can be laid out one field per line.
 */
export function hex(annotated: string): Uint8Array {
  const digits = annotated
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('')
    .replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`bad hex: ${digits}`);
  return hexToBytes(digits);
}

export { bytesToHex as toHex };

/** ASCII text as bytes, for identities and host names in vectors. */
export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** n bytes counting up from `start` (mod 256): recognisable filler for randoms and keys. */
export function seq(n: number, start = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);
}
