// RFC 9147 §4: the unified header that starts every DTLS 1.3 DTLSCiphertext record:
//
//    0 1 2 3 4 5 6 7
//   +-+-+-+-+-+-+-+-+
//   |0|0|1|C|S|L|E E|   C: a Connection ID follows; S: the sequence number is 16 bits, not 8;
//   +-+-+-+-+-+-+-+-+   L: a 16-bit length is present; EE: the low two bits of the epoch
//   | Connection ID |   (if C; its length is not on the wire: the receiver chose it)
//   | 8 or 16 bit   |
//   |Sequence Number|   (protected by record number encryption, §4.2.3: as on the wire here)
//   | 16 bit Length |   (if L; without it the record runs to the end of the datagram)
//   +-+-+-+-+-+-+-+-+
//
// The header is also the AAD of the record's AEAD, with the sequence number unmasked
// (§4.2.3): that is the record layer's business (lib/record), as are reconstructing the full
// epoch and sequence number from these bits (§4.2.2) and the CID check.
import { ContentType } from './constants.js';
import { MAX_CONNECTION_ID_LENGTH } from './connection-id-extension.js';
import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

const FIXED_BITS_MASK = 0b1110_0000;
const FIXED_BITS = 0b0010_0000;
const C_BIT = 0b0001_0000;
const S_BIT = 0b0000_1000;
const L_BIT = 0b0000_0100;
const EPOCH_BITS_MASK = 0b0000_0011;

export interface UnifiedHeader {
  /** The epoch's low two bits (0..3). */
  epochBits: number;
  /** The low 8 or 16 bits of the sequence number, as on the wire (still masked when received). */
  sequenceBits: number;
  /** 1 for an 8-bit sequence number, 2 for 16 bits (the S bit). */
  sequenceLength: 1 | 2;
  /** The Connection ID (the C bit), a view on decode. */
  cid?: Uint8Array;
  /** The record's length after the header (the L bit); absent: to the end of the datagram. */
  length?: number;
}

export interface DecodedUnifiedHeader {
  header: UnifiedHeader;
  /** Bytes of the header, from the record's first byte. */
  headerLength: number;
  /** Where the record ends in the datagram (exclusive): the next record, if any, starts there. */
  recordEnd: number;
}

/** Whether a record's first byte has the fixed bits 001 of a unified header (§4). */
export function isUnifiedHeader(firstByte: number): boolean {
  return (firstByte & FIXED_BITS_MASK) === FIXED_BITS;
}

/** What a DTLS 1.3 receiver makes of a record by its first byte (RFC 9147 §4.1). */
export type RecordFormat13 = 'plaintext' | 'ciphertext' | 'reject';

/**
 * RFC 9147 §4.1, for a DTLS 1.3 association: alert(21), handshake(22) and ack(26) are
 * DTLSPlaintext records (the 13-byte header of record-header.ts); any other first byte
 * with the bits 001 is a DTLSCiphertext with a unified header; everything else, 1.2's
 * change_cipher_spec, application_data, heartbeat and tls12_cid among them, is rejected
 * as if it had failed deprotection (silently dropped, §4.5.2). Before the version is known
 * the 1.2 rules still apply: this is for after 1.3 was chosen.
 */
export function demultiplexRecord13(firstByte: number): RecordFormat13 {
  if (firstByte === ContentType.alert || firstByte === ContentType.handshake || firstByte === ContentType.ack) return 'plaintext';
  return isUnifiedHeader(firstByte) ? 'ciphertext' : 'reject';
}

/** Bytes a unified header with these fields takes on the wire. */
export function unifiedHeaderLength(h: Pick<UnifiedHeader, 'cid' | 'sequenceLength' | 'length'>): number {
  return 1 + (h.cid?.length ?? 0) + h.sequenceLength + (h.length === undefined ? 0 : 2);
}

export function encodeUnifiedHeader(h: UnifiedHeader): Uint8Array {
  if (!Number.isInteger(h.epochBits) || h.epochBits < 0 || h.epochBits > EPOCH_BITS_MASK) throw new RangeError(`epochBits is 0..3, got ${h.epochBits}`);
  if (h.sequenceLength !== 1 && h.sequenceLength !== 2) throw new RangeError(`sequenceLength is 1 or 2, got ${String(h.sequenceLength)}`);
  if (h.cid !== undefined && (h.cid.length === 0 || h.cid.length > MAX_CONNECTION_ID_LENGTH)) {
    // An empty CID sets no C bit: a receiver that chose none reads no CID (RFC 9146 §3).
    throw new RangeError(`a CID in the header has 1 to 255 bytes, got ${h.cid.length}`);
  }
  const flags = FIXED_BITS | (h.cid ? C_BIT : 0) | (h.sequenceLength === 2 ? S_BIT : 0) | (h.length === undefined ? 0 : L_BIT) | h.epochBits;
  const w = new Writer(unifiedHeaderLength(h)).uint8(flags);
  if (h.cid) w.bytes(h.cid);
  if (h.sequenceLength === 2) w.uint16(h.sequenceBits);
  else w.uint8(h.sequenceBits);
  if (h.length !== undefined) w.uint16(h.length);
  return w.finish();
}

/**
 * Reads the unified header of the record starting at `offset` in `datagram`. `cidLength`
 * is the length of the CID this endpoint asked the peer to send (0 for none): a header
 * with the C bit when we have no CID cannot be ours ('invalid'), and so cannot a first
 * byte without the bits 001. A length running past the datagram is 'truncated': records
 * never span datagrams (§4.3). Whether a record without a CID is acceptable when one was
 * negotiated is the record layer's call.
 */
export function decodeUnifiedHeader(datagram: Uint8Array, offset: number, cidLength: number): Result<DecodedUnifiedHeader> {
  const flags = datagram[offset] ?? 0;
  const headerLength = 1 + (flags & C_BIT ? cidLength : 0) + (flags & S_BIT ? 2 : 1) + (flags & L_BIT ? 2 : 0);
  return decode('UnifiedHeader', datagram.subarray(offset, offset + headerLength), (r) => {
    const first = r.uint8('flags');
    if (!isUnifiedHeader(first)) r.fail('invalid', 'flags');
    if ((first & C_BIT) !== 0 && cidLength === 0) r.fail('invalid', 'connection_id');
    const cid = first & C_BIT ? r.bytes(cidLength, 'connection_id') : undefined;
    const sequenceLength = first & S_BIT ? 2 : 1;
    const sequenceBits = sequenceLength === 2 ? r.uint16('sequence_number') : r.uint8('sequence_number');
    const length = first & L_BIT ? r.uint16('length') : undefined;
    const recordEnd = length === undefined ? datagram.length : offset + headerLength + length;
    if (recordEnd > datagram.length) r.fail('truncated', 'encrypted_record');
    const header: UnifiedHeader = { epochBits: first & EPOCH_BITS_MASK, sequenceBits, sequenceLength };
    if (cid) header.cid = cid;
    if (length !== undefined) header.length = length;
    return { header, headerLength, recordEnd };
  });
}
