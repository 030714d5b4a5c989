import { describe, expect, it } from 'vitest';
import { keepConnected } from '../../examples/reconnect.js';
import { utf8 } from '../../lib/credentials/credential-store.js';
import type { DtlsError } from '../../lib/dtls-error.js';
import type { Session } from '../../lib/endpoint/session.js';
import { pskStore } from '../endpoint/helpers/pair.js';
import { KEEPALIVE, RestartLab, SERVER } from './helpers/restart-lab.js';

describe('examples/reconnect.ts: keepalive and retry with backoff over connect$', () => {
  it('a server SIGKILLed and back 40 s later: the keepalive notices, and the new handshake gets through once the server is back', () => {
    const lab = new RestartLab();
    lab.start();
    const end = lab.network.endpoint({ address: '10.1.0.1', port: 40_001 });
    const sessions: Session[] = [];
    const retries: Array<{ at: number; code: string; wait: number }> = [];
    const subscription = keepConnected(
      { host: SERVER.address, port: SERVER.port, transport: end, credentials: pskStore(), scheduler: lab.time.scheduler, keepalive: KEEPALIVE, keyLog: undefined },
      (session) => {
        sessions.push(session);
        session.send(utf8(`hello ${sessions.length}`));
        return session.data$;
      },
      { first: 1000, max: 8000 },
      (error: DtlsError, wait) => retries.push({ at: lab.time.now, code: error.code, wait }),
    ).subscribe();
    lab.time.advanceTo(100);
    expect(sessions).toHaveLength(1);

    lab.kill();
    lab.time.advanceTo(40_000);
    lab.start();
    lab.time.runUntil(() => sessions.length === 2 && sessions[1].state === 'established', 120_000);
    // The keepalive ended the first session 15 s after the server's last record; each handshake
    // with nobody there failed in turn (ETIMEDOUT), with waits of 1, 2, 4 and then at most 8 s between.
    // The keepalive ended the first session 15 s after the server's last record; 1 s later the
    // example handshakes again, resending its ClientHello at 16, 17, 19, 23, 31 and 47 s: the last reaches the restarted server.
    expect(retries).toEqual([{ at: 15_000, code: 'ETIMEDOUT', wait: 1000 }]);
    expect(lab.time.now).toBe(47_000);
    expect(sessions[1].state).toBe('established');
    lab.time.advanceBy(10);
    expect(lab.received[1].get(40_001)).toEqual(['hello 2']);

    subscription.unsubscribe();
    lab.server.close();
    lab.time.runUntil(() => lab.time.pending === 0, 200_000, 1_000);
    expect(lab.time.pending).toBe(0);
  });

  it('a server that stays away: each failed handshake waits twice as long before the next, up to the cap', () => {
    const lab = new RestartLab();
    const end = lab.network.endpoint({ address: '10.1.0.1', port: 40_001 });
    const retries: Array<{ at: number; wait: number }> = [];
    const subscription = keepConnected(
      { host: SERVER.address, port: SERVER.port, transport: end, credentials: pskStore(), scheduler: lab.time.scheduler, handshakeTimeout: 5000, keyLog: undefined },
      (session) => session.data$,
      { first: 1000, max: 8000 },
      (_error, wait) => retries.push({ at: lab.time.now, wait }),
    ).subscribe();
    lab.time.advanceTo(60_000);
    expect(retries).toEqual([
      { at: 5_000, wait: 1000 },
      { at: 11_000, wait: 2000 },
      { at: 18_000, wait: 4000 },
      { at: 27_000, wait: 8000 },
      { at: 40_000, wait: 8000 },
      { at: 53_000, wait: 8000 },
    ]);
    subscription.unsubscribe();
    lab.time.runUntil(() => lab.time.pending === 0, 10_000, 1_000);
    expect(lab.time.pending).toBe(0);
  });
});
