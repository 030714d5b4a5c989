import { describe, expect, it } from 'vitest';
import {
  decodeServerKeyExchangeEcdhe,
  decodeServerKeyExchangeEcdhePsk,
  decodeServerKeyExchangePsk,
  encodeEcdheParams,
  encodeServerKeyExchangeEcdhe,
} from '../../lib/wire/server-key-exchange.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex, toHex } from './helpers/hex.js';

describe('ServerKeyExchange', () => {
  describe('PSK', () => itMatchesGoldenBytes('ServerKeyExchangePsk'));
  describe('ECDHE', () => itMatchesGoldenBytes('ServerKeyExchangeEcdhe'));
  describe('ECDHE_PSK', () => itMatchesGoldenBytes('ServerKeyExchangeEcdhePsk'));

  it('encodes the ServerECDHParams the signature covers (RFC 8422 §5.4)', () => {
    expect(toHex(encodeEcdheParams(23, hex('04aabb')))).toBe('03' + '0017' + '03' + '04aabb');
  });

  it('puts exactly the ServerECDHParams at the start of an ECDHE ServerKeyExchange', () => {
    const params = encodeEcdheParams(29, hex('0102'));
    const body = encodeServerKeyExchangeEcdhe({ namedGroup: 29, publicKey: hex('0102'), signatureScheme: 0x0403, signature: hex('ff') });
    expect(toHex(body.subarray(0, params.length))).toBe(toHex(params));
  });

  it('rejects explicit curves: only named_curve(3) is accepted', () => {
    expect(decodeServerKeyExchangeEcdhe(hex('01 0017 01 04 0403 0000'))).toEqual({
      ok: false,
      error: { kind: 'invalid', what: 'ServerKeyExchangeEcdhe.curve_type' },
    });
    expect(decodeServerKeyExchangeEcdhePsk(hex('0000 02 001d 01 aa'))).toMatchObject({
      error: { kind: 'invalid', what: 'ServerKeyExchangeEcdhePsk.curve_type' },
    });
  });

  it('rejects an empty ECPoint (opaque point<1..2^8-1>)', () => {
    expect(decodeServerKeyExchangeEcdhe(hex('03 001d 00 0403 0000'))).toMatchObject({
      error: { kind: 'invalid', what: 'ServerKeyExchangeEcdhe.point' },
    });
    expect(() => encodeEcdheParams(29, hex(''))).toThrow(RangeError);
  });

  it('rejects an ECDHE ServerKeyExchange without its signature', () => {
    expect(decodeServerKeyExchangeEcdhe(hex('03 001d 01 aa'))).toMatchObject({ error: { kind: 'truncated' } });
  });

  it('rejects a PSK hint with trailing bytes', () => {
    expect(decodeServerKeyExchangePsk(hex('0001 61 62'))).toMatchObject({ error: { kind: 'overlong' } });
  });
});
