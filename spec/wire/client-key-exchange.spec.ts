import { describe, expect, it } from 'vitest';
import {
  decodeClientKeyExchangeEcdhe,
  decodeClientKeyExchangeEcdhePsk,
  decodeClientKeyExchangePsk,
  encodeClientKeyExchangeEcdhe,
  encodeClientKeyExchangeEcdhePsk,
} from '../../lib/wire/client-key-exchange.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex } from './helpers/hex.js';

describe('ClientKeyExchange', () => {
  describe('PSK', () => itMatchesGoldenBytes('ClientKeyExchangePsk'));
  describe('ECDHE', () => itMatchesGoldenBytes('ClientKeyExchangeEcdhe'));
  describe('ECDHE_PSK', () => itMatchesGoldenBytes('ClientKeyExchangeEcdhePsk'));

  it('accepts an empty PSK identity (psk_identity<0..2^16-1>)', () => {
    expect(decodeClientKeyExchangePsk(hex('0000'))).toEqual({ ok: true, value: { pskIdentity: hex('') } });
  });

  it('rejects an empty public key (opaque point<1..2^8-1>)', () => {
    expect(decodeClientKeyExchangeEcdhe(hex('00'))).toEqual({
      ok: false,
      error: { kind: 'invalid', what: 'ClientKeyExchangeEcdhe.ecdh_Yc' },
    });
    expect(decodeClientKeyExchangeEcdhePsk(hex('0001 61 00'))).toMatchObject({ error: { kind: 'invalid' } });
    expect(() => encodeClientKeyExchangeEcdhe({ publicKey: hex('') })).toThrow(RangeError);
    expect(() => encodeClientKeyExchangeEcdhePsk({ pskIdentity: hex('61'), publicKey: hex('') })).toThrow(RangeError);
  });

  it('rejects an ECDHE_PSK exchange that stops after the identity', () => {
    expect(decodeClientKeyExchangeEcdhePsk(hex('0001 61'))).toMatchObject({ error: { kind: 'truncated' } });
  });

  it('rejects a PSK identity that claims more bytes than are present', () => {
    expect(decodeClientKeyExchangePsk(hex('0005 6162'))).toMatchObject({ error: { kind: 'truncated' } });
  });
});
