import { describe, expect, it } from 'vitest';
import { utf8 } from '../../lib/credentials/credential-store.js';
import { DtlsError } from '../../lib/dtls-error.js';
import { createServer } from '../../lib/endpoint/server.js';
import { clientHello } from '../handshake/helpers/client-hello.js';
import { clientHelloDatagram } from '../operators/helpers/records.js';
import { MemoryHub } from '../../lib/testing/index.js';
import { hubServer, isServer, stallAfterCookie } from './helpers/hub-server.js';
import { SERVER_ADDRESS, pskStore, received, startPair } from './helpers/pair.js';
import { VirtualTime } from '../../lib/testing/index.js';

describe('DtlsServer', () => {
  it('schedules nothing while it has no session, and stops its idle sweep when the last session ends', async () => {
    const { time, connect } = hubServer();
    expect(time.pending).toBe(0);
    const client = await connect(1);
    expect(time.runUntil(() => client.state === 'established', 5_000)).toBe(true);
    expect(time.pending).toBeGreaterThan(0);
    client.close();
    time.advanceBy(10);
    expect(time.pending).toBe(0);
  });

  it('keeps no session before the cookie round trip: cookieless ClientHellos only get HelloVerifyRequests (RFC 6347 §4.2.1)', async () => {
    // The client never receives the HelloVerifyRequest, so it keeps sending its first ClientHello.
    const { time, client, server, serverEvents, serverSessions } = await startPair({ deliver: (d) => d.from === 'client' });
    let most = 0;
    while (time.now < 60_000) {
      time.advanceBy(100);
      most = Math.max(most, server.sessionCount);
    }
    expect(client.error?.code).toBe('ETIMEDOUT');
    expect(most).toBe(0);
    expect(serverSessions).toEqual([]);
    expect(serverEvents.map((e) => e.type)).toEqual(new Array(6).fill('hello-verify-request'));
  });

  it('answers a ClientHello flood from many addresses statelessly', async () => {
    const { time, server, events, connect } = hubServer({}, (from) => !isServer(from));
    for (let n = 1; n <= 50; n++) await connect(n, { handshakeTimeout: 5000 });
    time.advanceTo(5000);
    expect(server.sessionCount).toBe(0);
    expect(events.filter((e) => e.type === 'hello-verify-request').length).toBeGreaterThanOrEqual(50);
    expect(events.filter((e) => e.type === 'session-start')).toEqual([]);
  });

  it('at maxHandshakes turns a newcomer away while the handshakes in progress are live, and evicts the oldest once its peer is silent', async () => {
    const { time, server, sessions, events, connect } = hubServer({ maxHandshakes: 2 }, stallAfterCookie(1, 2, 3, 4));
    for (const n of [1, 2, 3]) {
      await connect(n);
      time.advanceBy(10);
    }
    expect(sessions.map((s) => s.state)).toEqual(['handshaking', 'handshaking']);
    expect(events.filter((e) => e.type === 'dropped' && e.reason === 'maxHandshakes reached')).toHaveLength(1);
    // Stalled clients get nothing after the HelloVerifyRequest, so they fall silent once they give up resending.
    time.advanceBy(60_000 - time.now - 10);
    await connect(4);
    time.advanceBy(10);
    expect(sessions).toHaveLength(3);
    expect(sessions[0].state).toBe('closed');
    expect(sessions[0].error?.code).toBe('ENOBUFS');
    expect(server.sessionCount).toBeLessThanOrEqual(2);
  });

  it('rejects byte limits it cannot use with EINVAL', () => {
    const transport = new MemoryHub(new VirtualTime().scheduler).endpoint(SERVER_ADDRESS);
    for (const limits of [{ maxHandshakeBytesTotal: 0 }, { maxHandshakeBytesTotal: 1.5 }, { maxHandshakeBufferBytes: -1 }]) {
      expect(() => createServer({ credentials: pskStore(), transport, ...limits })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    }
  });

  it('does not count established sessions against maxHandshakes', async () => {
    const { time, server, sessions, connect } = hubServer({ maxHandshakes: 1 }, stallAfterCookie(2));
    const first = await connect(1);
    time.runUntil(() => first.state === 'established', 1000);
    await connect(2);
    time.advanceBy(10);
    expect(sessions.map((s) => s.state)).toEqual(['established', 'handshaking']);
    expect(server.sessionCount).toBe(2);
  });

  it('turns away new clients at maxSessions, without touching the existing ones', async () => {
    const { time, server, sessions, events, connect } = hubServer({ maxSessions: 1 });
    const first = await connect(1);
    time.runUntil(() => first.state === 'established', 1000);
    const second = await connect(2, { handshakeTimeout: 5000 });
    time.advanceBy(5000);
    expect(sessions).toHaveLength(1);
    expect(first.state).toBe('established');
    // Told with a fatal internal_error (spec/endpoint/overload.spec.ts).
    expect(second.error?.code).toBe('EBUSY');
    expect(server.sessionCount).toBe(1);
    expect(events.some((e) => e.type === 'dropped' && e.reason === 'maxSessions reached')).toBe(true);
  });

  it('closes an idle established session with close_notify, and the client closes cleanly', async () => {
    const { time, client, server, serverSessions } = await startPair({ server: { idleTimeout: 10_000 } });
    time.runUntil(() => client.state === 'established', 1000);
    time.advanceTo(9_999);
    expect(client.state).toBe('established');
    time.advanceTo(12_500);
    expect(serverSessions[0].state).toBe('closed');
    expect(serverSessions[0].error).toBeUndefined();
    expect(client.state).toBe('closed');
    expect(client.error).toBeUndefined();
    expect(server.sessionCount).toBe(0);
  });

  it('keeps a session whose peer keeps talking past the idle timeout', async () => {
    const { time, client, server, serverSessions } = await startPair({ server: { idleTimeout: 10_000 } });
    time.runUntil(() => client.state === 'established', 1000);
    const got = received(serverSessions[0]);
    for (let i = 0; i < 10; i++) {
      client.send(utf8(`ping ${i}`));
      time.advanceBy(4_000);
    }
    expect(serverSessions[0].state).toBe('established');
    expect(got).toHaveLength(10);
    expect(server.sessionCount).toBe(1);
  });

  it('abandons an idle handshake with ETIMEDOUT before the handshake timeout', async () => {
    const { time, sessions, connect } = hubServer({ idleTimeout: 8_000 }, (from, _to, _data, index) => !(!isServer(from) && index > 1));
    await connect(1);
    time.advanceTo(12_000);
    expect(sessions).toHaveLength(1);
    expect(sessions[0].error?.code).toBe('ETIMEDOUT');
  });

  it('fails a handshake the client abandoned after its cookie with ETIMEDOUT after handshakeTimeout (maxSilentTimeouts: Infinity)', async () => {
    // The client's datagrams stop after its second ClientHello. (By default the server gives
    // up sooner, 15 s after flight 4: spec/network/server-gone-silent.spec.ts.)
    const { time, serverSessions } = await startPair({
      deliver: (d, i) => d.from === 'server' || i < 3,
      server: { handshakeTimeout: 20_000, maxSilentTimeouts: Number.POSITIVE_INFINITY },
    });
    time.advanceTo(19_999);
    expect(serverSessions[0].state).toBe('handshaking');
    time.advanceTo(20_000);
    expect(serverSessions[0].error?.code).toBe('ETIMEDOUT');
  });

  it('retransmits flight 4 at 1, 3, 7, 15 and 31 s when the client goes silent after its cookie, then times out (maxSilentTimeouts: Infinity)', async () => {
    // wire: 0 ClientHello, 1 HelloVerifyRequest, 2 ClientHello with cookie; nothing from the client after that
    const { time, serverSessions, serverSessionEvents, wire } = await startPair({
      deliver: (d, i) => d.from === 'server' || i < 3,
      server: { maxSilentTimeouts: Number.POSITIVE_INFINITY },
    });
    time.advanceTo(60_000);
    const flight4 = wire.filter((d, i) => d.from === 'server' && i > 1).map((d) => d.time);
    expect(flight4).toEqual([0, 1000, 3000, 7000, 15000, 31000]);
    expect(serverSessionEvents[0].filter((e) => e.type === 'retransmit').map((e) => e.type === 'retransmit' && e.reason)).toEqual(new Array(5).fill('timeout'));
    expect(serverSessions[0].error?.code).toBe('ETIMEDOUT');
  });

  it('accepts a cookie one rotation old: the handshake completes across a rotation', async () => {
    // The ClientHello with the cookie arrives 600 ms after the HelloVerifyRequest was issued.
    const { time, client, serverEvents } = await startPair({ delay: 300, server: { cookieRotation: 500 } });
    expect(time.runUntil(() => client.state === 'established', 5000, 10)).toBe(true);
    expect(serverEvents.filter((e) => e.type === 'hello-verify-request')).toHaveLength(1);
  });

  it('answers a cookie two rotations old with a new HelloVerifyRequest, and the client retries with the new cookie', async () => {
    // The first ClientHello with a cookie is lost; its retransmission at 1 s comes two rotations later.
    const { time, client, serverEvents, serverSessions } = await startPair({ deliver: (_, i) => i !== 2, server: { cookieRotation: 400 } });
    expect(time.runUntil(() => client.state === 'established', 5000)).toBe(true);
    expect(serverEvents.filter((e) => e.type === 'hello-verify-request')).toHaveLength(2);
    expect(serverSessions).toHaveLength(1);
  });

  it('never lets a client in whose cookies always come back too late; the client gives up after 8 HelloVerifyRequests', async () => {
    const { time, client, server, serverEvents } = await startPair({ delay: 300, server: { cookieRotation: 200 }, client: { handshakeTimeout: 10_000 } });
    time.advanceTo(10_000);
    expect(client.error?.code).toBe('EHANDSHAKE');
    expect(client.error?.message).toMatch(/HelloVerifyRequests/);
    expect(server.sessionCount).toBe(0);
    expect(serverEvents.filter((e) => e.type === 'hello-verify-request').length).toBeGreaterThan(3);
  });

  it('gives a client that restarts from the same address a fresh session (RFC 6347 §4.2.8)', async () => {
    const pair = await startPair();
    const { time, client, server, serverSessions } = pair;
    time.runUntil(() => client.state === 'established', 1000);
    // The client loses its state without telling the server, and starts over from the same port.
    client.abandon(new DtlsError('ECLOSED', 'rebooted'));
    const again = await pair.reconnect();
    expect(time.runUntil(() => again.state === 'established', 1000)).toBe(true);
    expect(serverSessions).toHaveLength(2);
    expect(serverSessions[0].state).toBe('closed');
    expect(serverSessions[0].error?.code).toBe('ECLOSED');
    expect(serverSessions[1].state).toBe('established');
    expect(server.sessionCount).toBe(1);
    const got = received(serverSessions[1]);
    again.send(utf8('after reboot'));
    time.advanceBy(10);
    expect(got).toEqual(['after reboot']);
  });

  it('keeps an established session when a cookieless ClientHello with a new random comes from its address', async () => {
    const { time, client, server, serverEvents, serverSessions, clientEnd } = await startPair();
    time.runUntil(() => client.state === 'established', 1000);
    clientEnd.send(clientHelloDatagram(clientHello({ random: new Uint8Array(32).fill(0x42) })), SERVER_ADDRESS);
    time.advanceBy(10);
    expect(serverEvents.at(-1)?.type).toBe('hello-verify-request');
    expect(serverSessions[0].state).toBe('established');
    expect(server.sessionCount).toBe(1);
    const got = received(serverSessions[0]);
    client.send(utf8('still here'));
    time.advanceBy(10);
    expect(got).toEqual(['still here']);
  });

  it('treats a retransmitted ClientHello (same random) as part of the running handshake, not a restart', async () => {
    // flight 4 is lost once, so the client resends its second ClientHello
    const { time, client, serverSessions } = await startPair({ deliver: (d, i) => !(d.from === 'server' && i === 3) });
    expect(time.runUntil(() => client.state === 'established', 5000)).toBe(true);
    expect(serverSessions).toHaveLength(1);
    expect(serverSessions[0].state).toBe('established');
  });

  it('closes every session with close_notify on close(), and the clients close cleanly', async () => {
    const { time, server, sessions, connect } = hubServer();
    const clients = [await connect(1), await connect(2)];
    time.runUntil(() => clients.every((c) => c.state === 'established'), 1000);
    server.close();
    time.advanceBy(10);
    expect(sessions.map((s) => [s.state, s.error])).toEqual([
      ['closed', undefined],
      ['closed', undefined],
    ]);
    expect(clients.map((c) => [c.state, c.error])).toEqual([
      ['closed', undefined],
      ['closed', undefined],
    ]);
    expect(server.sessionCount).toBe(0);
  });

  it('runs several handshakes at once from different addresses', async () => {
    const { time, sessions, connect } = hubServer();
    const clients = await Promise.all([1, 2, 3, 4, 5].map((n) => connect(n)));
    expect(time.runUntil(() => clients.every((c) => c.state === 'established'), 1000)).toBe(true);
    expect(sessions.map((s) => s.peer.port).sort()).toEqual([5001, 5002, 5003, 5004, 5005]);
  });
});
