import { describe, expect, it } from 'vitest';
import { decodeNewSessionTicket, encodeNewSessionTicket } from '../../lib/wire/new-session-ticket.js';
import { hex } from './helpers/hex.js';

describe('NewSessionTicket (RFC 5077 §3.3)', () => {
  it('encodes the uint32 lifetime hint and the ticket with a two-byte length, and decodes them back', () => {
    const body = encodeNewSessionTicket({ ticketLifetimeHint: 0x01020304, ticket: hex('aabbcc') });
    expect(body).toEqual(hex('01020304' + '0003' + 'aabbcc'));
    expect(decodeNewSessionTicket(body)).toEqual({ ok: true, value: { ticketLifetimeHint: 0x01020304, ticket: hex('aabbcc') } });
  });

  it('takes the largest lifetime hint and an empty ticket (a server that changed its mind, §3.3)', () => {
    const body = encodeNewSessionTicket({ ticketLifetimeHint: 0xffffffff, ticket: hex('') });
    expect(decodeNewSessionTicket(body)).toEqual({ ok: true, value: { ticketLifetimeHint: 0xffffffff, ticket: hex('') } });
  });

  it('refuses a truncated body and bytes after the ticket', () => {
    expect(decodeNewSessionTicket(hex('010203'))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
    expect(decodeNewSessionTicket(hex('00000001' + '0003' + 'aabb'))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
    expect(decodeNewSessionTicket(hex('00000001' + '0001' + 'aabb'))).toMatchObject({ ok: false, error: { kind: 'overlong' } });
  });
});
