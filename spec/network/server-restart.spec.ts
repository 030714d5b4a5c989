import { describe, expect, it } from 'vitest';
import { utf8 } from '../../lib/credentials/credential-store.js';
import type { Session } from '../../lib/endpoint/session.js';
import type { VirtualTime } from '../../lib/testing/virtual-time.js';
import { KEEPALIVE, RestartLab } from './helpers/restart-lab.js';

/** The time each session closed, and with what. */
function watchEnds(sessions: readonly Session[], time: VirtualTime) {
  const ends = new Map<Session, { at: number; code?: string; message?: string }>();
  for (const s of sessions) s.state$.subscribe({ error: (e: { code: string; message: string }) => ends.set(s, { at: time.now, code: e.code, message: e.message }), complete: () => ends.set(s, { at: time.now }) });
  return ends;
}

describe('a server SIGKILLed and restarted 2.4 s later, with established and in-flight sessions (issue 17)', () => {
  it('every established client with a keepalive, and every in-flight handshake, fails within its deadline; nothing is delivered twice; reconnecting works', () => {
    const lab = new RestartLab();
    lab.start();
    const established = Array.from({ length: 10 }, (_, i) => lab.client(40_000 + i));
    // These ten never get the server's flight 6 before the crash: they are still retransmitting flight 5.
    for (let i = 10; i < 20; i++) lab.stuck.add(40_000 + i);
    const inFlight = Array.from({ length: 10 }, (_, i) => lab.client(40_010 + i));
    const ends = watchEnds([...established, ...inFlight], lab.time);
    lab.time.advanceTo(100);
    expect(established.map((s) => s.state)).toEqual(Array(10).fill('established'));
    expect(inFlight.map((s) => s.state)).toEqual(Array(10).fill('handshaking'));
    established.forEach((s, i) => s.send(utf8(`before ${i}`)));
    lab.time.advanceTo(500);
    const lastHeard = Math.max(...established.map((s) => s.lastActivity));

    lab.kill();
    lab.time.advanceTo(2_900);
    lab.start();
    // Without a way to notice, send() goes on succeeding into the void: records the new server drops.
    established.forEach((s, i) => s.send(utf8(`into the void ${i}`)));

    lab.time.runUntil(() => [...established, ...inFlight].every((s) => s.state === 'closed'), 60_000);
    // Every established session ends at its keepalive's timeout after the last record it heard.
    for (const s of established) {
      expect(ends.get(s)).toMatchObject({ code: 'ETIMEDOUT', message: expect.stringMatching(/^no record from 10\.0\.0\.2:5684 for 15 s, \d HeartbeatRequests unanswered/) });
      expect(ends.get(s)!.at).toBeLessThanOrEqual(lastHeard + KEEPALIVE.timeout);
    }
    // Every in-flight handshake gives up 15 s after its last flight went unanswered, not after 60 s, and says why.
    for (const s of inFlight) {
      expect(ends.get(s)).toMatchObject({ code: 'ETIMEDOUT', message: expect.stringMatching(/gave up: no datagram from it for 15000 ms.*went silent/) });
      expect(ends.get(s)!.at).toBeLessThanOrEqual(15_000);
    }
    // Each record the old server got, it got once; the new one got none of the old sessions' records.
    expect(established.map((_, i) => lab.received[0].get(40_000 + i))).toEqual(established.map((_, i) => [`before ${i}`]));
    expect(lab.received[1].size).toBe(0);

    // Reconnecting is the application's choice: a new handshake with the restarted server works at once.
    lab.stuck.clear();
    const again = lab.client(40_100);
    lab.time.advanceBy(100);
    expect(again.state).toBe('established');
    again.send(utf8('after'));
    lab.time.advanceBy(10);
    expect(lab.received[1].get(40_100)).toEqual(['after']);
    again.close();
    lab.server.close();
    lab.time.runUntil(() => lab.time.pending === 0, 200_000, 1_000);
    expect(lab.time.pending).toBe(0);
  });

  it('without a keepalive an established client never notices: it stays established, and send() keeps succeeding', () => {
    const lab = new RestartLab();
    lab.start();
    const client = lab.client(40_000, { keepalive: undefined });
    lab.time.advanceTo(100);
    lab.kill();
    lab.time.advanceTo(2_500);
    lab.start();
    lab.time.advanceBy(600_000);
    expect(client.state).toBe('established');
    expect(() => client.send(utf8('lost'))).not.toThrow();
    client.close();
    lab.server.close();
  });
});

describe('a client SIGKILLed (issue 17)', () => {
  it('its established session is closed by the server within 135 s by default (idleTimeout 120 s, swept every 15 s)', () => {
    const lab = new RestartLab();
    lab.start();
    const client = lab.client(40_000, { keepalive: undefined });
    let serverSession: Session | undefined;
    lab.server.sessions$.subscribe((s) => (serverSession = s));
    lab.time.advanceTo(100);
    expect(client.state).toBe('established');
    lab.clientEnds.get(40_000)!.close(); // its socket is gone, with no close_notify
    const lastHeard = serverSession!.lastActivity;
    lab.time.advanceTo(lastHeard + 119_999);
    expect(serverSession!.state).toBe('established');
    lab.time.advanceTo(lastHeard + 135_000);
    expect(serverSession!.state).toBe('closed');
    expect(lab.server.sessionCount).toBe(0);
    lab.server.close();
  });

  it('its in-flight handshake is given up by the server 15 s after flight 4, not after the 60 s budget', () => {
    const lab = new RestartLab();
    lab.start();
    // The client dies right after its ClientHello with the cookie: flight 4 reaches nobody.
    const client = lab.client(40_000, { keepalive: undefined });
    let serverSession: Session | undefined;
    lab.server.sessions$.subscribe((s) => {
      serverSession = s;
      lab.clientEnds.get(40_000)!.close();
    });
    lab.time.advanceBy(60_000);
    expect(serverSession!.error).toMatchObject({ code: 'ETIMEDOUT', message: expect.stringMatching(/gave up: no datagram from it for 15000 ms, 4 retransmission timeouts of flight 4/) });
    client.close();
    lab.server.close();
  });
});
