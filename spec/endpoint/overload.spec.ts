// A server out of room answers, instead of dropping: a client it turns away after the
// cookie exchange (maxSessions, maxHandshakes), or whose silent handshake it evicts, gets a fatal
// internal_error and fails at once with EBUSY, not with ETIMEDOUT a handshake timeout later.
// And a handshake that does time out says what the client saw, naming a wrong key only on evidence.
import { describe, expect, it } from 'vitest';
import { DtlsError } from '../../lib/dtls-error.js';
import type { Session } from '../../lib/endpoint/session.js';
import { clientAddress, hubServer, isServer } from './helpers/hub-server.js';
import { pskStore, startPair } from './helpers/pair.js';

const HANDSHAKE_TIMEOUT = 60_000;

describe('a server out of room', () => {
  it('answers a verified ClientHello beyond maxSessions with internal_error: the client fails with EBUSY within a second', async () => {
    const { time, server, events, connect } = hubServer({ maxSessions: 1 });
    const first = await connect(1);
    time.runUntil(() => first.state === 'established', 1000);
    const second = await connect(2, { handshakeTimeout: HANDSHAKE_TIMEOUT });
    expect(time.runUntil(() => second.state === 'closed', 1000)).toBe(true);
    expect(second.error?.code).toBe('EBUSY');
    expect(second.error?.alert).toMatchObject({ level: 'fatal', name: 'internal_error' });
    expect(first.state).toBe('established');
    expect(server.sessionCount).toBe(1);
    expect(events.filter((e) => e.type === 'dropped' && e.reason === 'maxSessions reached')).toHaveLength(1);
  });

  it('at maxHandshakes turns a newcomer away while the oldest handshake is live, and tells the one it evicts once silent: EBUSY on both clients, ENOBUFS on the server side', async () => {
    // Client 1's flight 5 never arrives, so its handshake stays open on the server until client 2 evicts it.
    const flight5Lost = (from: Parameters<typeof isServer>[0], _to: unknown, _data: unknown, index: number) =>
      !(from.port === clientAddress(1).port && index > 1);
    const { time, sessions, connect } = hubServer({ maxHandshakes: 1 }, flight5Lost);
    const first = await connect(1, { handshakeTimeout: HANDSHAKE_TIMEOUT });
    time.advanceBy(100);
    expect(sessions.map((s) => s.state)).toEqual(['handshaking']);
    // Live, it keeps its place: client 2 is turned away.
    const early = await connect(2, { handshakeTimeout: HANDSHAKE_TIMEOUT });
    expect(time.runUntil(() => early.state === 'closed', 1000)).toBe(true);
    expect(early.error?.code).toBe('EBUSY');
    // Silent for four retransmission timers (its resent flight 5 is lost too), it gives way to the next newcomer.
    time.advanceBy(4_000);
    const second = await connect(3);
    expect(time.runUntil(() => first.state === 'closed' && second.state === 'established', 1000)).toBe(true);
    expect(first.error?.code).toBe('EBUSY');
    expect(sessions[0].error?.code).toBe('ENOBUFS');
    expect(sessions[0].error?.alert).toMatchObject({ level: 'fatal', name: 'internal_error' });
  });

  it('a burst of clients beyond maxHandshakes and maxSessions: each one ends established or EBUSY within seconds, none times out', async () => {
    const { time, server, connect } = hubServer({ maxHandshakes: 4, maxSessions: 12 });
    const clients: Session[] = [];
    for (let n = 1; n <= 30; n++) clients.push(await connect(n, { handshakeTimeout: HANDSHAKE_TIMEOUT }));
    expect(time.runUntil(() => clients.every((c) => c.state !== 'handshaking'), 10_000, 10)).toBe(true);
    const outcomes = clients.map((c) => c.error?.code ?? c.state);
    expect(outcomes.filter((o) => o !== 'established' && o !== 'EBUSY')).toEqual([]);
    expect(outcomes.filter((o) => o === 'established').length).toBe(server.sessionCount);
    expect(server.sessionCount).toBeGreaterThan(0);
  });

  it('an internal_error from a client is no sign of a busy server: the server side ends with EALERT', async () => {
    const { time, server, client, serverSessions } = await startPair();
    time.runUntil(() => serverSessions.length > 0, 1000);
    // The client's own failure, after its cookie exchange: refuse() is the server's word, but any peer can send internal_error.
    client.refuse(new DtlsError('EHANDSHAKE', 'gave up'));
    time.advanceBy(10);
    expect(serverSessions[0].error?.code).toBe('EALERT');
    expect(server.sessionCount).toBe(0);
  });
});

describe('a handshake timeout says what the client saw', () => {
  it('nothing came back at all: no word of a wrong key', async () => {
    const { time, client } = await startPair({ deliver: (d) => d.from === 'client', client: { handshakeTimeout: 10_000 } });
    time.advanceTo(10_000);
    expect(client.error?.code).toBe('ETIMEDOUT');
    expect(client.error?.message).toMatch(/nothing came back from the peer/);
    expect(client.error?.message).not.toMatch(/pre-shared key/);
  });

  it('the server went silent after our Finished (it stopped or restarted): says so, with no word of a wrong key', async () => {
    // The HelloVerifyRequest and flight 4 arrive; then the server is gone.
    let serverSent = 0;
    const { time, client } = await startPair({
      deliver: (d) => d.from === 'client' || ++serverSent <= 2,
      client: { handshakeTimeout: 10_000 },
    });
    time.advanceTo(10_000);
    expect(client.error?.code).toBe('ETIMEDOUT');
    expect(client.error?.message).toMatch(/the peer went silent after our Finished: nothing from the peer for the last \d+ ms/);
    expect(client.error?.message).not.toMatch(/pre-shared key/);
  });

  it('a server that keeps resending its flight instead of answering our Finished: a wrong pre-shared key', async () => {
    const { time, client } = await startPair({
      client: { credentials: pskStore('wrongPSK'), handshakeTimeout: 10_000 },
      server: { handshakeTimeout: 20_000 },
    });
    time.advanceTo(10_000);
    expect(client.error?.code).toBe('ETIMEDOUT');
    expect(client.error?.message).toMatch(/kept resending its flight instead of answering our Finished: a wrong pre-shared key\?/);
  });
});
