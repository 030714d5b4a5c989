import { concatBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { ContentType } from '../../lib/wire/constants.js';
import {
  decodeUnifiedHeader,
  demultiplexRecord13,
  encodeUnifiedHeader,
  isUnifiedHeader,
  readUnifiedHeader,
  unifiedHeaderFields,
  unifiedHeaderLength,
  unifiedSequenceOffset,
  writeUnifiedHeader,
  writeUnifiedSequence,
} from '../../lib/wire/unified-header.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex, toHex } from './helpers/hex.js';

describe('the DTLS 1.3 unified header (RFC 9147 §4)', () => {
  itMatchesGoldenBytes('UnifiedHeader');
  itMatchesGoldenBytes('UnifiedHeaderWithCid');

  it('walks a datagram of records: one with a length, then one running to the end', () => {
    const first = concatBytes(encodeUnifiedHeader({ epochBits: 3, sequenceBits: 7, sequenceLength: 1, length: 4 }), hex('a1a2a3a4'));
    const last = concatBytes(encodeUnifiedHeader({ epochBits: 3, sequenceBits: 0x0108, sequenceLength: 2 }), hex('b1b2b3b4b5'));
    const datagram = concatBytes(first, last);
    const one = decodeUnifiedHeader(datagram, 0, 0);
    expect(one).toEqual({ ok: true, value: { header: { epochBits: 3, sequenceBits: 7, sequenceLength: 1, length: 4 }, headerLength: 4, recordEnd: 8 } });
    const two = decodeUnifiedHeader(datagram, 8, 0);
    expect(two).toEqual({ ok: true, value: { header: { epochBits: 3, sequenceBits: 0x0108, sequenceLength: 2 }, headerLength: 3, recordEnd: datagram.length } });
  });

  it('returns the CID as a view into the datagram, read with the length the receiver chose', () => {
    const datagram = hex('ffff 30 c0c1c2 2a');
    const decoded = decodeUnifiedHeader(datagram, 2, 3);
    expect(decoded.ok && decoded.value.header.cid).toEqual(hex('c0c1c2'));
    expect(decoded.ok && decoded.value.header.cid!.buffer).toBe(datagram.buffer);
  });

  it('rejects a first byte without the bits 001, and a CID when the receiver has none', () => {
    expect(decodeUnifiedHeader(hex('17 fefd'), 0, 0)).toEqual({ ok: false, error: { kind: 'invalid', what: 'UnifiedHeader.flags' } });
    expect(decodeUnifiedHeader(hex('30 aabb 01'), 0, 0)).toEqual({ ok: false, error: { kind: 'invalid', what: 'UnifiedHeader.connection_id' } });
  });

  it('rejects a length running past the datagram (records never span datagrams) and a header cut short', () => {
    expect(decodeUnifiedHeader(hex('24 01 0005 aabbccdd'), 0, 0)).toEqual({ ok: false, error: { kind: 'truncated', what: 'UnifiedHeader.encrypted_record' } });
    expect(decodeUnifiedHeader(hex('2c 01 00'), 0, 0)).toMatchObject({ ok: false, error: { kind: 'truncated' } });
    expect(decodeUnifiedHeader(hex('3c aabb'), 0, 4)).toMatchObject({ ok: false, error: { kind: 'truncated' } });
    expect(decodeUnifiedHeader(hex(''), 0, 0)).toMatchObject({ ok: false, error: { kind: 'truncated' } });
  });

  it('sets C, S and L from the fields and refuses values the header cannot carry', () => {
    expect(toHex(encodeUnifiedHeader({ epochBits: 0, sequenceBits: 0xff, sequenceLength: 1 }))).toBe('20ff');
    expect(unifiedHeaderLength({ cid: hex('01020304'), sequenceLength: 2, length: 0 })).toBe(9);
    expect(() => encodeUnifiedHeader({ epochBits: 4, sequenceBits: 0, sequenceLength: 1 })).toThrow(RangeError);
    expect(() => encodeUnifiedHeader({ epochBits: 0, sequenceBits: 0x100, sequenceLength: 1 })).toThrow(RangeError);
    expect(() => encodeUnifiedHeader({ epochBits: 0, sequenceBits: 0, sequenceLength: 2, cid: hex('') })).toThrow(RangeError);
    expect(() => encodeUnifiedHeader({ epochBits: 0, sequenceBits: 0, sequenceLength: 1, length: 0x10000 })).toThrow(RangeError);
  });
});

describe('demultiplexing a DTLS 1.3 association\'s records by their first byte (RFC 9147 §4.1)', () => {
  it('reads alert, handshake and ack as DTLSPlaintext', () => {
    expect([ContentType.alert, ContentType.handshake, ContentType.ack].map(demultiplexRecord13)).toEqual(['plaintext', 'plaintext', 'plaintext']);
  });

  it('reads every first byte 001xxxxx as a DTLSCiphertext', () => {
    for (let b = 0x20; b <= 0x3f; b++) {
      expect(isUnifiedHeader(b)).toBe(true);
      expect(demultiplexRecord13(b)).toBe('ciphertext');
    }
  });

  it("rejects the rest, DTLS 1.2's change_cipher_spec, application_data, heartbeat and tls12_cid among them", () => {
    const rest = Array.from({ length: 256 }, (_, b) => b).filter((b) => !isUnifiedHeader(b) && ![21, 22, 26].includes(b));
    expect(rest.length).toBe(256 - 32 - 3);
    for (const b of rest) expect(demultiplexRecord13(b)).toBe('reject');
    expect([20, 23, 24, 25].map(demultiplexRecord13)).toEqual(['reject', 'reject', 'reject', 'reject']);
  });
});

describe('the unified header read and written in place, as the record layer does for every record', () => {
  it('writes a header at an offset and reads it back into an object the caller reuses', () => {
    const h = { epochBits: 2, sequenceBits: 0x0102, sequenceLength: 2 as const, cid: hex('c0c1c2c3'), length: 4 };
    const datagram = new Uint8Array(2 + 9 + 4);
    expect(writeUnifiedHeader(h, datagram, 2)).toBe(9);
    expect(toHex(datagram.subarray(2, 11))).toBe(toHex(encodeUnifiedHeader(h)));
    const fields = unifiedHeaderFields();
    expect(readUnifiedHeader(datagram, 2, 4, fields)).toBeUndefined();
    expect(fields).toEqual({ epochBits: 2, sequenceBits: 0x0102, sequenceLength: 2, cidStart: 3, cidEnd: 7, hasLength: true, headerEnd: 11, recordEnd: 15 });
    expect(readUnifiedHeader(hex('21 07 a1a2'), 0, 4, fields)).toBeUndefined();
    expect(fields).toEqual({ epochBits: 1, sequenceBits: 7, sequenceLength: 1, cidStart: 1, cidEnd: 1, hasLength: false, headerEnd: 2, recordEnd: 4 });
  });

  it('leaves the object as it was when a header cannot be read, and says why', () => {
    const fields = unifiedHeaderFields();
    readUnifiedHeader(hex('2b 0102 ff'), 0, 0, fields);
    const before = { ...fields };
    expect(readUnifiedHeader(hex('17 fefd'), 0, 0, fields)).toEqual({ kind: 'invalid', what: 'UnifiedHeader.flags' });
    expect(readUnifiedHeader(hex('30 aabb 01'), 0, 0, fields)).toEqual({ kind: 'invalid', what: 'UnifiedHeader.connection_id' });
    expect(readUnifiedHeader(hex('3c aabb'), 0, 4, fields)).toEqual({ kind: 'truncated', what: 'UnifiedHeader.connection_id' });
    expect(readUnifiedHeader(hex('2c 01'), 0, 0, fields)).toEqual({ kind: 'truncated', what: 'UnifiedHeader.sequence_number' });
    expect(readUnifiedHeader(hex('2c 0102 00'), 0, 0, fields)).toEqual({ kind: 'truncated', what: 'UnifiedHeader.length' });
    expect(readUnifiedHeader(hex('24 01 0005 aabbccdd'), 0, 0, fields)).toEqual({ kind: 'truncated', what: 'UnifiedHeader.encrypted_record' });
    expect(readUnifiedHeader(hex('24 01 0000'), 4, 0, fields)).toEqual({ kind: 'truncated', what: 'UnifiedHeader.flags' });
    expect(fields).toEqual(before);
  });

  it('overwrites the sequence number bits where they sit: after the first byte and the CID', () => {
    const header = encodeUnifiedHeader({ epochBits: 0, sequenceBits: 0, sequenceLength: 2, cid: hex('c0c1'), length: 0 });
    writeUnifiedSequence(header, unifiedSequenceOffset(header[0], 2), 2, 0xabcd);
    expect(toHex(header)).toBe(toHex(hex('3c c0c1 abcd 0000')));
    const short = encodeUnifiedHeader({ epochBits: 0, sequenceBits: 0, sequenceLength: 1 });
    writeUnifiedSequence(short, unifiedSequenceOffset(short[0], 2), 1, 0x1ef);
    expect(toHex(short)).toBe('20ef');
  });

  it('refuses to write a header where it does not fit', () => {
    const h = { epochBits: 0, sequenceBits: 0, sequenceLength: 2 as const, length: 0 };
    expect(() => writeUnifiedHeader(h, new Uint8Array(5), 1)).toThrow(RangeError);
    expect(writeUnifiedHeader(h, new Uint8Array(5), 0)).toBe(5);
  });
});
