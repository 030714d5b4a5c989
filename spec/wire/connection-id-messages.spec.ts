import { describe, expect, it } from 'vitest';
import {
  ConnectionIdUsage,
  decodeNewConnectionId,
  decodeRequestConnectionId,
  encodeNewConnectionId,
  encodeRequestConnectionId,
} from '../../lib/wire/connection-id-messages.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex } from './helpers/hex.js';

describe('NewConnectionId and RequestConnectionId (RFC 9147 §9)', () => {
  itMatchesGoldenBytes('NewConnectionId');
  itMatchesGoldenBytes('RequestConnectionId');

  it('rejects a usage other than cid_immediate and cid_spare', () => {
    expect(decodeNewConnectionId(hex('0003 02 c1c2 02'))).toEqual({ ok: false, error: { kind: 'invalid', what: 'NewConnectionId.usage' } });
    expect(() => encodeNewConnectionId({ cids: [], usage: 2 as ConnectionIdUsage })).toThrow(RangeError);
  });

  it('accepts an answer with no CIDs at all (§9: an excessive request may get none)', () => {
    expect(decodeNewConnectionId(hex('0000 01'))).toEqual({ ok: true, value: { cids: [], usage: ConnectionIdUsage.cid_spare } });
  });

  it('rejects a CID running past its list, and refuses a CID over 255 bytes', () => {
    expect(decodeNewConnectionId(hex('0003 03 c1c2 01'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(() => encodeNewConnectionId({ cids: [new Uint8Array(256)], usage: ConnectionIdUsage.cid_spare })).toThrow(RangeError);
  });

  it('RequestConnectionId is one byte, num_cids', () => {
    expect(encodeRequestConnectionId({ numCids: 255 })).toEqual(hex('ff'));
    expect(decodeRequestConnectionId(hex(''))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
    expect(decodeRequestConnectionId(hex('01 00'))).toMatchObject({ ok: false, error: { kind: 'overlong' } });
    expect(() => encodeRequestConnectionId({ numCids: 256 })).toThrow(RangeError);
  });
});
