// Half-open handshakes: clients that answer the cookie exchange (so they are not spoofing)
// and then go quiet. The server caps how many it keeps (maxHandshakes: a newcomer is turned
// away while they are live, and evicts the oldest once its peer has gone silent, so a flood
// of them cannot lock real clients out for long), caps sessions overall
// (maxSessions), and ends each after handshakeTimeout / idleTimeout, in virtual time.
import { describe, expect, it } from 'vitest';
import type { DtlsError } from '../../lib/dtls-error.js';
import { address, SpoofedServer } from './helpers/spoofed-server.js';

const ended = (s: SpoofedServer) =>
  s.events.flatMap((e) => (e.type === 'session-end' ? [{ peer: e.peer.address, code: (e.error as DtlsError | undefined)?.code }] : []));

describe('half-open handshakes', () => {
  it('at maxHandshakes a newcomer is turned away while the handshakes in progress are live, and the count never exceeds the cap', () => {
    const s = new SpoofedServer({ maxHandshakes: 4 });
    for (let i = 0; i < 10; i++) {
      s.halfOpen(address(i));
      expect(s.server.sessionCount).toBeLessThanOrEqual(4);
    }
    expect(s.server.sessionCount).toBe(4);
    expect(ended(s)).toEqual([]);
    const turnedAway = s.events.filter((e) => e.type === 'dropped' && e.reason === 'maxHandshakes reached');
    expect(turnedAway.map((e) => e.peer.address)).toEqual([4, 5, 6, 7, 8, 9].map((i) => address(i).address));
    s.server.close();
  });

  it('beyond maxHandshakes the oldest half-open handshake whose peer went silent (four retransmission timers) is evicted first', () => {
    const s = new SpoofedServer({ maxHandshakes: 4 });
    for (let i = 0; i < 4; i++) s.halfOpen(address(i));
    s.clock.advanceBy(4_000);
    for (let i = 4; i < 10; i++) s.halfOpen(address(i));
    expect(s.server.sessionCount).toBe(4);
    // The four silent ones give way, oldest first; then the newcomers are live, and 8 and 9 are turned away.
    expect(ended(s)).toEqual([0, 1, 2, 3].map((i) => ({ peer: address(i).address, code: 'ENOBUFS' })));
    const turnedAway = s.events.filter((e) => e.type === 'dropped' && e.reason === 'maxHandshakes reached');
    expect(turnedAway.map((e) => e.peer.address)).toEqual([8, 9].map((i) => address(i).address));
    s.server.close();
  });

  it('a flood of half-open handshakes does not lock out a real client for long: once they are silent it evicts the oldest and completes', async () => {
    // The silence rule (maxSilentTimeouts) would give up on each half-open handshake 15 s after
    // its flight 4 by itself; off, so what is pinned is which handshake eviction picks.
    const s = new SpoofedServer({ maxHandshakes: 8, maxSilentTimeouts: Infinity });
    for (let i = 0; i < 50; i++) s.halfOpen(address(i));
    s.clock.advanceBy(4_000);
    const client = await s.connect({ address: '203.0.113.9', port: 5000 });
    expect(s.clock.runUntil(() => client.state !== 'handshaking', 10_000, 10)).toBe(true);
    expect(client.state).toBe('established');
    expect(s.server.sessionCount).toBe(8);
    // And silent half-open handshakes arriving later evict the oldest half-open one, not the established session.
    for (let i = 50; i < 70; i++) {
      s.halfOpen(address(i));
      s.clock.advanceBy(4_000);
    }
    expect(client.state).toBe('established');
    expect(s.server.sessionCount).toBe(9);
    s.server.close();
  });

  it('half-open handshakes end after handshakeTimeout, and the server holds nothing after', () => {
    const s = new SpoofedServer({ handshakeTimeout: 5_000, maxHandshakes: 100 });
    for (let i = 0; i < 20; i++) s.halfOpen(address(i));
    expect(s.server.sessionCount).toBe(20);
    s.clock.advanceBy(4_999);
    expect(s.server.sessionCount).toBe(20);
    s.clock.advanceBy(2);
    expect(s.server.sessionCount).toBe(0);
    expect(ended(s).map((e) => e.code)).toEqual(Array(20).fill('ETIMEDOUT'));
    s.server.close();
  });

  it('idle half-open handshakes end after idleTimeout when that comes first', () => {
    const s = new SpoofedServer({ handshakeTimeout: 60_000, idleTimeout: 4_000, maxHandshakes: 100 });
    for (let i = 0; i < 5; i++) s.halfOpen(address(i));
    s.clock.advanceBy(3_000);
    expect(s.server.sessionCount).toBe(5);
    // The idle sweep runs every idleTimeout / 8, so a session goes between idleTimeout and 1.125 x idleTimeout.
    s.clock.advanceBy(2_000);
    expect(s.server.sessionCount).toBe(0);
    expect(ended(s).map((e) => e.code)).toEqual(Array(5).fill('ETIMEDOUT'));
    s.server.close();
  });

  it('beyond maxSessions new clients are turned away after their cookie exchange, and counted as dropped', () => {
    const s = new SpoofedServer({ maxSessions: 3, maxHandshakes: 100 });
    for (let i = 0; i < 6; i++) s.halfOpen(address(i));
    expect(s.server.sessionCount).toBe(3);
    const dropped = s.events.filter((e) => e.type === 'dropped' && e.reason === 'maxSessions reached');
    expect(dropped.map((e) => e.peer.address)).toEqual([3, 4, 5].map((i) => address(i).address));
    s.server.close();
  });
});
