/**
 * The CryptoProvider interface speaks plain Uint8Array. node:crypto returns Buffers, which
 * are Uint8Array subclasses; this gives a plain view of the same memory, so no copy is made
 * and no platform type leaks to the record layer or the handshake.
 */
export function plain(buffer: Uint8Array): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** base64url without padding, as JWK (RFC 7517) encodes key material. */
export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

export function fromBase64url(text: string): Uint8Array {
  return plain(Buffer.from(text, 'base64url'));
}

/** Byte equality for cache hits on key material; not a MAC check, but constant time costs nothing here. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
