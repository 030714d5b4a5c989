import { DTLS_1_0, DTLS_1_2, MAX_CIPHERTEXT_LENGTH, RECORD_HEADER_LENGTH } from '../wire/constants.js';
import { decodeRecordHeader, recordHeaderLength, type RecordHeader } from '../wire/record-header.js';

/** One record as found in a datagram; `fragment` is a view into the datagram, not a copy. */
export interface RawRecord {
  /** The record header. */
  readonly header: RecordHeader;
  /** The protected (or, in epoch 0, plain) payload. */
  readonly fragment: Uint8Array;
}

export interface SplitResult {
  readonly records: RawRecord[];
  /** Records (or trailing bytes) dropped because they could not be used. */
  readonly malformed: number;
}

/**
 * Splits a datagram into its records (RFC 6347 §4.1.1: a datagram may carry
 * several). Total: never throws, never reads past the end.
 *
 * A header that does not decode, or a length that runs past the datagram,
 * ends the parse: without a trustworthy length the next record boundary is
 * unknown, so the rest of the datagram is counted once as malformed. A record
 * whose boundary is known but whose version is not DTLS 1.0/1.2, or whose
 * length exceeds 2^14 + 2048 (RFC 6347 §4.1, RFC 5246 §6.2.3), is skipped,
 * counted, and parsing goes on with the next one. DTLS 1.0 is allowed because
 * a ClientHello may carry it in the record layer (RFC 6347 §4.1).
 *
 * `cidLength` is the length of our own Connection ID (RFC 9146 §4: the receiver knows
 * it, the header does not say it); a tls12_cid record is read with that many bytes of
 * CID, and with 0 it cannot be ours and ends the parse like a header that does not decode.
 */
export function splitRecords(datagram: Uint8Array, cidLength = 0): SplitResult {
  return readRecords(datagram, cidLength, readRecord);
}

/** One record read at an offset: where it ends, and the record unless it is skipped; undefined when the rest cannot be read. */
export type RecordRead<R> = { readonly end: number; readonly record?: R } | undefined;

/**
 * The walk over a datagram's records that DTLS 1.2 and 1.3 share: `read` one after another;
 * a skipped record is counted and the walk goes on, an unreadable one ends it and the rest is
 * counted once.
 */
export function readRecords<R>(
  datagram: Uint8Array,
  cidLength: number,
  read: (datagram: Uint8Array, offset: number, cidLength: number) => RecordRead<R>,
): { records: R[]; malformed: number } {
  const records: R[] = [];
  let malformed = 0;
  let offset = 0;
  while (offset < datagram.length) {
    const next = read(datagram, offset, cidLength);
    if (next === undefined) {
      malformed++;
      break;
    }
    offset = next.end;
    if (next.record) records.push(next.record);
    else malformed++;
  }
  return { records, malformed };
}

/**
 * The datagram's first record, when it is a usable one; the rest of the datagram is
 * not read. For a look at one record, such as the cookie gate's at a ClientHello,
 * that must cost the same however many records follow.
 */
export function firstRecord(datagram: Uint8Array, cidLength = 0): RawRecord | undefined {
  return datagram.length === 0 ? undefined : readRecord(datagram, 0, cidLength)?.record;
}

/**
 * The record at `offset`: undefined when its boundary cannot be trusted (the parse
 * ends there), else where it ends and, unless it must be skipped, the record.
 */
function readRecord(datagram: Uint8Array, offset: number, cidLength: number): RecordRead<RawRecord> {
  if (offset + RECORD_HEADER_LENGTH > datagram.length) return undefined;
  const decoded = decodeRecordHeader(datagram.subarray(offset), cidLength);
  if (!decoded.ok) return undefined;
  const header = decoded.value;
  const fragmentStart = offset + recordHeaderLength(header);
  const end = fragmentStart + header.length;
  if (end > datagram.length) return undefined;
  if ((header.version !== DTLS_1_2 && header.version !== DTLS_1_0) || header.length > MAX_CIPHERTEXT_LENGTH) return { end };
  return { end, record: { header, fragment: datagram.subarray(fragmentStart, end) } };
}
