import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ContentType, RECORD_HEADER_LENGTH } from '../../../lib/wire/constants.js';
import { decodeHandshakeFragments } from '../../../lib/wire/handshake-header.js';
import { decodeRecordHeader, type RecordHeader } from '../../../lib/wire/record-header.js';
import { hex } from './hex.js';

export type Direction = 'c>s' | 's>c';

export interface CapturedRecord {
  direction: Direction;
  header: RecordHeader;
  /** Header + payload exactly as on the wire. */
  raw: Uint8Array;
  payload: Uint8Array;
}

export interface CapturedMessage {
  direction: Direction;
  msgType: number;
  messageSeq: number;
  /** The reassembled handshake body. */
  body: Uint8Array;
  /** How many fragments it arrived in. */
  fragments: number;
}

const fixtureDir = fileURLToPath(new URL('../../fixtures/wire/', import.meta.url));

export function fixtureText(name: string): string {
  return readFileSync(fixtureDir + name, 'utf8');
}

/** DER bytes of the first PEM block in a fixture file. */
export function pemFixture(name: string): Uint8Array {
  const b64 = fixtureText(name).replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

/**
 * Every record of a capture made by spec/fixtures/wire/capture-relay.mjs, split out of
 * its datagram with the record header decoder under test.
 */
export function capturedRecords(name: string): CapturedRecord[] {
  const records: CapturedRecord[] = [];
  for (const line of fixtureText(name).split('\n')) {
    if (line.trim() === '') continue;
    const [direction, datagramHex] = line.split(' ') as [Direction, string];
    const datagram = hex(datagramHex);
    let at = 0;
    while (at < datagram.length) {
      const header = decodeRecordHeader(datagram.subarray(at));
      if (!header.ok) throw new Error(`${name}: bad record header at ${at}`);
      const end = at + RECORD_HEADER_LENGTH + header.value.length;
      if (end > datagram.length) throw new Error(`${name}: record runs past its datagram`);
      const raw = datagram.subarray(at, end);
      records.push({ direction, header: header.value, raw, payload: raw.subarray(RECORD_HEADER_LENGTH) });
      at = end;
    }
  }
  return records;
}

/**
 * The plaintext (epoch 0) handshake messages of a capture, reassembled from their
 * fragments. Retransmissions (same direction and message_seq) are kept only once.
 */
export function capturedMessages(name: string): CapturedMessage[] {
  const messages = new Map<string, CapturedMessage & { have: number }>();
  for (const rec of capturedRecords(name)) {
    if (rec.header.contentType !== ContentType.handshake || rec.header.epoch !== 0) continue;
    const fragments = decodeHandshakeFragments(rec.payload);
    if (!fragments.ok) throw new Error(`${name}: bad handshake record`);
    for (const f of fragments.value) {
      const key = `${rec.direction}/${f.messageSeq}/${f.msgType}`;
      let m = messages.get(key);
      if (!m) {
        m = { direction: rec.direction, msgType: f.msgType, messageSeq: f.messageSeq, body: new Uint8Array(f.length), fragments: 0, have: 0 };
        messages.set(key, m);
      }
      if (m.have >= m.body.length && m.fragments > 0) continue;
      m.body.set(f.body, f.fragmentOffset);
      m.have += f.fragmentLength;
      m.fragments++;
    }
  }
  return [...messages.values()].map(({ have: _have, ...m }) => m);
}

/** The one message of a type sent in a direction (the last, if it was sent twice). */
export function capturedMessage(name: string, direction: Direction, msgType: number): CapturedMessage {
  const found = capturedMessages(name).filter((m) => m.direction === direction && m.msgType === msgType);
  if (found.length === 0) throw new Error(`${name}: no ${direction} message of type ${msgType}`);
  return found[found.length - 1];
}
