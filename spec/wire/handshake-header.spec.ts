import { describe, expect, it } from 'vitest';
import { HandshakeType } from '../../lib/wire/constants.js';
import {
  decodeHandshakeFragments,
  encodeHandshakeFragment,
  encodeHandshakeMessage,
  encodeHandshakeMessageHeader,
} from '../../lib/wire/handshake-header.js';
import { capturedRecords } from './helpers/captures.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex, toHex } from './helpers/hex.js';

describe('handshake header', () => {
  itMatchesGoldenBytes('HandshakeFragment');

  it('encodes a whole message as one fragment at offset 0', () => {
    expect(toHex(encodeHandshakeMessage(HandshakeType.finished, 5, hex('0102030405060708090a0b0c')))).toBe(
      '14' + '00000c' + '0005' + '000000' + '00000c' + '0102030405060708090a0b0c',
    );
  });

  it('encodes the header of a whole message alone, as the transcript hashes it (RFC 6347 §4.2.6)', () => {
    expect(toHex(encodeHandshakeMessageHeader(HandshakeType.certificate, 0x0102, 0x012345))).toBe(
      '0b' + '012345' + '0102' + '000000' + '012345',
    );
    const body = hex('0102030405060708090a0b0c');
    expect(toHex(encodeHandshakeMessageHeader(HandshakeType.finished, 5, body.length)) + toHex(body)).toBe(
      toHex(encodeHandshakeMessage(HandshakeType.finished, 5, body)),
    );
  });

  it('returns fragment bodies as views into the record payload', () => {
    const payload = hex('0e 000001 0000 000000 000001 ff');
    const decoded = decodeHandshakeFragments(payload);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value[0].body.buffer).toBe(payload.buffer);
  });

  it('rejects a fragment that extends past the end of its message as invalid', () => {
    // offset 2 + fragment_length 2 > length 3
    expect(decodeHandshakeFragments(hex('01 000003 0000 000002 000002 aabb'))).toEqual({
      ok: false,
      error: { kind: 'invalid', what: 'HandshakeFragment.fragment_length' },
    });
  });

  it('rejects a fragment whose body is shorter than fragment_length as invalid', () => {
    expect(decodeHandshakeFragments(hex('01 000004 0000 000000 000004 aabbcc'))).toEqual({
      ok: false,
      error: { kind: 'invalid', what: 'HandshakeFragment.body' },
    });
  });

  it('reports a partial header as truncated, after a complete first fragment too', () => {
    expect(decodeHandshakeFragments(hex('01 000004 0000 00'))).toMatchObject({ error: { kind: 'truncated' } });
    expect(decodeHandshakeFragments(hex('0e 000000 0000 000000 000000 0e 0000'))).toMatchObject({
      error: { kind: 'truncated' },
    });
  });

  it('rejects an empty record payload (RFC 5246 §6.2.1: no zero-length handshake records)', () => {
    expect(decodeHandshakeFragments(hex(''))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
  });

  it('refuses to encode a fragment whose body disagrees with its header', () => {
    const f = { msgType: 1, length: 4, messageSeq: 0, fragmentOffset: 0, fragmentLength: 3, body: hex('aabb') };
    expect(() => encodeHandshakeFragment(f)).toThrow(RangeError);
    expect(() => encodeHandshakeFragment({ ...f, fragmentOffset: 2, body: hex('aabbcc') })).toThrow(RangeError);
  });

  it('splits the records OpenSSL sent into fragments and re-encodes them byte for byte', () => {
    // openssl-dhe-psk: OpenSSL fragments its 777-byte ServerKeyExchange over five records.
    const records = capturedRecords('openssl-dhe-psk.hex').filter((r) => r.header.contentType === 22 && r.header.epoch === 0);
    const ske = [];
    for (const rec of records) {
      const decoded = decodeHandshakeFragments(rec.payload);
      expect(decoded.ok).toBe(true);
      if (!decoded.ok) return;
      expect(toHex(Uint8Array.from(decoded.value.flatMap((f) => [...encodeHandshakeFragment(f)])))).toBe(toHex(rec.payload));
      ske.push(...decoded.value.filter((f) => f.msgType === HandshakeType.server_key_exchange));
    }
    expect(ske.length).toBe(5);
    expect(ske.every((f) => f.length === 777 && f.messageSeq === 2)).toBe(true);
    let next = 0;
    for (const f of ske) {
      expect(f.fragmentOffset).toBe(next);
      next += f.fragmentLength;
    }
    expect(next).toBe(777);
  });
});
