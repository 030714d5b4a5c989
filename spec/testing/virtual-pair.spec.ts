import { describe, expect, it } from 'vitest';
import { credentials, established, utf8 } from '../../lib/index.js';
import { impair, virtualFleet, virtualPair, VirtualTime } from '../../lib/testing/index.js';

const store = credentials().psk({ tag: 0, identity: 'device', key: 'secretPSK' });

describe('VirtualTime', () => {
  it('runs what is due up to a time, and no further', () => {
    const time = new VirtualTime();
    const ran: number[] = [];
    time.scheduler.schedule(() => ran.push(time.now), 10);
    time.scheduler.schedule(() => ran.push(time.now), 20);
    time.advanceTo(15);
    expect(ran).toEqual([10]);
    expect(time.now).toBe(15);
    expect(time.pending).toBe(1);
    expect(time.runUntil(() => ran.length === 2, 100)).toBe(true);
    expect(time.now).toBe(20);
    expect(() => time.advanceTo(5)).toThrow(RangeError);
  });

  it('lets a promise settle between steps: await established() on a virtual clock', async () => {
    const pair = virtualPair({ credentials: store });
    const done = established(pair.client);
    pair.time.advanceBy(1_000);
    await expect(done).resolves.toBe(pair.client);
    pair.close();
  });
});

describe('virtualPair', () => {
  it('completes a handshake through 30% loss each way and carries data both ways', () => {
    const pair = virtualPair({
      credentials: store,
      link: (_direction, scheduler) => impair({ seed: 11, loss: 0.3, scheduler }),
      delay: 50,
    });
    expect(pair.runUntilEstablished()).toBe(true);
    const got: string[] = [];
    pair.serverSessions[0].data$.subscribe((d) => pair.serverSessions[0].send(d));
    pair.client.data$.subscribe((d) => got.push(new TextDecoder().decode(d)));
    for (let i = 0; i < 10; i++) pair.client.send(utf8(`m${i}`));
    pair.time.advanceBy(100);
    // DTLS does not resend application data: what the link lost either way stays lost, the rest comes back once, in order.
    expect(got).toEqual(['m3', 'm5', 'm6', 'm8', 'm9']);
    pair.close();
    expect(pair.time.pending).toBe(0);
    expect(pair.client.state).toBe('closed');
  });

  it('reports a handshake that cannot complete as a timeout, in virtual time', () => {
    const pair = virtualPair({
      credentials: store,
      client: { handshakeTimeout: 5_000 },
      link: (direction, scheduler) => impair({ seed: 1, loss: direction === 'server-to-client' ? 1 : 0, scheduler }),
    });
    expect(pair.runUntilEstablished()).toBe(false);
    expect(pair.client.error?.code).toBe('ETIMEDOUT');
    expect(pair.time.now).toBe(5_000);
    pair.close();
    expect(pair.time.pending).toBe(0);
  });
});

describe('virtualFleet', () => {
  it('brings 20 clients against a server that holds 10 sessions: 10 established, the others turned away at once (EBUSY)', () => {
    const fleet = virtualFleet({ clients: 20, credentials: store, server: { maxSessions: 10 } });
    expect(fleet.runUntilSettled()).toBe(10);
    expect(fleet.clients.filter((c) => c.error?.code === 'EBUSY')).toHaveLength(10);
    fleet.close();
    expect(fleet.time.pending).toBe(0);
  });

  it('brings 12 clients up against a server that allows 4 handshakes at once, and stops every timer when closed', () => {
    const fleet = virtualFleet({ clients: 12, credentials: store, server: { maxHandshakes: 4 } });
    const settled = fleet.runUntilSettled();
    // The 12 cookie-bearing ClientHellos arrive together: the first 4 handshakes are live, so each
    // newcomer beyond them is turned away with internal_error and fails at once with EBUSY.
    expect(settled).toBe(4);
    const outcomes = fleet.clients.map((c) => c.error?.code ?? c.state);
    expect(outcomes.filter((o) => o === 'EBUSY')).toHaveLength(8);
    expect(outcomes.filter((o) => o === 'established')).toHaveLength(4);
    expect(fleet.server.sessionCount).toBe(settled);
    fleet.close();
    expect(fleet.time.pending).toBe(0);
  });
});
