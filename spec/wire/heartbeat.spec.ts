import { describe, expect, it } from 'vitest';
import {
  HeartbeatMessageType,
  HeartbeatMode,
  decodeHeartbeatExtension,
  decodeHeartbeatMessage,
  encodeHeartbeatExtension,
  encodeHeartbeatMessage,
} from '../../lib/wire/heartbeat.js';
import { hex } from './helpers/hex.js';

const PADDING = new Uint8Array(16).fill(0xaa);

describe('heartbeat (RFC 6520)', () => {
  it('the extension is type 15 with one mode byte; an unknown mode is invalid (§2: illegal_parameter)', () => {
    expect(encodeHeartbeatExtension(HeartbeatMode.peer_allowed_to_send)).toEqual({ type: 15, data: hex('01') });
    expect(decodeHeartbeatExtension(hex('02'))).toEqual({ ok: true, value: HeartbeatMode.peer_not_allowed_to_send });
    expect(decodeHeartbeatExtension(hex('03'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(decodeHeartbeatExtension(hex('01 01'))).toMatchObject({ ok: false, error: { kind: 'overlong' } });
  });

  it('a message is type, payload_length, payload and padding; the padding is read past and ignored', () => {
    const bytes = encodeHeartbeatMessage(HeartbeatMessageType.heartbeat_request, hex('de ad be ef'), PADDING);
    expect(bytes.subarray(0, 7)).toEqual(hex('01 00 04 de ad be ef'));
    expect(bytes.length).toBe(3 + 4 + 16);
    expect(decodeHeartbeatMessage(bytes)).toEqual({ ok: true, value: { type: HeartbeatMessageType.heartbeat_request, payload: hex('de ad be ef') } });
    expect(() => encodeHeartbeatMessage(HeartbeatMessageType.heartbeat_request, hex('00'), new Uint8Array(15))).toThrow(RangeError);
  });

  it('Heartbleed (CVE-2014-0160): a payload_length past the record is discarded, never read beyond it (§4)', () => {
    // The classic attack: a 1-byte payload claiming 16384, in a record of 3 + 1 + 16 bytes.
    const record = new Uint8Array(40).fill(0x41).subarray(0, 20);
    record.set(hex('01 40 00 58'));
    expect(decodeHeartbeatMessage(record)).toEqual({ ok: false, error: { kind: 'invalid', what: 'HeartbeatMessage.payload_length' } });
    // A payload that fits but leaves fewer than 16 bytes of padding is too large as well.
    const short = encodeHeartbeatMessage(HeartbeatMessageType.heartbeat_request, hex('01 02'), PADDING).subarray(0, 3 + 2 + 15);
    expect(decodeHeartbeatMessage(short)).toMatchObject({ ok: false });
    expect(decodeHeartbeatMessage(hex('01 00'))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
  });

  it('an unknown message type is discarded', () => {
    const bytes = encodeHeartbeatMessage(HeartbeatMessageType.heartbeat_response, hex('00'), PADDING);
    bytes[0] = 3;
    expect(decodeHeartbeatMessage(bytes)).toMatchObject({ ok: false, error: { kind: 'invalid', what: 'HeartbeatMessage.type' } });
  });
});
