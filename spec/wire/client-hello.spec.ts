import { describe, expect, it } from 'vitest';
import { decodeClientHello, encodeClientHello, type ClientHello } from '../../lib/wire/client-hello.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex, seq } from './helpers/hex.js';

const base: ClientHello = {
  clientVersion: 0xfefd,
  random: seq(32),
  sessionId: hex(''),
  cookie: hex(''),
  cipherSuites: [0xc0a8],
  compressionMethods: [0],
  extensions: [],
};

describe('ClientHello', () => {
  itMatchesGoldenBytes('ClientHello');

  const prefix = `fefd ${'00'.repeat(32)}`;

  it('accepts a cookie of up to 255 bytes (RFC 6347 raised the DTLS 1.0 limit of 32)', () => {
    const cookie = seq(255);
    const decoded = decodeClientHello(encodeClientHello({ ...base, cookie }));
    expect(decoded.ok && decoded.value.cookie).toEqual(cookie);
  });

  it('rejects a session_id longer than 32 bytes', () => {
    expect(decodeClientHello(hex(`${prefix} 21 ${'00'.repeat(33)} 00 0002 c0a8 01 00`))).toEqual({
      ok: false,
      error: { kind: 'invalid', what: 'ClientHello.session_id' },
    });
  });

  it('rejects an empty or odd-length cipher_suites list', () => {
    expect(decodeClientHello(hex(`${prefix} 00 00 0000 01 00`))).toMatchObject({
      error: { kind: 'invalid', what: 'ClientHello.cipher_suites' },
    });
    expect(decodeClientHello(hex(`${prefix} 00 00 0003 c0a800 01 00`))).toMatchObject({ error: { kind: 'invalid' } });
  });

  it('rejects an empty compression_methods list', () => {
    expect(decodeClientHello(hex(`${prefix} 00 00 0002 c0a8 00`))).toMatchObject({
      error: { kind: 'invalid', what: 'ClientHello.compression_methods' },
    });
  });

  it('rejects a body that ends inside the fixed fields as truncated', () => {
    expect(decodeClientHello(hex('fefd 0001'))).toEqual({ ok: false, error: { kind: 'truncated', what: 'ClientHello.random' } });
  });

  it('rejects a lone byte where the extensions block would start', () => {
    expect(decodeClientHello(hex(`${prefix} 00 00 0002 c0a8 01 00 00`))).toMatchObject({ error: { kind: 'truncated' } });
  });

  it('rejects bytes after the extensions block as overlong', () => {
    expect(decodeClientHello(hex(`${prefix} 00 00 0002 c0a8 01 00 0000 ff`))).toMatchObject({ error: { kind: 'overlong' } });
  });

  it('decodes an empty extensions block as no extensions', () => {
    const decoded = decodeClientHello(hex(`${prefix} 00 00 0002 c0a8 01 00 0000`));
    expect(decoded.ok && decoded.value.extensions).toEqual([]);
  });

  it('refuses to encode values the wire cannot carry', () => {
    expect(() => encodeClientHello({ ...base, random: seq(31) })).toThrow(RangeError);
    expect(() => encodeClientHello({ ...base, sessionId: seq(33) })).toThrow(RangeError);
    expect(() => encodeClientHello({ ...base, cookie: seq(256) })).toThrow(RangeError);
    expect(() => encodeClientHello({ ...base, cipherSuites: [] })).toThrow(RangeError);
    expect(() => encodeClientHello({ ...base, compressionMethods: [] })).toThrow(RangeError);
  });
});
