import { describe, expect, it } from 'vitest';
import { startPair, type WireDatagram } from '../endpoint/helpers/pair.js';
import { labels } from './helpers/scripted-link.js';

const DELAY = 50;

/** Delivers everything until the server "crashes" at `at` ms: from then on nothing reaches it and nothing comes from it. */
const crashAt = (at: number) => (d: WireDatagram) => d.time < at;

/** When the client's flight 5 (ClientKeyExchange...) first went out. */
const flight5Time = (wire: readonly WireDatagram[]) => wire.find((d) => d.from === 'client' && labels(d.data)[0] === 'ClientKeyExchange')!.time;

describe('in-flight handshakes whose peer goes silent fail within a few retransmission timeouts (maxSilentTimeouts)', () => {
  it('the server answers flight 3, then crashes: the client gives up 15 s after its unanswered flight 5, and says the server went silent', async () => {
    // Flight 4 reaches the client at 250 ms; the client's flight 5 at 250 ms never arrives.
    const pair = await startPair({ delay: DELAY, deliver: crashAt(200) });
    pair.time.runUntil(() => pair.client.state === 'closed', 120_000);
    const sent = flight5Time(pair.wire);
    expect(pair.client.error?.code).toBe('ETIMEDOUT');
    expect(pair.client.error?.message).toMatch(/gave up: no datagram from it for 15000 ms, 4 retransmission timeouts of flight 5 in a row \(it answered earlier in the handshake, then went silent/);
    // Sent at +0, +1, +3 and +7 s; the fourth expiry, at +15 s, ends it instead of a fifth send.
    const flight5 = pair.wire.filter((d) => d.from === 'client' && labels(d.data)[0] === 'ClientKeyExchange').map((d) => d.time - sent);
    expect(flight5).toEqual([0, 1000, 3000, 7000]);
    expect(pair.time.now).toBe(sent + 15_000);
    // Not the wrong-key hint the full budget gives.
    expect(pair.client.error?.message).not.toMatch(/pre-shared key/);
    // Given up from inside a retransmission, it leaves no timer behind.
    pair.server.close();
    pair.time.advanceBy(1000);
    expect(pair.time.pending).toBe(0);
  });

  it('maxSilentTimeouts: Infinity keeps retransmitting for the whole handshakeTimeout (a lossy radio link)', async () => {
    const pair = await startPair({ delay: DELAY, deliver: crashAt(200), client: { maxSilentTimeouts: Number.POSITIVE_INFINITY } });
    pair.time.runUntil(() => pair.client.state === 'closed', 120_000);
    expect(pair.client.error?.message).toMatch(/did not complete in 60000 ms/);
    expect(pair.time.now).toBe(60_000);
  });

  it('a server that never answered at all gets the whole budget: on a lossy link the first exchange is no different', async () => {
    const pair = await startPair({ delay: DELAY, deliver: crashAt(0) });
    pair.time.runUntil(() => pair.client.state === 'closed', 120_000);
    expect(pair.client.error?.message).toMatch(/did not complete in 60000 ms/);
  });

  it('each timeout the server did answer in the end earns one more try: a lossy link is given longer', async () => {
    // The first HelloVerifyRequest is lost: the client resends flight 1 after 1 s and is answered.
    let hvr = 0;
    const pair = await startPair({
      delay: DELAY,
      deliver: (d) => (d.from === 'server' && labels(d.data)[0] === 'HelloVerifyRequest' ? ++hvr > 1 : d.time < 1200),
    });
    pair.time.runUntil(() => pair.client.state === 'closed', 120_000);
    const sent = flight5Time(pair.wire);
    expect(pair.client.error?.message).toMatch(/5 retransmission timeouts of flight 5 in a row/);
    expect(pair.time.now).toBe(sent + 31_000);
  });

  it('the server side too: a client gone after its ClientHello with the cookie is given up 15 s after flight 4, not after the budget', async () => {
    const pair = await startPair({ delay: DELAY, deliver: crashAt(120) });
    pair.time.runUntil(() => pair.serverSessions[0]?.state === 'closed', 120_000);
    const flight4 = pair.wire.find((d) => d.from === 'server' && labels(d.data)[0] === 'ServerHello')!.time;
    expect(pair.serverSessions[0].error?.message).toMatch(/gave up: no datagram from it for 15000 ms, 4 retransmission timeouts of flight 4/);
    expect(pair.time.now).toBe(flight4 + 15_000);
    pair.client.close();
  });
});
