// Connection IDs (RFC 9146) under attack: the server routes a tls12_cid record by its CID
// whatever its source address, so that path must keep no state for unknown CIDs, must not
// let a spoofed or replayed record move a session (§6), and must not let anyone use the
// server as an amplifier towards an address the peer has not proven.
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../lib/credentials/credential-store.js';
import type { Session } from '../../lib/endpoint/session.js';
import type { SessionEvent } from '../../lib/endpoint/session-event.js';
import type { Datagram, PeerAddress } from '../../lib/transport/datagram.js';
import { ContentType } from '../../lib/wire/constants.js';
import { Prng } from '../wire/helpers/prng.js';
import { mb, settledHeap } from './helpers/heap.js';
import { SpoofedServer } from './helpers/spoofed-server.js';

const CLIENT: PeerAddress = { address: '192.0.2.10', port: 5683 };
const SPOOFED: PeerAddress = { address: '203.0.113.66', port: 4444 };

/** A server with one established CID session, the client's sent datagrams, and what the server sends to anyone but the client. */
async function established(options: { readonly stray?: (reply: Datagram) => void } = {}) {
  const net = new SpoofedServer({ connectionId: { length: 4 } }, options.stray);
  const sent: Uint8Array[] = [];
  const client = net.connect(CLIENT, { connectionId: 'offer' }, sent);
  const sessions: Session[] = [];
  const events: SessionEvent[] = [];
  net.server.sessions$.subscribe((s) => {
    sessions.push(s);
    s.events$.subscribe({ next: (e) => events.push(e), error: () => undefined });
  });
  net.clock.advanceBy(1000);
  const session = await client;
  expect(session.state).toBe('established');
  const [atServer] = sessions;
  const received: string[] = [];
  atServer.data$.subscribe({ next: (d) => received.push(new TextDecoder().decode(d)), error: () => undefined });
  return { net, client: session, atServer, sent, events, received };
}

describe('Connection IDs under attack', () => {
  it('a record of the session replayed from a spoofed address moves nothing, delivers nothing twice, and gets no answer', async () => {
    const { net, client, atServer, sent, events, received } = await established();
    client.send(utf8('genuine'));
    net.clock.advanceBy(100);
    const genuine = sent.at(-1)!;
    expect(genuine[0]).toBe(ContentType.tls12_cid);
    for (let i = 0; i < 10; i++) net.transport.deliver(genuine, { ...SPOOFED, port: SPOOFED.port + i });
    expect(received).toEqual(['genuine']);
    expect(atServer.peer).toEqual(CLIENT);
    expect(events.filter((e) => e.type === 'peer-address-changed')).toEqual([]);
    expect(net.transport.replies).toEqual([]);
  });

  it('a forged record with the session\'s CID from a spoofed address does not authenticate: nothing moves, nothing is sent there', async () => {
    const { net, client, atServer, sent, events, received } = await established();
    client.send(utf8('genuine'));
    net.clock.advanceBy(100);
    const forged = sent.at(-1)!.slice();
    // A newer sequence number and a flipped ciphertext byte: it claims to be the newest record.
    forged[10] += 5;
    forged[forged.length - 1] ^= 1;
    net.transport.deliver(forged, SPOOFED);
    expect(received).toEqual(['genuine']);
    expect(atServer.peer).toEqual(CLIENT);
    expect(events.filter((e) => e.type === 'peer-address-changed')).toEqual([]);
    expect(atServer.droppedRecords).toBeGreaterThan(0);
    expect(net.transport.replies).toEqual([]);
  });

  it('a record captured on the path and raced to the server from a victim\'s address moves the session there, but the server sends the victim no more than that record\'s size', async () => {
    // RFC 9146 §6's on-path attacker: it cannot forge, but it can forward a genuine, newest
    // record from an address of its choosing before the genuine copy arrives.
    let toVictim = 0;
    const { net, client, atServer, sent } = await established({ stray: (reply) => (toVictim += reply.data.length) });
    client.send(utf8('x'));
    const captured = sent.at(-1)!;
    net.transport.deliver(captured, SPOOFED);
    expect(atServer.peer).toEqual(SPOOFED);
    for (let i = 0; i < 20; i++) atServer.send(new Uint8Array(100));
    expect(toVictim).toBeLessThanOrEqual(captured.length);
    // The genuine client speaks again (a newer record from its own address): the session comes back.
    net.clock.advanceBy(100);
    client.send(utf8('still here'));
    net.clock.advanceBy(100);
    expect(atServer.peer).toEqual(CLIENT);
  });

  it.each([
    ['tls12_cid records', ContentType.tls12_cid],
    // RFC 9147 §4: 001 C S L EE with C set, the CID right after the first byte.
    ['DTLS 1.3 records with a CID', 0b0011_1110],
  ])('100,000 %s with random CIDs from random addresses: each dropped, none answered, no session, flat heap', async (_, firstByte) => {
    const { net } = await established();
    const p = new Prng(9146);
    const datagram = new Uint8Array(60);
    const flood = (count: number) => {
      for (let i = 0; i < count; i++) {
        datagram.set(p.bytes(datagram.length));
        datagram[0] = firstByte;
        net.transport.deliver(datagram, { address: `${p.range(1, 223)}.${p.int(256)}.${p.int(256)}.${p.range(1, 254)}`, port: p.range(1, 65535) });
      }
    };
    flood(5_000);
    const before = settledHeap();
    flood(100_000);
    const after = settledHeap();
    console.info(`random-CID flood: 100000 datagrams, heap ${mb(before)} -> ${mb(after)} (${mb(after - before)})`);
    expect(net.unknownConnectionIds).toBe(105_000);
    expect(net.transport.replies).toEqual([]);
    expect(net.server.sessionCount).toBe(1);
    expect(after - before).toBeLessThan(2 * 1024 * 1024);
  }, 120_000);

  it('a rebinding storm: 500 moves, each followed, one session throughout, spoofed replays in between moving nothing', async () => {
    const { net, client, atServer, sent, events, received } = await established();
    const moves: PeerAddress[] = [];
    for (let i = 1; i <= 500; i++) {
      const to = { address: `198.51.100.${i % 250}`, port: 20_000 + i };
      client.send(utf8(`#${i}`));
      const record = sent.at(-1)!;
      // The NAT: the client's datagram reaches the server from its new mapping first (the
      // copy the harness delivers from the old address comes after it, a replay).
      net.transport.deliver(record, to);
      moves.push(to);
      // An attacker replays it from elsewhere: dropped, moves nothing.
      net.transport.deliver(record, SPOOFED);
      net.clock.advanceBy(10);
    }
    expect(events.filter((e) => e.type === 'peer-address-changed')).toHaveLength(500);
    expect(atServer.peer).toEqual(moves.at(-1));
    expect(received).toHaveLength(500);
    expect(net.server.sessionCount).toBe(1);
    expect(client.state).toBe('established');
  });
});
