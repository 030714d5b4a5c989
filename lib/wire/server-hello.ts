import { decodeExtensions, writeExtensions } from './extensions.js';
import type { Extension } from './extension-type.js';
import { checkHelloFields, readRandom, readSessionId } from './hello-fields.js';
import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/** RFC 5246 §7.4.1.3 (unchanged in DTLS 1.2 apart from the version number). */
export interface ServerHello {
  serverVersion: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuite: number;
  compressionMethod: number;
  extensions: Extension[];
}

/** The extensions block is omitted when there are none. */
export function encodeServerHello(x: ServerHello): Uint8Array {
  checkHelloFields(x.random, x.sessionId);
  const w = new Writer()
    .uint16(x.serverVersion)
    .bytes(x.random)
    .vector8(x.sessionId)
    .uint16(x.cipherSuite)
    .uint8(x.compressionMethod);
  if (x.extensions.length > 0) writeExtensions(w, x.extensions);
  return w.finish();
}

export function decodeServerHello(body: Uint8Array): Result<ServerHello> {
  return decode('ServerHello', body, (r) => ({
    serverVersion: r.uint16('server_version'),
    random: readRandom(r),
    sessionId: readSessionId(r),
    cipherSuite: r.uint16('cipher_suite'),
    compressionMethod: r.uint8('compression_method'),
    extensions: r.atEnd ? [] : decodeExtensions(r),
  }));
}
