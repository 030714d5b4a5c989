import { encodeClientHello, type ClientHello } from '../wire/client-hello.js';
import { ExtensionType, type Extension } from '../wire/extension-type.js';

/** Bytes of an extension's type and length fields. */
const EXTENSION_HEADER = 4;

/**
 * The padding extension (RFC 7685: zero bytes, which the server ignores) that brings a
 * ClientHello's body to at least `length` bytes; none when it is that long already.
 */
export function paddingTo(hello: ClientHello, length: number): Extension[] {
  const missing = length - encodeClientHello(hello).length;
  if (missing <= 0) return [];
  return [{ type: ExtensionType.padding, data: new Uint8Array(Math.max(0, missing - EXTENSION_HEADER)) }];
}
