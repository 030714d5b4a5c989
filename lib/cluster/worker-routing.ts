import { connectionIdOffset } from '../wire/record-connection-id.js';
import type { PeerAddress } from '../transport/datagram.js';

/**
 * Which worker of `workers` a datagram belongs to, with no state about any peer:
 *
 * - a record with a CID (a 1.2 tls12_cid record, RFC 9146; a 1.3 unified header with C
 *   set, RFC 9147 §4) goes to the worker whose index is the first byte of the CID, wherever
 *   it came from: the worker issued that CID, so a client whose NAT rebound its port still
 *   reaches its session;
 * - anything else goes to the worker the peer's address and port hash to, so every datagram
 *   of a peer (its cookie exchange, its handshake, its records) reaches the same worker, and
 *   the primary remembers nothing before (or after) a worker has verified the peer's cookie.
 *
 * A CID naming no worker gives undefined: the datagram is dropped. The hash is keyed with
 * `seed`, random per cluster, so no peer can pick source ports that pile onto one worker
 * for other peers' sessions.
 */
export function workerFor(data: Uint8Array, peer: PeerAddress, workers: number, seed: number): number | undefined {
  const at = connectionIdOffset(data);
  if (at !== undefined && data.length > at) {
    const index = data[at];
    return index < workers ? index : undefined;
  }
  return addressHash(peer, seed) % workers;
}

/**
 * FNV-1a over the address and the port, starting from `seed`, then MurmurHash3's finalizer:
 * FNV's low bits alone follow the parity of its input, and a modulo of a few workers reads
 * only those, so the finalizer mixes every bit into them.
 */
function addressHash({ address, port }: PeerAddress, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < address.length; i++) hash = Math.imul(hash ^ address.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash ^ port, 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}
