// RFC 8446 §4.2.2: cookie (44), struct { opaque cookie<1..2^16-1>; } Cookie. A server puts
// it in a HelloRetryRequest and the client echoes it in its second ClientHello. In DTLS 1.3
// it is the return-routability check that HelloVerifyRequest was in 1.2 (RFC 9147 §5.1),
// and the ClientHello's legacy_cookie field stays empty.
import { ExtensionType, type Extension } from './extension-type.js';
import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

export function encodeCookieExtension(cookie: Uint8Array): Extension {
  if (cookie.length === 0 || cookie.length > 0xffff) throw new RangeError(`a cookie is 1 to 65535 bytes, got ${cookie.length}`);
  return { type: ExtensionType.cookie, data: new Writer(2 + cookie.length).vector16(cookie).finish() };
}

/** The cookie, as a view; an empty one is 'invalid'. */
export function decodeCookieExtension(data: Uint8Array): Result<Uint8Array> {
  return decode('Cookie', data, (r) => r.vector16('cookie', 1));
}
