import { describe, expect, it } from 'vitest';
import { decodeNewSessionTicket13, encodeNewSessionTicket13 } from '../../lib/wire/new-session-ticket13.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex } from './helpers/hex.js';

describe('NewSessionTicket in 1.3 (RFC 8446 §4.6.1)', () => {
  itMatchesGoldenBytes('NewSessionTicket13');

  it('carries full 32-bit lifetimes and age_adds', () => {
    const x = { lifetime: 0xffffffff, ageAdd: 0x80000000, nonce: hex('01'), ticket: hex('aa'), extensions: [] };
    expect(decodeNewSessionTicket13(encodeNewSessionTicket13(x))).toEqual({ ok: true, value: x });
  });

  it('rejects an empty ticket<1..2^16-1> and a missing extensions block', () => {
    expect(decodeNewSessionTicket13(hex('00000001 00000002 00 0000 0000'))).toEqual({ ok: false, error: { kind: 'invalid', what: 'NewSessionTicket13.ticket' } });
    expect(() => encodeNewSessionTicket13({ lifetime: 1, ageAdd: 2, nonce: hex(''), ticket: hex(''), extensions: [] })).toThrow(RangeError);
    expect(decodeNewSessionTicket13(hex('00000001 00000002 00 0001 aa'))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
  });
});
