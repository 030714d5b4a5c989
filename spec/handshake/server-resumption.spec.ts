import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../lib/crypto/provider.js';
import type { ResumableSession } from '../../lib/handshake/resumable-session.js';
import { ServerResumption } from '../../lib/handshake/server-resumption.js';

const LIFETIME = 60_000;
const session: Omit<ResumableSession, 'createdAt'> = {
  masterSecret: new Uint8Array(48).fill(1),
  cipherSuite: 0xc0a8,
  extendedMasterSecret: true,
  peer: { kind: 'psk', identity: new Uint8Array([1, 2]) },
  sessionId: new Uint8Array(0),
};

function server(options: { cacheSize?: number; ticketKeys?: Uint8Array[] } = {}) {
  let now = 0;
  const resumption = new ServerResumption({ provider: nobleProvider, now: () => now, lifetime: LIFETIME, cacheSize: options.cacheSize ?? 10, tickets: true, ticketKeys: options.ticketKeys });
  return { resumption, advance: (ms: number) => (now += ms) };
}

describe("a server's own ticket keys rotate every sessionLifetime, on use (RFC 5077 §5.5)", () => {
  it('opens a ticket sealed in the previous period, and every ticket within its lifetime', () => {
    const { resumption, advance } = server();
    advance(LIFETIME - 1);
    const ticket = resumption.sealTicket(resumption.remember(session));
    // The next period rotates the key: the ticket, sealed under the previous one, still opens.
    advance(LIFETIME / 2);
    expect(resumption.openTicket(ticket)).toMatchObject({ masterSecret: session.masterSecret, createdAt: LIFETIME - 1 });
    // Sealed under the key now current, a new ticket opens too.
    expect(resumption.openTicket(resumption.sealTicket(resumption.remember(session)))).toBeDefined();
  });

  it('refuses a ticket past its lifetime, and one whose key rotated out two periods later', () => {
    const { resumption, advance } = server();
    const ticket = resumption.sealTicket(resumption.remember(session));
    advance(LIFETIME);
    expect(resumption.openTicket(ticket)).toBeUndefined();
    // A ticket whose state would still be fresh two periods on (dated ahead) does not open either: its key is gone.
    const late = resumption.sealTicket({ ...session, createdAt: 3 * LIFETIME });
    advance(2 * LIFETIME);
    expect(resumption.openTicket(late)).toBeUndefined();
    expect(resumption.openTicket(resumption.sealTicket({ ...session, createdAt: 3 * LIFETIME }))).toBeDefined();
  });

  it('with shared keys, does not rotate: the same keys open tickets in every process that holds them', () => {
    const keys = [new Uint8Array(48).fill(5)];
    const a = server({ ticketKeys: keys });
    const b = server({ ticketKeys: keys });
    const ticket = a.resumption.sealTicket(a.resumption.remember(session));
    b.advance(LIFETIME - 1);
    expect(b.resumption.openTicket(ticket)).toBeDefined();
  });
});

describe('the cache by session ID', () => {
  it('hands out 32-byte IDs, keeps at most cacheSize sessions and drops them once their lifetime is over', () => {
    const { resumption, advance } = server({ cacheSize: 2 });
    const ids = [0, 1, 2].map(() => resumption.remember({ ...session, sessionId: resumption.newSessionId() }).sessionId);
    expect(ids.map((id) => id.length)).toEqual([32, 32, 32]);
    expect(resumption.cachedSessions).toBe(2);
    expect(ids.map((id) => resumption.findById(id) !== undefined)).toEqual([false, true, true]);
    advance(LIFETIME);
    expect(resumption.findById(ids[2])).toBeUndefined();
    expect(resumption.cachedSessions).toBe(0);
  });

  it('with a cache size of 0 gives no session ID and keeps nothing', () => {
    const { resumption } = server({ cacheSize: 0 });
    expect(resumption.newSessionId()).toHaveLength(0);
    resumption.remember({ ...session, sessionId: new Uint8Array(32) });
    expect(resumption.cachedSessions).toBe(0);
  });
});
