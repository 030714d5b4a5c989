import { describe, expect, it } from 'vitest';
import { decodeHelloVerifyRequest } from '../../lib/wire/hello-verify-request.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex } from './helpers/hex.js';

describe('HelloVerifyRequest', () => {
  itMatchesGoldenBytes('HelloVerifyRequest');

  it('accepts an empty cookie', () => {
    expect(decodeHelloVerifyRequest(hex('feff 00'))).toEqual({ ok: true, value: { serverVersion: 0xfeff, cookie: hex('') } });
  });

  it('rejects a cookie shorter than its length byte says as truncated', () => {
    expect(decodeHelloVerifyRequest(hex('feff 04 aabbcc'))).toEqual({
      ok: false,
      error: { kind: 'truncated', what: 'HelloVerifyRequest.cookie' },
    });
  });

  it('rejects bytes after the cookie as overlong', () => {
    expect(decodeHelloVerifyRequest(hex('feff 01 aa bb'))).toMatchObject({ error: { kind: 'overlong' } });
  });
});
