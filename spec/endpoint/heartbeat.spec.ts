import { describe, expect, it } from 'vitest';
import { utf8 } from '../../lib/credentials/credential-store.js';
import type { Session } from '../../lib/endpoint/session.js';
import type { WriteEpochs } from '../../lib/record/write-epochs.js';
import { ContentType, DTLS_1_2 } from '../../lib/wire/constants.js';
import { HeartbeatMessageType, encodeHeartbeatMessage } from '../../lib/wire/heartbeat.js';
import { SERVER_ADDRESS, received, startPair, type PairOptions } from './helpers/pair.js';

const KEEPALIVE = { interval: 10_000, timeout: 30_000 };

async function established(options: PairOptions = {}) {
  const pair = await startPair({ delay: 10, ...options });
  expect(pair.time.runUntil(() => pair.client.state === 'established' && pair.serverSessions[0]?.state === 'established', 5000)).toBe(true);
  return pair;
}

/** A heartbeat record as the client would send it: sealed with its current keys (reached past `private`, as only a forger with the keys could). */
function heartbeatFromClient(client: Session, message: Uint8Array): Uint8Array {
  const { writeEpochs } = client as unknown as { writeEpochs: WriteEpochs };
  return writeEpochs.seal(writeEpochs.current, ContentType.heartbeat, DTLS_1_2, message);
}

describe('heartbeats (RFC 6520) and the client keepalive', () => {
  it('a client with a keepalive offers the extension, our server answers it, and both sessions say so', async () => {
    const pair = await established({ client: { keepalive: KEEPALIVE } });
    expect(pair.client.info?.heartbeat).toEqual({ peerAnswers: true });
    expect(pair.serverSessions[0].info?.heartbeat).toEqual({ peerAnswers: true });
    pair.client.close();
  });

  it('without a keepalive nothing is offered, and a heartbeat record is dropped unanswered', async () => {
    const pair = await established();
    expect(pair.client.info?.heartbeat).toBeUndefined();
    const server = pair.serverSessions[0];
    const sent = pair.wire.length;
    pair.clientEnd.send(heartbeatFromClient(pair.client, encodeHeartbeatMessage(HeartbeatMessageType.heartbeat_request, utf8('ping'), new Uint8Array(16))), SERVER_ADDRESS);
    pair.time.advanceBy(100);
    expect(server.droppedRecords).toBe(1);
    expect(pair.wire.length).toBe(sent + 1); // only the injected datagram
    pair.client.close();
  });

  it('an idle but live server keeps the session: each silence of the interval draws a HeartbeatRequest, and its answer', async () => {
    const pair = await established({ client: { keepalive: KEEPALIVE } });
    pair.time.advanceBy(120_000);
    expect(pair.client.state).toBe('established');
    const probes = pair.clientEvents.filter((e) => e.type === 'keepalive-probe');
    // One per interval and round trip (10 s + 20 ms): 11 in 120 s, each answered at its first try.
    expect(probes.length).toBe(11);
    expect(probes.every((e) => e.type === 'keepalive-probe' && e.attempt === 1)).toBe(true);
    // The requests are authenticated records: the server's idle clock is kept running too.
    expect(pair.time.now - pair.serverSessions[0].lastActivity).toBeLessThan(KEEPALIVE.interval);
    const atServer = received(pair.serverSessions[0]);
    pair.client.send(utf8('still here'));
    pair.time.advanceBy(100);
    expect(atServer).toEqual(['still here']);
    pair.client.close();
    pair.server.close();
    pair.time.advanceBy(1000);
    expect(pair.time.pending).toBe(0);
  });

  it('a server that went away: the session ends with ETIMEDOUT at the timeout after its last record, and send() stops succeeding', async () => {
    let gone = Number.POSITIVE_INFINITY;
    const pair = await established({ client: { keepalive: KEEPALIVE }, deliver: (d) => d.time < gone });
    const lastHeard = pair.client.lastActivity;
    gone = pair.time.now;
    let error: unknown;
    pair.client.data$.subscribe({ error: (e: unknown) => (error = e) });
    pair.time.runUntil(() => pair.client.state === 'closed', 60_000);
    expect(pair.time.now).toBe(lastHeard + KEEPALIVE.timeout);
    expect(error).toMatchObject({ code: 'ETIMEDOUT', message: expect.stringMatching(/^no record from 10\.0\.0\.2:2222 for 30 s, \d HeartbeatRequests unanswered/) });
    expect(() => pair.client.send(utf8('into the void'))).toThrow(/closed/);
    pair.server.close();
  });

  it("answers a client's HeartbeatRequest with its payload echoed and fresh padding", async () => {
    const pair = await established({ client: { keepalive: KEEPALIVE } });
    const before = pair.wire.filter((d) => d.from === 'server').length;
    const request = encodeHeartbeatMessage(HeartbeatMessageType.heartbeat_request, utf8('are you there'), new Uint8Array(16));
    pair.clientEnd.send(heartbeatFromClient(pair.client, request), SERVER_ADDRESS);
    pair.time.advanceBy(100);
    const answers = pair.wire.filter((d) => d.from === 'server').slice(before);
    expect(answers).toHaveLength(1);
    // 13-byte header, 8-byte explicit nonce, 3 + 13 + 16 bytes of message, 8-byte CCM-8 tag.
    expect(answers[0].data[0]).toBe(ContentType.heartbeat);
    expect(answers[0].data.length).toBe(13 + 8 + 3 + 13 + 16 + 8);
    // The client had no request of that payload in flight: the response is discarded (§4).
    expect(pair.client.droppedRecords).toBe(1);
    pair.client.close();
  });

  it('Heartbleed: a HeartbeatRequest whose payload_length runs past its record is discarded silently, nothing echoed', async () => {
    const pair = await established({ client: { keepalive: KEEPALIVE } });
    const server = pair.serverSessions[0];
    const before = pair.wire.filter((d) => d.from === 'server').length;
    // type request, payload_length 16384, one byte of payload and 16 of padding: the 2014 attack.
    const bleed = new Uint8Array(3 + 1 + 16);
    bleed.set([HeartbeatMessageType.heartbeat_request, 0x40, 0x00, 0x58]);
    pair.clientEnd.send(heartbeatFromClient(pair.client, bleed), SERVER_ADDRESS);
    pair.time.advanceBy(100);
    expect(pair.wire.filter((d) => d.from === 'server').length).toBe(before);
    expect(server.droppedRecords).toBe(1);
    expect(server.state).toBe('established');
    pair.client.close();
  });
});
