import { ExtensionType, type Extension } from './extension-type.js';
import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/** RFC 9146 §3: a CID is opaque cid<0..2^8-1>; a zero-length one asks the peer to send without one. */
export const MAX_CONNECTION_ID_LENGTH = 255;

/**
 * RFC 9146 §3: `struct { opaque cid<0..2^8-1>; } ConnectionId;`, the CID the sender wants
 * to receive in the records sent to it, the same in ClientHello and ServerHello.
 */
export function encodeConnectionIdExtension(cid: Uint8Array): Extension {
  if (cid.length > MAX_CONNECTION_ID_LENGTH) throw new RangeError(`a connection ID has at most 255 bytes, got ${cid.length}`);
  const w = new Writer(cid.length + 1);
  w.vector8(cid);
  return { type: ExtensionType.connection_id, data: w.finish() };
}

export function decodeConnectionIdExtension(data: Uint8Array): Result<Uint8Array> {
  return decode('ConnectionId', data, (r) => r.vector8('cid'));
}
