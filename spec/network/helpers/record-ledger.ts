import { bytesToHex } from '@noble/hashes/utils.js';

/** Content type of application data records (RFC 5246 §6.2.1). */
const APPLICATION_DATA = 23;
const RECORD_HEADER = 13;

/**
 * Application data records as they went onto a link and as they came off it,
 * so a spec can tell which records the link delivered intact: the same epoch and
 * sequence number with the very same bytes. Records are read straight from the
 * RFC 6347 §4.1 header layout, independently of lib/record, so a bug there
 * cannot hide here.
 */
export class RecordLedger {
  private readonly sent = new Map<string, Uint8Array>();
  private readonly intact = new Set<string>();
  /** Copies of records that came off the link with bytes that differ from any sent. */
  damaged = 0;

  /** A datagram as it went onto the link. */
  onSent(datagram: Uint8Array): void {
    for (const { key, bytes } of applicationRecords(datagram)) this.sent.set(key, bytes.slice());
  }

  /** A datagram as the link delivered it. */
  onDelivered(datagram: Uint8Array): void {
    for (const { key, bytes } of applicationRecords(datagram)) {
      const original = this.sent.get(key);
      if (original && equal(original, bytes)) this.intact.add(key);
      else this.damaged++;
    }
  }

  /** Distinct application records sent. */
  get sentCount(): number {
    return this.sent.size;
  }

  /** Distinct application records the link delivered at least once with their bytes unchanged. */
  get intactCount(): number {
    return this.intact.size;
  }
}

function* applicationRecords(datagram: Uint8Array): Generator<{ key: string; bytes: Uint8Array }> {
  let at = 0;
  while (at + RECORD_HEADER <= datagram.length) {
    const length = (datagram[at + 11] << 8) | datagram[at + 12];
    const end = at + RECORD_HEADER + length;
    // A damaged length: the rest of the datagram cannot be split, just as for the receiver.
    if (end > datagram.length) return;
    if (datagram[at] === APPLICATION_DATA) {
      const epoch = (datagram[at + 3] << 8) | datagram[at + 4];
      const sequence = bytesToHex(datagram.subarray(at + 5, at + 11));
      yield { key: `${epoch}:${sequence}`, bytes: datagram.subarray(at, end) };
    }
    at = end;
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
