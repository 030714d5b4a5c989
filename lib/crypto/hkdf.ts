import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256, sha384 } from '@noble/hashes/sha2.js';
import type { HashAlgorithm } from './hash.js';

const HASHES = { sha256, sha384 } as const;
const encoder = new TextEncoder();

/**
 * The label prefix of HKDF-Expand-Label: "tls13 " in TLS 1.3 (RFC 8446 §7.1), "dtls13" in
 * DTLS 1.3 (RFC 9147 §5.9, no trailing space, so that every label still fits one hash block
 * and the two protocols never derive the same key).
 */
export type LabelPrefix = 'dtls13' | 'tls13 ';

/** RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM). An empty or absent salt is a string of HashLen zeros. */
export function hkdfExtract(hash: HashAlgorithm, salt: Uint8Array | undefined, ikm: Uint8Array): Uint8Array {
  return extract(HASHES[hash], ikm, salt);
}

/** RFC 5869 §2.3: `length` bytes of output keying material from `prk` (at least HashLen bytes) and `info`; at most 255 * HashLen, more is a caller bug and throws. */
export function hkdfExpand(hash: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return expand(HASHES[hash], prk, info, length);
}

/**
 * RFC 8446 §7.1 HKDF-Expand-Label(Secret, Label, Context, Length) = HKDF-Expand(Secret,
 * HkdfLabel, Length), where HkdfLabel is uint16 length || opaque label<7..255> (prefix +
 * Label) || opaque context<0..255>. Throws RangeError on a label or context that does not
 * fit its length field (they are ours, never a peer's).
 */
export function hkdfExpandLabel(
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
  prefix: LabelPrefix = 'dtls13',
): Uint8Array {
  const fullLabel = encoder.encode(prefix + label);
  if (fullLabel.length < 7 || fullLabel.length > 255) throw new RangeError(`HKDF label "${prefix}${label}" must be 7..255 bytes`);
  if (context.length > 255) throw new RangeError(`HKDF context of ${context.length} bytes exceeds 255`);
  if (!Number.isInteger(length) || length < 0 || length > 0xffff) throw new RangeError(`HKDF-Expand-Label length must be a uint16, got ${length}`);
  const info = new Uint8Array(2 + 1 + fullLabel.length + 1 + context.length);
  info[0] = length >>> 8;
  info[1] = length & 0xff;
  info[2] = fullLabel.length;
  info.set(fullLabel, 3);
  info[3 + fullLabel.length] = context.length;
  info.set(context, 4 + fullLabel.length);
  return hkdfExpand(hash, secret, info, length);
}

/**
 * RFC 8446 §7.1 Derive-Secret(Secret, Label, Messages) = HKDF-Expand-Label(Secret, Label,
 * Transcript-Hash(Messages), Hash.length). Takes the transcript hash itself, so the caller
 * keeps one running hash instead of the messages.
 */
export function deriveSecret(
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  transcriptHash: Uint8Array,
  prefix: LabelPrefix = 'dtls13',
): Uint8Array {
  return hkdfExpandLabel(hash, secret, label, transcriptHash, HASHES[hash].outputLen, prefix);
}
