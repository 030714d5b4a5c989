import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { decodeCookieExtension, encodeCookieExtension } from '../../lib/wire/cookie-extension.js';
import { ExtensionType } from '../../lib/wire/extension-type.js';
import {
  bindersLength,
  decodeOfferedPsks,
  decodeSelectedIdentity,
  encodeOfferedPsks,
  encodeSelectedIdentity,
  type OfferedPsks,
} from '../../lib/wire/pre-shared-key-extension.js';
import {
  decodePskKeyExchangeModesExtension,
  encodePskKeyExchangeModesExtension,
  PskKeyExchangeMode,
} from '../../lib/wire/psk-key-exchange-modes-extension.js';
import * as rfc8448 from '../fixtures/wire/rfc8448.js';
import { ascii, hex, toHex } from './helpers/hex.js';

const offered = (binders: Uint8Array[], identities = binders.map(() => ({ identity: ascii('Id'), obfuscatedTicketAge: 0 }))): OfferedPsks => ({ identities, binders });

describe('pre_shared_key (RFC 8446 §4.2.11)', () => {
  it('is extension 41 in both forms', () => {
    expect(encodeOfferedPsks(offered([new Uint8Array(32)])).type).toBe(ExtensionType.pre_shared_key);
    expect(encodeSelectedIdentity(1)).toEqual({ type: 41, data: hex('0001') });
    expect(decodeSelectedIdentity(hex('0001'))).toEqual({ ok: true, value: 1 });
  });

  it("bindersLength is what RFC 8448's binder was computed without: the binder hash of §4 comes out", () => {
    const psks = decodeOfferedPsks(rfc8448.helloExtension(rfc8448.resumedClientHello, ExtensionType.pre_shared_key));
    expect(psks.ok).toBe(true);
    const length = bindersLength(psks.ok ? psks.value : offered([]));
    expect(length).toBe(2 + 1 + 32);
    const truncated = rfc8448.resumedClientHello.subarray(0, rfc8448.resumedClientHello.length - length);
    expect(toHex(sha256(truncated))).toBe('63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14');
  });

  it('bindersLength is the tail of the extension that holds the binders list', () => {
    const psks = offered([new Uint8Array(32).fill(1), new Uint8Array(48).fill(2)]);
    const data = encodeOfferedPsks(psks).data;
    const length = bindersLength(psks);
    expect(length).toBe(2 + 33 + 49);
    expect(toHex(data.subarray(data.length - length))).toBe('0052' + '20' + '01'.repeat(32) + '30' + '02'.repeat(48));
  });

  it('refuses offers it cannot send: none, binders not matching identities, a binder outside 32..255, an empty identity', () => {
    expect(() => encodeOfferedPsks(offered([]))).toThrow(RangeError);
    expect(() => encodeOfferedPsks(offered([new Uint8Array(32)], []))).toThrow(RangeError);
    expect(() => encodeOfferedPsks(offered([new Uint8Array(31)]))).toThrow(RangeError);
    expect(() => encodeOfferedPsks(offered([new Uint8Array(256)]))).toThrow(RangeError);
    expect(() => encodeOfferedPsks(offered([new Uint8Array(32)], [{ identity: new Uint8Array(0), obfuscatedTicketAge: 0 }]))).toThrow(RangeError);
  });

  it('rejects binders that do not pair up with the identities', () => {
    const two = encodeOfferedPsks(offered([new Uint8Array(32), new Uint8Array(32)])).data;
    // Keep both identities, but only the first binder.
    const identities = two.subarray(0, 2 + 2 * (2 + 2 + 4));
    const oneBinder = Uint8Array.from([...identities, 0x00, 0x21, 0x20, ...new Uint8Array(32)]);
    expect(decodeOfferedPsks(oneBinder)).toEqual({ ok: false, error: { kind: 'invalid', what: 'OfferedPsks.binders' } });
  });

  it('rejects a binder shorter than 32 bytes, an empty identity and lists below their minimum', () => {
    expect(decodeOfferedPsks(hex('0007 0001 49 00000000 0020 1f' + '00'.repeat(31)))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(decodeOfferedPsks(hex('0007 0000 00000000 00' + '0021 20' + '00'.repeat(32)))).toMatchObject({ ok: false });
    expect(decodeOfferedPsks(hex('0000 0021 20' + '00'.repeat(32)))).toMatchObject({ ok: false, error: { kind: 'invalid', what: 'OfferedPsks.identities' } });
  });
});

describe('psk_key_exchange_modes (RFC 8446 §4.2.9)', () => {
  it('is extension 45 with psk_ke 0 and psk_dhe_ke 1', () => {
    expect(encodePskKeyExchangeModesExtension([PskKeyExchangeMode.psk_dhe_ke])).toEqual({ type: 45, data: hex('01 01') });
    expect(PskKeyExchangeMode).toEqual({ psk_ke: 0, psk_dhe_ke: 1 });
  });

  it('needs at least one mode and keeps unknown ones', () => {
    expect(() => encodePskKeyExchangeModesExtension([])).toThrow(RangeError);
    expect(decodePskKeyExchangeModesExtension(hex('00'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(decodePskKeyExchangeModesExtension(hex('02 07 00'))).toEqual({ ok: true, value: [7, 0] });
  });
});

describe('cookie (RFC 8446 §4.2.2)', () => {
  it('is extension 44, a cookie of 1 to 65535 bytes', () => {
    expect(encodeCookieExtension(hex('abcd'))).toEqual({ type: 44, data: hex('0002 abcd') });
    expect(() => encodeCookieExtension(new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodeCookieExtension(new Uint8Array(0x10000))).toThrow(RangeError);
  });

  it('rejects an empty cookie and one running past the extension', () => {
    expect(decodeCookieExtension(hex('0000'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(decodeCookieExtension(hex('0003 abcd'))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
  });
});
