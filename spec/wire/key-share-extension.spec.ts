import { describe, expect, it } from 'vitest';
import { ExtensionType } from '../../lib/wire/extension-type.js';
import {
  decodeKeyShareOffer,
  decodeKeyShareRetry,
  decodeKeyShareSelected,
  encodeKeyShareOffer,
  encodeKeyShareRetry,
  encodeKeyShareSelected,
} from '../../lib/wire/key-share-extension.js';
import { NamedGroup } from '../../lib/wire/registries.js';
import { hex } from './helpers/hex.js';

const share = (group: number, length = 32) => ({ group, keyExchange: new Uint8Array(length).fill(7) });

describe('key_share (RFC 8446 §4.2.8)', () => {
  it('is extension 51 in all three forms', () => {
    expect(encodeKeyShareOffer([share(NamedGroup.x25519)]).type).toBe(ExtensionType.key_share);
    expect(encodeKeyShareSelected(share(NamedGroup.x25519)).type).toBe(51);
    expect(encodeKeyShareRetry(NamedGroup.secp256r1)).toEqual({ type: 51, data: hex('0017') });
  });

  it('refuses to offer two shares for one group, or an empty key_exchange', () => {
    expect(() => encodeKeyShareOffer([share(NamedGroup.x25519), share(NamedGroup.x25519)])).toThrow(RangeError);
    expect(() => encodeKeyShareOffer([share(NamedGroup.x25519, 0)])).toThrow(RangeError);
    expect(() => encodeKeyShareSelected(share(NamedGroup.x25519, 0))).toThrow(RangeError);
  });

  it("rejects a client's second share for a group as invalid (illegal_parameter)", () => {
    const twice = hex('000c 001d 0002 aaaa 001d 0002 bbbb');
    expect(decodeKeyShareOffer(twice)).toEqual({ ok: false, error: { kind: 'invalid', what: 'KeyShareClientHello.group' } });
  });

  it('rejects an empty key_exchange<1..2^16-1> and a share running past its list', () => {
    expect(decodeKeyShareOffer(hex('0004 001d 0000'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(decodeKeyShareSelected(hex('001d 0000'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(decodeKeyShareOffer(hex('0005 001d 0002 aa'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(decodeKeyShareSelected(hex('001d 0002 aa'))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
  });

  it('keeps shares of groups it does not know: choosing is the handshake\'s job', () => {
    expect(decodeKeyShareOffer(hex('0006 fe01 0002 abcd'))).toEqual({ ok: true, value: [{ group: 0xfe01, keyExchange: hex('abcd') }] });
  });

  it('tells the three forms apart by their lengths', () => {
    const selected = encodeKeyShareSelected(share(NamedGroup.x25519)).data;
    // A ServerHello's share read as a retry leaves bytes over; a retry read as a share is short.
    expect(decodeKeyShareRetry(selected)).toMatchObject({ ok: false, error: { kind: 'overlong' } });
    expect(decodeKeyShareSelected(hex('0017'))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
    expect(decodeKeyShareOffer(selected)).toMatchObject({ ok: false });
  });
});
