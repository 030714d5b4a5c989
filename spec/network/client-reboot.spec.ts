import { describe, expect, it } from 'vitest';
import { utf8 } from '../../lib/credentials/credential-store.js';
import { DtlsError } from '../../lib/dtls-error.js';
import { received, startPair } from '../endpoint/helpers/pair.js';
import { labels } from './helpers/scripted-link.js';

const DELAY = 50;

/**
 * RFC 6347 §4.2.8: a ClientHello at epoch 0 from the address and port of an
 * established association is a client that lost its state (a reboot). The
 * server goes through a new handshake but must not destroy the old association
 * before the client has shown it is reachable, by completing the cookie exchange.
 */
describe('a client that reboots and reconnects from the same address and port (RFC 6347 §4.2.8)', () => {
  it('gets a new session after the cookie exchange, and only then is the old one closed', async () => {
    const pair = await startPair({ delay: DELAY });
    expect(pair.time.runUntil(() => pair.client.state === 'established' && pair.serverSessions[0]?.state === 'established', 10_000)).toBe(true);
    const [old] = pair.serverSessions;
    const oldEvents = pair.serverSessionEvents[0];

    // The device reboots: its session is gone without a close_notify, and it starts over on the same port.
    pair.client.abandon(new DtlsError('ECLOSED', 'reboot'));
    pair.time.advanceBy(10_000);
    const rebootAt = pair.time.now;
    const fresh = await pair.reconnect();

    // Its first ClientHello only draws a HelloVerifyRequest: the old session is untouched.
    pair.time.advanceTo(rebootAt + DELAY + 1);
    expect(pair.serverEvents.filter((e) => e.type === 'hello-verify-request')).toHaveLength(2);
    expect(pair.serverSessions).toHaveLength(1);
    expect(old.state).toBe('established');

    // The ClientHello with the cookie proves the address: the old session ends, a new one starts.
    pair.time.advanceTo(rebootAt + 3 * DELAY + 1);
    expect(old.state).toBe('closed');
    expect(old.error?.code).toBe('ECLOSED');
    expect(pair.serverSessions).toHaveLength(2);
    // The old session ended quietly: the client that would have read a close_notify no longer exists.
    expect(oldEvents.filter((e) => e.type === 'alert')).toEqual([]);

    expect(pair.time.runUntil(() => fresh.state === 'established' && pair.serverSessions[1].state === 'established', 10_000)).toBe(true);
    expect(pair.serverEvents.map((e) => e.type)).toEqual([
      'hello-verify-request',
      'session-start',
      'hello-verify-request',
      'session-end',
      'session-start',
    ]);
    const atServer = received(pair.serverSessions[1]);
    const atClient = received(fresh);
    fresh.send(utf8('back again'));
    pair.serverSessions[1].send(utf8('welcome back'));
    pair.time.advanceBy(DELAY);
    expect([atServer, atClient]).toEqual([['back again'], ['welcome back']]);
  });

  it('keeps the old session when the new ClientHello never completes the cookie exchange', async () => {
    const pair = await startPair({ delay: DELAY, deliver: (d) => !(d.from === 'server' && labels(d.data)[0] === 'HelloVerifyRequest' && d.time > 1000) });
    expect(pair.time.runUntil(() => pair.client.state === 'established', 10_000)).toBe(true);
    const [old] = pair.serverSessions;
    pair.client.abandon(new DtlsError('ECLOSED', 'reboot'));
    pair.time.advanceBy(10_000);
    // Every HelloVerifyRequest from now on is lost: the new client never sends a cookie.
    const fresh = await pair.reconnect({ handshakeTimeout: 20_000 });
    pair.time.advanceBy(30_000);
    expect(fresh.state).toBe('closed');
    expect(pair.serverEvents.filter((e) => e.type === 'hello-verify-request').length).toBeGreaterThan(3);
    expect(pair.serverSessions).toHaveLength(1);
    expect(old.state).toBe('established');
  });
});
