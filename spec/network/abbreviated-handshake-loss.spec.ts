import { describe, expect, it } from 'vitest';
import { utf8 } from '../../lib/credentials/credential-store.js';
import type { Session } from '../../lib/endpoint/session.js';
import { received, startPair, type Pair } from '../endpoint/helpers/pair.js';
import { dropScript, labels, type DropRule } from './helpers/scripted-link.js';

const DELAY = 50;

/**
 * A full handshake, the client closed, then a second client resuming it through a link that
 * drops the datagrams `rules` name. Returns the pair, the resuming client and when it started.
 */
async function resumeThrough(rules: readonly DropRule[]): Promise<{ pair: Pair; client: Session; script: ReturnType<typeof dropScript>; start: number }> {
  const script = dropScript(rules);
  const pair = await startPair({ delay: DELAY, deliver: script.deliver });
  expect(pair.time.runUntil(() => pair.client.state === 'established' && pair.serverSessions[0]?.state === 'established', 10_000)).toBe(true);
  void pair.client.close();
  pair.time.advanceBy(1000);
  const start = pair.time.now;
  const client = await pair.reconnect({ resume: pair.client.resumption! });
  return { pair, client, script, start };
}

function expectDataBothWays(pair: Pair, client: Session): void {
  const server = pair.serverSessions[1];
  const atServer = received(server);
  const atClient = received(client);
  client.send(utf8('ping'));
  server.send(utf8('pong'));
  pair.time.advanceBy(DELAY);
  expect([atServer, atClient]).toEqual([['ping'], ['pong']]);
}

describe('the abbreviated handshake under loss (RFC 6347 §4.2.4: the client sends the last flight, the server the timed one)', () => {
  it("the client's final flight lost: the server resends its flight 4 on its timer, the client answers with flight 5 once, both established", async () => {
    const { pair, client, script, start } = await resumeThrough([{ from: 'client', first: 'ChangeCipherSpec', occurrences: [1] }]);
    const server = () => pair.serverSessions[1];
    // Flight 4 reaches the client at start + 3 × DELAY: it verifies the Finished and is established; its flight 5 is lost.
    pair.time.advanceTo(start + 4 * DELAY + 1);
    expect(script.dropped).toEqual([['ChangeCipherSpec', 'Finished']]);
    expect(client.state).toBe('established');
    expect(client.info?.resumed).toBe(true);
    expect(server().state).toBe('handshaking');

    expect(pair.time.runUntil(() => server().state === 'established', 60_000)).toBe(true);
    const serverFlight4 = pair.wire.filter((d) => d.from === 'server' && d.time >= start && labels(d.data)[0] === 'ServerHello');
    const clientFlight5 = pair.wire.filter((d) => d.from === 'client' && labels(d.data)[0] === 'ChangeCipherSpec');
    // One timer expiry on the server (1 s after its flight 4) and one answer to it from the established client.
    expect(serverFlight4.map((d) => d.time)).toEqual([serverFlight4[0].time, serverFlight4[0].time + 1000]);
    expect(clientFlight5.map((d) => d.time)).toEqual([serverFlight4[0].time + DELAY, serverFlight4[1].time + DELAY]);
    expect(pair.serverSessionEvents[1].filter((e) => e.type === 'retransmit')).toMatchObject([{ flight: 4, attempt: 1, reason: 'timeout' }]);
    const clientRetransmits = pair.clientEvents.filter((e) => e.type === 'retransmit');
    expect(clientRetransmits).toMatchObject([{ flight: 5, attempt: 1, reason: 'peer', messages: ['ChangeCipherSpec', 'Finished'] }]);

    // The client's final flight has no timer of its own: two minutes later nothing more has gone out.
    const sent = pair.wire.length;
    pair.time.advanceBy(120_000);
    expect(pair.wire.length).toBe(sent);
    expect(server().info?.resumed).toBe(true);
    expectDataBothWays(pair, client);
  });

  it("the server's flight 4 lost: the client resends its ClientHello, the server its flight 4, and the handshake completes abbreviated", async () => {
    // The first ServerHello datagram is the full handshake's; the second the abbreviated one's.
    const { pair, client, script } = await resumeThrough([{ from: 'server', first: 'ServerHello', occurrences: [2] }]);
    expect(pair.time.runUntil(() => client.state === 'established' && pair.serverSessions[1]?.state === 'established', 60_000)).toBe(true);
    expect(script.dropped).toEqual([['ServerHello', 'NewSessionTicket', 'ChangeCipherSpec', 'Finished']]);
    expect([client.info?.resumed, pair.serverSessions[1].info?.resumed]).toEqual([true, true]);
    expect(pair.serverSessions).toHaveLength(2);
    expectDataBothWays(pair, client);
  });
});
