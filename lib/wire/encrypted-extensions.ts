// RFC 8446 §4.3.1: struct { Extension extensions<0..2^16-1>; } EncryptedExtensions, the
// 1.3 server's answer to the ClientHello extensions that do not shape the key exchange
// (ALPN, server_name, record_size_limit, supported_groups...), sent first under the
// handshake keys. Unchanged in DTLS 1.3. Unlike a hello's, the block is never omitted.
import { decodeExtensions, writeExtensions } from './extensions.js';
import type { Extension } from './extension-type.js';
import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

export function encodeEncryptedExtensions(extensions: readonly Extension[]): Uint8Array {
  const w = new Writer();
  writeExtensions(w, extensions);
  return w.finish();
}

/** The extensions as sent (a repeated type is 'invalid'); which may appear here is the handshake's check. */
export function decodeEncryptedExtensions(body: Uint8Array): Result<Extension[]> {
  return decode('EncryptedExtensions', body, (r) => decodeExtensions(r));
}
