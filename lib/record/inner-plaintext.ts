import { MAX_PLAINTEXT_LENGTH } from '../wire/constants.js';

/**
 * RFC 9146 §4: `struct { opaque content[length]; ContentType real_type; uint8 zeros[length_of_padding]; }
 * DTLSInnerPlaintext`, the plaintext a tls12_cid record protects. We send no padding
 * (every byte counts on a constrained link); a peer may pad.
 */
export function encodeInnerPlaintext(contentType: number, content: Uint8Array): Uint8Array {
  const inner = new Uint8Array(content.length + 1);
  inner.set(content);
  inner[content.length] = contentType;
  return inner;
}

/**
 * The real content type and the content (a view) of a DTLSInnerPlaintext: the last
 * non-zero byte is the type, the zeros after it padding (RFC 9146 §4; the same structure in
 * every DTLS 1.3 record, RFC 9147 §4, whose sealing record-cipher13.ts writes in place). Undefined when
 * every byte is zero (no type at all) or the content exceeds 2^14 bytes: the record is dropped.
 */
export function decodeInnerPlaintext(inner: Uint8Array): { readonly contentType: number; readonly content: Uint8Array } | undefined {
  let end = inner.length - 1;
  while (end >= 0 && inner[end] === 0) end--;
  if (end < 0 || end > MAX_PLAINTEXT_LENGTH) return undefined;
  return { contentType: inner[end], content: inner.subarray(0, end) };
}
