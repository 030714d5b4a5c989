import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../lib/crypto/provider.js';
import { ticketPsk13 } from '../../lib/handshake/psk-offer13.js';
import { encodeResumableSession } from '../../lib/handshake/resumable-session.js';
import { ServerResumption } from '../../lib/handshake/server-resumption.js';
import { decodeTicketState13, encodeTicketState13, ticketUnexpired, type TicketState13 } from '../../lib/handshake/ticket-state13.js';

const STATE: TicketState13 = {
  psk: new Uint8Array(32).fill(9),
  cipherSuite: 0x1301,
  issuedAt: 5000,
  lifetime: 60,
  ageAdd: 0xfffffff0,
  peer: { kind: 'psk', identity: new TextEncoder().encode('Client_identity') },
  ticket: new Uint8Array([1, 2, 3]),
};

function resumption(now: { t: number }, lifetime = 7_200_000) {
  return new ServerResumption({ provider: nobleProvider, now: () => now.t, lifetime, cacheSize: 0, tickets: true });
}

describe('a DTLS 1.3 ticket state (RFC 8446 §4.6.1)', () => {
  it('round-trips, and every truncation of it fails to decode instead of throwing', () => {
    const bytes = encodeTicketState13(STATE);
    expect(decodeTicketState13(bytes)).toEqual({ ok: true, value: STATE });
    for (let n = 0; n < bytes.length; n++) expect(decodeTicketState13(bytes.subarray(0, n)).ok).toBe(false);
  });

  it('refuses a lifetime over 7 days and a 1.2 session state (another format byte)', () => {
    expect(decodeTicketState13(encodeTicketState13({ ...STATE, lifetime: 604_801 })).ok).toBe(false);
    const v12 = encodeResumableSession({ masterSecret: new Uint8Array(48), cipherSuite: 0xc0a8, extendedMasterSecret: true, peer: STATE.peer, createdAt: 0, sessionId: new Uint8Array(0) });
    expect(decodeTicketState13(v12).ok).toBe(false);
  });

  it('is usable from issue until its lifetime, not after', () => {
    expect([4999, 5000, 64_999, 65_000].map((t) => ticketUnexpired(STATE, t))).toEqual([false, true, true, false]);
  });

  it("the client offers it with obfuscated_ticket_age = age + ticket_age_add mod 2^32, and not once expired", () => {
    expect(ticketPsk13(STATE, 5100)?.obfuscatedTicketAge).toBe((100 + 0xfffffff0) % 2 ** 32);
    expect(ticketPsk13(STATE, 65_000)).toBeUndefined();
    expect(ticketPsk13({ ...STATE, cipherSuite: 0x9999 }, 5100)).toBeUndefined();
  });
});

describe("a server's 1.3 tickets", () => {
  it('open while fresh; not once the session lifetime or the ticket lifetime passed, nor when forged, nor when tickets are off', () => {
    const now = { t: 1_000_000 };
    const server = resumption(now, 30_000);
    expect(server.ticketLifetime13).toBe(30);
    const { issuedAt: _, ticket: __, ...sealable } = STATE;
    const ticket = server.sealTicket13({ ...sealable, lifetime: server.ticketLifetime13 });
    expect(server.openTicket13(ticket)).toMatchObject({ psk: STATE.psk, cipherSuite: 0x1301, issuedAt: 1_000_000, peer: STATE.peer });
    for (let i = 0; i < ticket.length; i++) {
      const forged = ticket.slice();
      forged[i] ^= 0x80;
      expect(server.openTicket13(forged)).toBeUndefined();
    }
    now.t += 30_000;
    expect(server.openTicket13(ticket)).toBeUndefined();
    const off = new ServerResumption({ provider: nobleProvider, now: () => now.t, lifetime: 30_000, cacheSize: 0, tickets: false });
    expect(off.ticketLifetime13).toBe(0);
    expect(off.openTicket13(ticket)).toBeUndefined();
  });

  it('last at most 7 days, whatever the session lifetime', () => {
    expect(resumption({ t: 0 }, 30 * 86_400_000).ticketLifetime13).toBe(604_800);
  });

  it('a 1.2 ticket does not open as a 1.3 one', () => {
    const now = { t: 1000 };
    const server = resumption(now);
    const ticket12 = server.sealTicket({ masterSecret: new Uint8Array(48), cipherSuite: 0xc0a8, extendedMasterSecret: true, peer: STATE.peer, createdAt: 1000, sessionId: new Uint8Array(0) });
    expect(server.openTicket(ticket12)).toBeDefined();
    expect(server.openTicket13(ticket12)).toBeUndefined();
  });
});
