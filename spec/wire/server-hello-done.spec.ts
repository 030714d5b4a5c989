import { describe, expect, it } from 'vitest';
import { decodeServerHelloDone } from '../../lib/wire/server-hello-done.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex } from './helpers/hex.js';

describe('ServerHelloDone', () => {
  itMatchesGoldenBytes('ServerHelloDone');

  it('rejects a non-empty body as overlong', () => {
    expect(decodeServerHelloDone(hex('00'))).toEqual({ ok: false, error: { kind: 'overlong', what: 'ServerHelloDone' } });
  });
});
