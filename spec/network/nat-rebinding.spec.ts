import { describe, expect, it } from 'vitest';
import { utf8 } from '../../lib/credentials/credential-store.js';
import { DtlsError } from '../../lib/dtls-error.js';
import { openClientSession } from '../../lib/endpoint/client.js';
import { createServer, type ServerEvent } from '../../lib/endpoint/server.js';
import type { Session } from '../../lib/endpoint/session.js';
import { VirtualTime } from '../../lib/testing/index.js';
import { pskStore, received } from '../endpoint/helpers/pair.js';
import { Nat, SERVER_BEHIND_NAT } from './helpers/nat.js';

const IDLE_TIMEOUT = 120_000;

async function setUp() {
  const time = new VirtualTime();
  const nat = new Nat(time.scheduler);
  const server = createServer({ transport: nat.server, credentials: pskStore(), scheduler: time.scheduler, idleTimeout: IDLE_TIMEOUT });
  const events: ServerEvent[] = [];
  const sessions: Session[] = [];
  server.events$.subscribe((e) => events.push(e));
  server.sessions$.subscribe((s) => sessions.push(s));
  const connect = async () => {
    const session = await openClientSession({
      host: SERVER_BEHIND_NAT.address,
      port: SERVER_BEHIND_NAT.port,
      transport: nat.client,
      credentials: pskStore(),
      scheduler: time.scheduler,
      keyLog: undefined,
    });
    expect(time.runUntil(() => session.state === 'established' && sessions.at(-1)?.state === 'established', 10_000)).toBe(true);
    return session;
  };
  return { time, nat, server, events, sessions, connect };
}

/**
 * A NAT rebinding: the client keeps its socket, the NAT gives it a new public
 * port, and the server sees datagrams of a known session from an unknown
 * address. DTLS 1.2 has no way to tie them to the session: that is what the
 * Connection ID of RFC 9146 adds, and rx-dtls does not implement it. These specs
 * pin what happens instead.
 */
describe('NAT rebinding mid-session (DTLS 1.2 without Connection ID)', () => {
  it("the server drops the records from the new port (they are no ClientHello), the client's session sends into the void, and a new handshake from the new port works", async () => {
    const { time, nat, events, sessions, connect } = await setUp();
    const client = await connect();
    const [old] = sessions;
    const atOld = received(old);
    const atClient = received(client);
    client.send(utf8('before'));
    time.advanceBy(100);
    expect(atOld).toEqual(['before']);
    const before = nat.publicAddress;

    const after = nat.rebind();
    for (const text of ['after 1', 'after 2', 'after 3']) client.send(utf8(text));
    old.send(utf8('reply to the old port'));
    time.advanceBy(1000);

    // The server: each record from the new port meets the cookie gate, which only knows ClientHellos.
    const dropped = events.filter((e) => e.type === 'dropped');
    expect(dropped).toEqual(Array(3).fill({ type: 'dropped', peer: after, reason: 'not an epoch-0 handshake record' }));
    expect(events.filter((e) => e.type === 'hello-verify-request' || e.type === 'session-start').map((e) => e.peer)).toEqual([before, before]);
    expect(atOld).toEqual(['before']);
    expect(old.peer).toEqual(before);
    // Its answers go to the old mapping, which the NAT no longer has.
    expect(nat.lostAtNat).toHaveLength(1);
    expect(atClient).toEqual([]);
    // The client: nothing tells it. DTLS does not acknowledge records, so its session stays up.
    expect(client.state).toBe('established');
    expect(client.error).toBeUndefined();

    // The application notices the silence and starts over: a full handshake from the new port.
    client.close();
    const fresh = await connect();
    expect(sessions).toHaveLength(2);
    expect(sessions[1].peer).toEqual(after);
    const atNew = received(sessions[1]);
    fresh.send(utf8('from the new port'));
    time.advanceBy(100);
    expect(atNew).toEqual(['from the new port']);
    // The old server session is still there, established, for a client that no longer has it.
    expect(old.state).toBe('established');
  });

  it('the stranded server session lasts until the idle timeout; its close_notify is lost at the NAT', async () => {
    const { time, nat, server, sessions, connect } = await setUp();
    const client = await connect();
    const [old] = sessions;
    nat.rebind();
    client.abandon(new DtlsError('ECLOSED', 'gave up'));
    const fresh = await connect();
    expect(server.sessionCount).toBe(2);

    // Keep the new session busy so that only the stranded one is idle.
    let closedAt = -1;
    old.state$.subscribe({ next: (state) => {
      if (state === 'closed') closedAt = time.now;
    }, error: () => undefined });
    for (let t = 0; t < IDLE_TIMEOUT * 1.5; t += 10_000) {
      fresh.send(utf8('keepalive'));
      time.advanceBy(10_000);
    }
    expect(closedAt).toBeGreaterThanOrEqual(IDLE_TIMEOUT);
    expect(old.error).toBeUndefined();
    // Its close_notify (an alert record, RFC 5246 §7.2.1) went to the old port and was lost at the NAT.
    expect(nat.lostAtNat.map((d) => d[0])).toEqual([21]);
    expect(sessions[1].state).toBe('established');
    expect(server.sessionCount).toBe(1);
  });
});
