import { describe, expect, it } from 'vitest';
import { decodeServerHello, encodeServerHello } from '../../lib/wire/server-hello.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex, seq } from './helpers/hex.js';

describe('ServerHello', () => {
  itMatchesGoldenBytes('ServerHello');

  const prefix = `fefd ${'00'.repeat(32)}`;

  it('rejects a session_id longer than 32 bytes', () => {
    expect(decodeServerHello(hex(`${prefix} 21 ${'00'.repeat(33)} c0a8 00`))).toMatchObject({
      error: { kind: 'invalid', what: 'ServerHello.session_id' },
    });
  });

  it('rejects a body that stops before compression_method as truncated', () => {
    expect(decodeServerHello(hex(`${prefix} 00 c0a8`))).toEqual({
      ok: false,
      error: { kind: 'truncated', what: 'ServerHello.compression_method' },
    });
  });

  it('rejects duplicate extensions', () => {
    expect(decodeServerHello(hex(`${prefix} 00 c0a8 00 0008 0017 0000 0017 0000`))).toMatchObject({
      error: { kind: 'invalid', what: 'ServerHello.extension_type' },
    });
  });

  it('refuses to encode a random that is not 32 bytes', () => {
    expect(() =>
      encodeServerHello({ serverVersion: 0xfefd, random: seq(33), sessionId: hex(''), cipherSuite: 1, compressionMethod: 0, extensions: [] }),
    ).toThrow(RangeError);
  });
});
