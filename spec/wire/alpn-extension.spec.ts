import { describe, expect, it } from 'vitest';
import { decodeAlpnExtension, decodeAlpnSelection, encodeAlpnExtension } from '../../lib/wire/alpn-extension.js';
import { ExtensionType } from '../../lib/wire/extension-type.js';
import { ascii, hex } from './helpers/hex.js';

describe('application_layer_protocol_negotiation (RFC 7301 §3.1)', () => {
  it('encodes a ProtocolNameList: a 16-bit list length, then each name with an 8-bit length', () => {
    const extension = encodeAlpnExtension([ascii('coap'), ascii('h2')]);
    expect(extension.type).toBe(ExtensionType.application_layer_protocol_negotiation);
    expect(extension.type).toBe(16);
    expect(extension.data).toEqual(hex('0008 04 636f6170 02 6832'));
    expect(decodeAlpnExtension(extension.data)).toEqual({ ok: true, value: [ascii('coap'), ascii('h2')] });
  });

  it('refuses lists it cannot send: none, an empty name, a name over 255 bytes', () => {
    expect(() => encodeAlpnExtension([])).toThrow(RangeError);
    expect(() => encodeAlpnExtension([new Uint8Array(0)])).toThrow(RangeError);
    expect(() => encodeAlpnExtension([new Uint8Array(256)])).toThrow(RangeError);
  });

  it('rejects an empty list, an empty name and lengths that do not add up', () => {
    expect(decodeAlpnExtension(hex('0000')).ok).toBe(false); // protocol_name_list<2..2^16-1>
    expect(decodeAlpnExtension(hex('0001 00')).ok).toBe(false); // ProtocolName<1..2^8-1>
    expect(decodeAlpnExtension(hex('0005 04 636f6170 00'))).toMatchObject({ ok: false }); // an empty name after "coap"
    expect(decodeAlpnExtension(hex('0006 04 636f6170'))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
    expect(decodeAlpnExtension(hex('0005 05 636f6170'))).toMatchObject({ ok: false }); // a name running past its list
    expect(decodeAlpnExtension(hex('0005 04 636f6170 ff'))).toMatchObject({ ok: false, error: { kind: 'overlong' } });
  });

  it("reads a ServerHello's answer only when it names exactly one protocol", () => {
    expect(decodeAlpnSelection(encodeAlpnExtension([ascii('coap')]).data)).toEqual({ ok: true, value: ascii('coap') });
    expect(decodeAlpnSelection(hex('0008 04 636f6170 02 6832'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(decodeAlpnSelection(hex('0000'))).toMatchObject({ ok: false });
  });
});
