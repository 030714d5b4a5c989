import { describe, expect, it } from 'vitest';
import { startPair } from '../endpoint/helpers/pair.js';
import { dropScript, labels } from './helpers/scripted-link.js';

const DELAY = 50;
const RECORD_HEADER = 13;

describe('HelloVerifyRequest lost again and again (RFC 6347 §4.2.1, §4.2.4)', () => {
  it('the client resends flight 1 on its doubling timer until a HelloVerifyRequest gets through; the server keeps no state meanwhile', async () => {
    const script = dropScript([{ from: 'server', first: 'HelloVerifyRequest', occurrences: [1, 2, 3] }]);
    const pair = await startPair({ delay: DELAY, deliver: script.deliver });
    let sessionsBeforeFourthAnswer = -1;
    pair.server.events$.subscribe((e) => {
      if (e.type === 'hello-verify-request' && pair.serverEvents.filter((x) => x.type === 'hello-verify-request').length === 4) {
        sessionsBeforeFourthAnswer = pair.server.sessionCount;
      }
    });
    expect(pair.time.runUntil(() => pair.client.state === 'established' && pair.serverSessions[0]?.state === 'established', 30_000)).toBe(true);

    expect(script.dropped).toEqual([['HelloVerifyRequest'], ['HelloVerifyRequest'], ['HelloVerifyRequest']]);
    const withoutCookie = pair.wire.filter((d) => d.from === 'client' && labels(d.data)[0] === 'ClientHello').slice(0, 4);
    // RFC 6347 §4.2.4.1: 1 s, then doubling.
    expect(withoutCookie.map((d) => d.time)).toEqual([0, 1000, 3000, 7000]);
    expect(pair.clientEvents.filter((e) => e.type === 'retransmit')).toMatchObject([1, 2, 3].map((attempt) => ({ type: 'retransmit', flight: 1, attempt, reason: 'timeout' })));
    // The same ClientHello every time (same random, same message_seq); only the record sequence number moves on.
    const bodies = new Set(withoutCookie.map((d) => Buffer.from(d.data.subarray(RECORD_HEADER)).toString('hex')));
    expect(bodies.size).toBe(1);
    // Four stateless answers, and a session only for the ClientHello that came back with the cookie.
    expect(sessionsBeforeFourthAnswer).toBe(0);
    expect(pair.serverEvents.map((e) => e.type)).toEqual([...Array(4).fill('hello-verify-request'), 'session-start']);
  });
});
