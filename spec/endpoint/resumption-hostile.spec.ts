import { describe, expect, it } from 'vitest';
import { SessionResumption } from '../../lib/endpoint/session-resumption.js';
import type { ResumableSession } from '../../lib/handshake/resumable-session.js';
import { TICKET_KEY_LENGTH } from '../../lib/handshake/ticket-keys.js';
import { startPair, type Pair, type PairOptions } from './helpers/pair.js';

const DELAY = 50;

/** A full handshake done and its client closed: what it left to resume with, and the pair. */
async function firstSession(options: PairOptions = {}): Promise<{ pair: Pair; state: ResumableSession }> {
  const pair = await startPair({ delay: DELAY, ...options });
  expect(pair.time.runUntil(() => pair.client.state === 'established' && pair.serverSessions[0]?.state === 'established', 10_000)).toBe(true);
  const state = pair.client.resumption!.state as ResumableSession;
  void pair.client.close();
  pair.time.advanceBy(1000);
  return { pair, state };
}

/** Offers `state` from a new client and runs the handshake to its end; returns that client and the server's new session. */
async function offer(pair: Pair, state: ResumableSession, client: PairOptions['client'] = {}) {
  const session = await pair.reconnect({ ...client, resume: new SessionResumption(state) });
  const server = () => pair.serverSessions[pair.serverSessions.length - 1];
  pair.time.runUntil(() => session.state !== 'handshaking' && server()?.state !== 'handshaking', 120_000);
  return { client: session, server: server() };
}

/** The server answered with a full handshake: both established, neither resumed, no alert. */
function expectFullHandshake({ client, server }: Awaited<ReturnType<typeof offer>>): void {
  expect(client.state).toBe('established');
  expect(server.state).toBe('established');
  expect([client.info?.resumed, server.info?.resumed]).toEqual([false, false]);
  expect(client.error).toBeUndefined();
}

const flip = (bytes: Uint8Array, at: number): Uint8Array => {
  const copy = bytes.slice();
  copy[at] ^= 0x01;
  return copy;
};

describe('tickets and session IDs an attacker (or time) has touched fall back to a full handshake, never an error (RFC 5077 §3.4)', () => {
  it('a genuine ticket resumes (the control case)', async () => {
    const { pair, state } = await firstSession();
    const { client, server } = await offer(pair, state);
    expect([client.info?.resumed, server.info?.resumed]).toEqual([true, true]);
  });

  it.each([
    ['forged: random bytes of a genuine length', (t: Uint8Array) => crypto.getRandomValues(new Uint8Array(t.length))],
    ['modified: one bit of the sealed state flipped', (t: Uint8Array) => flip(t, t.length - 20)],
    ['modified: one bit of the key name flipped', (t: Uint8Array) => flip(t, 0)],
    ['modified: one bit of the tag flipped', (t: Uint8Array) => flip(t, t.length - 1)],
    ['truncated to 40 bytes', (t: Uint8Array) => t.slice(0, 40)],
    ['truncated to 1 byte', (t: Uint8Array) => t.slice(0, 1)],
    ['extended by a byte', (t: Uint8Array) => Uint8Array.from([...t, 0])],
  ])('%s', async (_, tamper) => {
    const { pair, state } = await firstSession();
    expectFullHandshake(await offer(pair, { ...state, ticket: tamper(state.ticket!) }));
  });

  it('expired: older than sessionLifetime', async () => {
    const { pair, state } = await firstSession({ server: { sessionLifetime: 60_000 } });
    pair.time.advanceBy(60_000);
    expectFullHandshake(await offer(pair, state));
  });

  it('sealed under a key the server no longer holds (foreign) gives a full handshake; the previous key still opens its tickets', async () => {
    const { pair, state } = await firstSession();
    const key = (fill: number) => new Uint8Array(TICKET_KEY_LENGTH).fill(fill);
    // Keys shared by a cluster, replacing the server's own: its earlier ticket is foreign now.
    pair.server.setTicketKeys([key(1)]);
    const fallback = await offer(pair, state);
    expectFullHandshake(fallback);
    const underKeyOne = fallback.client.resumption!.state as ResumableSession;
    // A rotation: key(3) is current, key(1) the previous one, which still opens its tickets.
    pair.server.setTicketKeys([key(3), key(1)]);
    const resumed = await offer(pair, underKeyOne);
    expect([resumed.client.info?.resumed, resumed.server.info?.resumed]).toEqual([true, true]);
    // Once key(1) is dropped, its tickets are foreign.
    pair.server.setTicketKeys([key(3)]);
    expectFullHandshake(await offer(pair, underKeyOne));
  });

  it('replayed by someone without the master secret: the server resumes, the replayer can read none of it, and no session is established', async () => {
    const { pair, state } = await firstSession();
    const { client, server } = await offer(pair, { ...state, masterSecret: new Uint8Array(48).fill(7) });
    // Its keys are wrong, so the server's Finished never authenticates: it times out and says
    // bad_record_mac (RFC 6347 §4.1.2.7), which ends the server's handshake, never established.
    expect(client.error?.code).toBe('ETIMEDOUT');
    expect(client.error?.message).toMatch(/did not authenticate/);
    expect(server.error?.message).toMatch(/bad_record_mac/);
    expect(server.info).toBeUndefined();
  });

  it('a session ID the server does not hold (never cached, or dropped from a full cache) gives a full handshake', async () => {
    const { pair, state } = await firstSession({ client: { tickets: false } });
    expect(pair.server.cachedSessions).toBe(1);
    expectFullHandshake(await offer(pair, { ...state, sessionId: new Uint8Array(32).fill(9) }, { tickets: false }));
  });

  it('a cache of one keeps the newest session: the older one is evicted and gets a full handshake', async () => {
    const { pair, state } = await firstSession({ client: { tickets: false }, server: { sessionCacheSize: 1 } });
    const other = await pair.reconnect({ tickets: false });
    pair.time.runUntil(() => other.state === 'established', 10_000);
    expect(pair.server.cachedSessions).toBe(1);
    expectFullHandshake(await offer(pair, state, { tickets: false }));
  });
});
