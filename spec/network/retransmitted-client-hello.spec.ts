import { describe, expect, it } from 'vitest';
import { utf8 } from '../../lib/credentials/credential-store.js';
import { SERVER_ADDRESS, received, startPair, type Pair } from '../endpoint/helpers/pair.js';
import { dropScript, labels } from './helpers/scripted-link.js';

const DELAY = 50;

const count = (pair: Pair, type: string) => pair.serverEvents.filter((e) => e.type === type).length;
const fromClient = (pair: Pair, first: string) => pair.wire.filter((d) => d.from === 'client' && labels(d.data)[0] === first);

describe('a retransmitted ClientHello after the server has moved on (RFC 6347 §4.2.4)', () => {
  it('is answered by resending flight 4 from the existing session: no new cookie exchange, no second session', async () => {
    // The server's own flight 4 timer is set far out, so only the client's retransmission can recover the loss.
    const script = dropScript([{ from: 'server', first: 'ServerHello', occurrences: [1] }]);
    const pair = await startPair({ delay: DELAY, deliver: script.deliver, server: { retransmit: { initialTimeout: 30_000, maxTimeout: 60_000 } } });
    expect(pair.time.runUntil(() => pair.client.state === 'established' && pair.serverSessions[0]?.state === 'established', 10_000)).toBe(true);

    expect(script.dropped.map((d) => d[0])).toEqual(['ServerHello']);
    // The ClientHello without a cookie, the one with it, and the client's retransmission of that one 1 s later.
    const hellos = fromClient(pair, 'ClientHello');
    expect(hellos.map((d) => d.time)).toEqual([0, 2 * DELAY, 2 * DELAY + 1000]);
    expect(pair.clientEvents.filter((e) => e.type === 'retransmit')).toMatchObject([{ type: 'retransmit', flight: 3, attempt: 1, reason: 'timeout' }]);
    // The session that already exists answers it, straight away, with its flight 4.
    expect(pair.serverSessionEvents[0].filter((e) => e.type === 'retransmit')).toMatchObject([{ type: 'retransmit', flight: 4, attempt: 1, reason: 'peer' }]);
    const flight4 = pair.wire.filter((d) => d.from === 'server' && labels(d.data)[0] === 'ServerHello');
    expect(flight4.map((d) => d.time)).toEqual([3 * DELAY, 3 * DELAY + 1000]);
    expect([count(pair, 'hello-verify-request'), count(pair, 'session-start'), pair.serverSessions.length]).toEqual([1, 1, 1]);
  });

  it('is ignored once the handshake is over: the session stays up, nothing is resent, no new session', async () => {
    const pair = await startPair({ delay: DELAY });
    expect(pair.time.runUntil(() => pair.client.state === 'established' && pair.serverSessions[0]?.state === 'established', 10_000)).toBe(true);
    const [, withCookie] = fromClient(pair, 'ClientHello');
    const sentBefore = pair.wire.length;

    // A copy of the cookie-bearing ClientHello, late out of the network.
    pair.clientEnd.send(withCookie.data, SERVER_ADDRESS);
    pair.time.advanceBy(5000);

    expect(pair.wire.slice(sentBefore).map((d) => d.from)).toEqual(['client']);
    expect([count(pair, 'hello-verify-request'), count(pair, 'session-start'), pair.serverSessions.length]).toEqual([1, 1, 1]);
    expect(pair.serverSessions[0].state).toBe('established');
    const atServer = received(pair.serverSessions[0]);
    pair.client.send(utf8('still here'));
    pair.time.advanceBy(DELAY);
    expect(atServer).toEqual(['still here']);
  });
});
