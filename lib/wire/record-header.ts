import { ContentType, RECORD_HEADER_LENGTH } from './constants.js';
import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/** RFC 6347 §4.1: the DTLSPlaintext header that precedes every record; RFC 9146 §4 adds a CID to tls12_cid records. */
export interface RecordHeader {
  /** The ContentType (tls12_cid for a record with a Connection ID: its real type is inside the protected fragment). */
  contentType: number;
  /** The record version (0xfefd for DTLS 1.2; 0xfeff allowed in a first ClientHello). */
  version: number;
  /** The epoch, incremented with each ChangeCipherSpec. */
  epoch: number;
  /** 48-bit, per epoch. */
  sequenceNumber: number;
  /** RFC 9146 §4: the Connection ID of a tls12_cid record, between sequence_number and length (a view). */
  cid?: Uint8Array;
  /** Length of the record's fragment that follows the header. */
  length: number;
}

/** Bytes of the header on the wire: 13, plus the CID of a tls12_cid record. */
export function recordHeaderLength(h: Pick<RecordHeader, 'cid'>): number {
  return RECORD_HEADER_LENGTH + (h.cid?.length ?? 0);
}

export function encodeRecordHeader(h: RecordHeader): Uint8Array {
  const w = new Writer(recordHeaderLength(h)).uint8(h.contentType).uint16(h.version).uint16(h.epoch).uint48(h.sequenceNumber);
  if (h.cid !== undefined) w.bytes(h.cid);
  return w.uint16(h.length).finish();
}

/**
 * Decodes the header at the start of `bytes`; whatever follows is the record's fragment
 * and further records, which this does not look at. Deciding whether the content type
 * and version are acceptable, and whether `length` bytes are really there, belongs to the
 * record layer (RFC 6347 §4.1.2.7: it drops such records rather than failing).
 *
 * RFC 9146 §4: the CID's length is not on the wire, the receiver knows it (it chose its
 * CID), so a tls12_cid record is read with `cidLength` bytes of CID; with `cidLength` 0
 * (no CID of ours) such a record cannot be ours and fails as 'invalid'.
 */
export function decodeRecordHeader(bytes: Uint8Array, cidLength = 0): Result<RecordHeader> {
  const headerLength = bytes[0] === ContentType.tls12_cid ? RECORD_HEADER_LENGTH + cidLength : RECORD_HEADER_LENGTH;
  return decode('RecordHeader', bytes.subarray(0, headerLength), (r) => {
    const contentType = r.uint8('type');
    const version = r.uint16('version');
    const epoch = r.uint16('epoch');
    const sequenceNumber = r.uint48('sequence_number');
    if (contentType !== ContentType.tls12_cid) return { contentType, version, epoch, sequenceNumber, length: r.uint16('length') };
    if (cidLength === 0) r.fail('invalid', 'cid');
    const cid = r.bytes(cidLength, 'cid');
    return { contentType, version, epoch, sequenceNumber, cid, length: r.uint16('length') };
  });
}
