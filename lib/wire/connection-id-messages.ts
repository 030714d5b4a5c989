// RFC 9147 §9: the DTLS 1.3 post-handshake messages that renew Connection IDs, once the
// connection_id extension (RFC 9146) was negotiated:
//   enum { cid_immediate(0), cid_spare(1), (255) } ConnectionIdUsage;
//   opaque ConnectionId<0..2^8-1>;
//   struct { ConnectionId cids<0..2^16-1>; ConnectionIdUsage usage; } NewConnectionId;
//   struct { uint8 num_cids; } RequestConnectionId;
import { MAX_CONNECTION_ID_LENGTH } from './connection-id-extension.js';
import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

export const ConnectionIdUsage = {
  /** One of the new CIDs must be used for all records from now on. */
  cid_immediate: 0,
  /** Spares: the peer may keep its CID or switch to one of these. */
  cid_spare: 1,
} as const;
export type ConnectionIdUsage = (typeof ConnectionIdUsage)[keyof typeof ConnectionIdUsage];

/** CIDs the sender wants to receive records with, best used in the order given (§9). */
export interface NewConnectionId {
  /** Views on decode. */
  cids: Uint8Array[];
  usage: ConnectionIdUsage;
}

/** Asks the peer for `numCids` more CIDs, which it should send as spares (§9). */
export interface RequestConnectionId {
  numCids: number;
}

function isConnectionIdUsage(n: number): n is ConnectionIdUsage {
  return n === ConnectionIdUsage.cid_immediate || n === ConnectionIdUsage.cid_spare;
}

export function encodeNewConnectionId(x: NewConnectionId): Uint8Array {
  if (!isConnectionIdUsage(x.usage)) throw new RangeError(`usage is cid_immediate or cid_spare, got ${String(x.usage)}`);
  for (const cid of x.cids) if (cid.length > MAX_CONNECTION_ID_LENGTH) throw new RangeError(`a connection ID has at most 255 bytes, got ${cid.length}`);
  const w = new Writer(3 + x.cids.reduce((n, c) => n + 1 + c.length, 0));
  w.vector16((l) => x.cids.forEach((c) => l.vector8(c)));
  return w.uint8(x.usage).finish();
}

/**
 * A usage other than cid_immediate and cid_spare is 'invalid': the receiver could not
 * tell how to use the CIDs. An empty list decodes (§9 lets an endpoint answer an
 * excessive RequestConnectionId with no CIDs at all).
 */
export function decodeNewConnectionId(body: Uint8Array): Result<NewConnectionId> {
  return decode('NewConnectionId', body, (r) => {
    const cids = r.list16('cids', (i) => i.vector8('ConnectionId'));
    const usage = r.uint8('usage');
    return { cids, usage: isConnectionIdUsage(usage) ? usage : r.fail('invalid', 'usage') };
  });
}

export function encodeRequestConnectionId(x: RequestConnectionId): Uint8Array {
  return new Writer(1).uint8(x.numCids).finish();
}

export function decodeRequestConnectionId(body: Uint8Array): Result<RequestConnectionId> {
  return decode('RequestConnectionId', body, (r) => ({ numCids: r.uint8('num_cids') }));
}
