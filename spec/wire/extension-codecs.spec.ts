import { describe, expect, it } from 'vitest';
import * as ext from '../../lib/wire/extension-codecs.js';
import { ExtensionType } from '../../lib/wire/extension-type.js';
import { extensionGoldenCases } from '../fixtures/wire/golden.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { ascii, hex } from './helpers/hex.js';

describe('typed extension codecs', () => {
  for (const codec of new Set(extensionGoldenCases.map((c) => c.codec))) {
    describe(codec, () => itMatchesGoldenBytes(codec));
  }

  it('gives each encoded extension its IANA type', () => {
    expect(ext.encodeSupportedGroupsExtension([29]).type).toBe(10);
    expect(ext.encodeEcPointFormatsExtension([0]).type).toBe(11);
    expect(ext.encodeSignatureAlgorithmsExtension([0x0403]).type).toBe(13);
    expect(ext.encodeClientCertificateTypeListExtension([2]).type).toBe(19);
    expect(ext.encodeClientCertificateTypeSingleExtension(2).type).toBe(19);
    expect(ext.encodeServerCertificateTypeListExtension([2]).type).toBe(20);
    expect(ext.encodeServerCertificateTypeSingleExtension(2).type).toBe(20);
    expect(ext.encodeEncryptThenMacExtension().type).toBe(22);
    expect(ext.encodeExtendedMasterSecretExtension().type).toBe(23);
    expect(ext.encodeRecordSizeLimitExtension(64).type).toBe(28);
    expect(ext.encodeRenegotiationInfoExtension().type).toBe(0xff01);
    expect(ext.encodeServerNameExtension(ascii('a')).type).toBe(ExtensionType.server_name);
  });

  it('encodes an initial handshake renegotiation_info as one zero byte', () => {
    expect(ext.encodeRenegotiationInfoExtension().data).toEqual(hex('00'));
  });

  it('rejects uint16 lists of odd length and empty lists', () => {
    expect(ext.decodeSupportedGroupsExtension(hex('0003 001d 00'))).toMatchObject({ error: { kind: 'invalid' } });
    expect(ext.decodeSupportedGroupsExtension(hex('0000'))).toMatchObject({ error: { kind: 'invalid' } });
    expect(ext.decodeSignatureAlgorithmsExtension(hex('0000'))).toMatchObject({ error: { kind: 'invalid' } });
    expect(ext.decodeEcPointFormatsExtension(hex('00'))).toMatchObject({ error: { kind: 'invalid' } });
    expect(ext.decodeClientCertificateTypeListExtension(hex('00'))).toMatchObject({ error: { kind: 'invalid' } });
  });

  it('rejects data after a list', () => {
    expect(ext.decodeSupportedGroupsExtension(hex('0002 001d 00'))).toMatchObject({ error: { kind: 'overlong' } });
  });

  it('rejects data in extensions that must be empty', () => {
    expect(ext.decodeExtendedMasterSecretExtension(hex('00'))).toMatchObject({ error: { kind: 'overlong' } });
    expect(ext.decodeEncryptThenMacExtension(hex('00'))).toMatchObject({ error: { kind: 'overlong' } });
  });

  it('tells the ServerHello certificate type form from the ClientHello list form', () => {
    // A list [x509] read as the single form leaves a byte over; an empty single form is short.
    expect(ext.decodeServerCertificateTypeSingleExtension(hex('01 00'))).toMatchObject({ error: { kind: 'overlong' } });
    expect(ext.decodeClientCertificateTypeSingleExtension(hex(''))).toMatchObject({ error: { kind: 'truncated' } });
  });

  it('rejects a record_size_limit below 64 (RFC 8449 §4)', () => {
    expect(ext.decodeRecordSizeLimitExtension(hex('003f'))).toEqual({
      ok: false,
      error: { kind: 'invalid', what: 'RecordSizeLimit.record_size_limit' },
    });
    expect(ext.decodeRecordSizeLimitExtension(hex('0040'))).toEqual({ ok: true, value: 64 });
    expect(() => ext.encodeRecordSizeLimitExtension(63)).toThrow(RangeError);
  });

  it('keeps server_name entries of unknown types and picks out the host_name', () => {
    const data = hex(`
      000b            # server_name_list: 11 bytes
        07 0002 abcd  #   unknown name_type 7
        00 0003 613263 #  host_name "a2c"
    `);
    expect(ext.decodeServerNameExtension(data)).toEqual({
      ok: true,
      value: {
        hostName: ascii('a2c'),
        names: [
          { nameType: 7, name: hex('abcd') },
          { nameType: 0, name: ascii('a2c') },
        ],
      },
    });
  });

  it('rejects a server_name list with a repeated name type, an empty host_name or no entries', () => {
    expect(ext.decodeServerNameExtension(hex('0008 00 0001 61 00 0001 62'))).toMatchObject({
      error: { kind: 'invalid', what: 'ServerName.name_type' },
    });
    expect(ext.decodeServerNameExtension(hex('0003 00 0000'))).toMatchObject({ error: { kind: 'invalid' } });
    expect(ext.decodeServerNameExtension(hex('0000'))).toMatchObject({ error: { kind: 'invalid' } });
  });

  it('returns no host name when the list has none', () => {
    expect(ext.decodeServerNameExtension(hex('0003 05 0000'))).toEqual({
      ok: true,
      value: { hostName: undefined, names: [{ nameType: 5, name: hex('') }] },
    });
  });

  it('refuses to encode empty lists and an empty host name', () => {
    expect(() => ext.encodeSupportedGroupsExtension([])).toThrow(RangeError);
    expect(() => ext.encodeEcPointFormatsExtension([])).toThrow(RangeError);
    expect(() => ext.encodeSignatureAlgorithmsExtension([])).toThrow(RangeError);
    expect(() => ext.encodeServerCertificateTypeListExtension([])).toThrow(RangeError);
    expect(() => ext.encodeServerNameExtension(hex(''))).toThrow(RangeError);
  });
});
