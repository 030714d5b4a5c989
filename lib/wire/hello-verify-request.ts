import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/** RFC 6347 §4.2.1: the server's stateless cookie challenge. */
export interface HelloVerifyRequest {
  /**
   * RFC 6347 §4.2.1: servers should send DTLS 1.0 (0xfeff) here whatever version
   * they will negotiate, so this is not a version negotiation.
   */
  serverVersion: number;
  cookie: Uint8Array;
}

export function encodeHelloVerifyRequest(x: HelloVerifyRequest): Uint8Array {
  return new Writer(3 + x.cookie.length).uint16(x.serverVersion).vector8(x.cookie).finish();
}

/** `opaque cookie<0..2^8-1>` per RFC 6347 (DTLS 1.0 allowed at most 32 bytes). */
export function decodeHelloVerifyRequest(body: Uint8Array): Result<HelloVerifyRequest> {
  return decode('HelloVerifyRequest', body, (r) => ({
    serverVersion: r.uint16('server_version'),
    cookie: r.vector8('cookie'),
  }));
}
