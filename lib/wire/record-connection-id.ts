import { ContentType } from './constants.js';
import { unifiedHeaderHasCid } from './unified-header.js';

/** Where the CID starts in a tls12_cid record: after type, version, epoch and sequence_number (RFC 9146 §4). */
const TLS12_CID_OFFSET = 11;

/**
 * Where the Connection ID of a datagram's first record starts, when that record carries
 * one: a DTLS 1.2 tls12_cid record (RFC 9146 §4) after its type, version, epoch and
 * sequence number; a DTLS 1.3 unified header with C set (RFC 9147 §4) right after its first
 * byte. The two cannot be confused: every 1.2 content type is 0b0001xxxx, a unified header
 * 0b001xxxxx. How long the CID is the receiver knows, not the record (RFC 9146 §4).
 */
export function connectionIdOffset(datagram: Uint8Array): number | undefined {
  const first = datagram[0];
  if (first === ContentType.tls12_cid) return TLS12_CID_OFFSET;
  return first !== undefined && unifiedHeaderHasCid(first) ? 1 : undefined;
}
