import { Observable, merge, partition, share, type MonoTypeOperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { credentials, utf8 } from '../../lib/credentials/credential-store.js';
import type { Session } from '../../lib/endpoint/session.js';
import { impair, type ImpairmentKind } from '../../lib/impairment/impair.js';
import type { Datagram } from '../../lib/transport/datagram.js';
import { ContentType } from '../../lib/wire/constants.js';
import { splitRecords } from '../../lib/record/split-records.js';
import { decodeHandshakeFragments } from '../../lib/wire/handshake-header.js';
import { startPair, type Pair, type PairOptions, type WireDatagram } from '../endpoint/helpers/pair.js';

const SEEDS = Array.from({ length: 50 }, (_, i) => i + 1);
const RECORDS_EACH_WAY = 20;
/** The default handshake timeout: the whole retransmission budget of RFC 6347 §4.2.4.1 timers. */
const BUDGET = 60_000;
const BAD_NETWORK = { loss: 0.2, duplicate: 0.2, reorder: 0.2 };

type Tally = Record<ImpairmentKind, number>;
const newTally = (): Tally => ({ loss: 0, oversize: 0, corrupt: 0, duplicate: 0, reorder: 0 });

/** A bad network in both directions, each with its own seed, counting what it did. */
function badNetwork(seed: number, tally: Tally, extra: Partial<Parameters<typeof impair>[0]> = {}): PairOptions['linkOn'] {
  return (scheduler, direction) =>
    impair({ seed: seed * 2 + (direction === 'client-to-server' ? 0 : 1), ...BAD_NETWORK, ...extra, scheduler, onImpairment: (kind) => tally[kind]++ });
}

/** Both sides up, or the budget spent. */
function handshake(pair: Pair): boolean {
  return pair.time.runUntil(() => pair.client.state === 'established' && pair.serverSessions.some((s) => s.state === 'established'), BUDGET, 10);
}

/** Sends numbered records both ways and collects what arrives. */
function exchange(pair: Pair, count = RECORDS_EACH_WAY) {
  const session: Session = pair.serverSessions.find((s) => s.state === 'established')!;
  const atServer: string[] = [];
  const atClient: string[] = [];
  session.data$.subscribe({ next: (d) => atServer.push(new TextDecoder().decode(d)), error: () => undefined });
  pair.client.data$.subscribe({ next: (d) => atClient.push(new TextDecoder().decode(d)), error: () => undefined });
  for (let i = 0; i < count; i++) {
    pair.client.send(utf8(`client record ${i}`));
    session.send(utf8(`server record ${i}`));
    pair.time.advanceBy(5);
  }
  pair.time.advanceBy(1000);
  return { atServer, atClient };
}

/** Every message arrived at most once and is one that was sent. */
function expectAtMostOnce(arrived: string[], prefix: string, count = RECORDS_EACH_WAY): void {
  const sent = new Set(Array.from({ length: count }, (_, i) => `${prefix} record ${i}`));
  expect(new Set(arrived).size).toBe(arrived.length);
  for (const message of arrived) expect(sent.has(message)).toBe(true);
}

describe('DTLS over a lossy, duplicating, reordering network (seeded, virtual time)', () => {
  it(`completes every handshake within the default budget and delivers data at most once, for ${SEEDS.length} seeds`, async () => {
    const total = newTally();
    let delivered = 0;
    let retransmissions = 0;
    for (const seed of SEEDS) {
      const tally = newTally();
      const pair = await startPair({ linkOn: badNetwork(seed, tally) });
      expect({ seed, established: handshake(pair) }).toEqual({ seed, established: true });
      const { atServer, atClient } = exchange(pair);
      expectAtMostOnce(atServer, 'client');
      expectAtMostOnce(atClient, 'server');
      delivered += atServer.length + atClient.length;
      retransmissions += pair.clientEvents.filter((e) => e.type === 'retransmit').length;
      (Object.keys(tally) as ImpairmentKind[]).forEach((k) => (total[k] += tally[k]));
      pair.server.close();
    }
    // The network really misbehaved, and the protocol really worked around it.
    expect(total.loss).toBeGreaterThan(100);
    expect(total.duplicate).toBeGreaterThan(100);
    expect(total.reorder).toBeGreaterThan(100);
    expect(retransmissions).toBeGreaterThan(10);
    // About 80% of the records get through a 20% loss; at most once each was checked above.
    const sent = SEEDS.length * RECORDS_EACH_WAY * 2;
    expect(delivered / sent).toBeGreaterThan(0.7);
    expect(delivered / sent).toBeLessThan(0.9);
  });

  const extremes: Array<[string, Partial<Parameters<typeof impair>[0]>]> = [
    ['every datagram duplicated', { loss: 0, duplicate: 1, reorder: 0 }],
    ['every datagram held back behind the next one', { loss: 0, duplicate: 0, reorder: 1 }],
    ['datagrams delayed 5 to 400 ms at random (heavy reordering)', { loss: 0.1, duplicate: 0.1, reorder: 0, delay: 5, jitter: 395 }],
  ];
  for (const [what, extra] of extremes) {
    it(`completes and delivers at most once with ${what}`, async () => {
      for (const seed of SEEDS.slice(0, 10)) {
        const pair = await startPair({ linkOn: badNetwork(seed, newTally(), extra) });
        expect({ seed, established: handshake(pair) }).toEqual({ seed, established: true });
        const { atServer, atClient } = exchange(pair);
        expectAtMostOnce(atServer, 'client');
        expectAtMostOnce(atClient, 'server');
        if (extra.loss === 0) expect([atServer.length, atClient.length]).toEqual([RECORDS_EACH_WAY, RECORDS_EACH_WAY]);
        pair.server.close();
      }
    });
  }

  it('replays exactly for a seed: the same seed gives the same datagrams on the wire', async () => {
    const run = async () => {
      const pair = await startPair({ linkOn: badNetwork(7, newTally()) });
      handshake(pair);
      return pair.wire.map((d) => [d.from, d.time, d.data.length]);
    };
    expect(await run()).toEqual(await run());
  });

  it('fragments flights at mtu 200 and still completes under the same impairment', async () => {
    // Long PSK identity and hint make ClientKeyExchange and ServerKeyExchange bigger than one record at this MTU.
    const identity = `device-${'x'.repeat(200)}`;
    const store = credentials().psk({ tag: 0, identity, key: 'secretPSK', hint: `hint-${'y'.repeat(200)}` });
    let fragmentedFrom = new Set<string>();
    for (const seed of SEEDS.slice(0, 20)) {
      const pair = await startPair({
        linkOn: badNetwork(seed, newTally()),
        client: { credentials: store, mtu: 200 },
        server: { credentials: store, mtu: 200 },
      });
      expect({ seed, established: handshake(pair) }).toEqual({ seed, established: true });
      expect(pair.wire.every((d) => d.data.length <= 200)).toBe(true);
      fragmentedFrom = new Set([...fragmentedFrom, ...fragmentSenders(pair.wire)]);
      const { atServer, atClient } = exchange(pair);
      expectAtMostOnce(atServer, 'client');
      expectAtMostOnce(atClient, 'server');
      expect(pair.client.info?.peer).toEqual({ kind: 'psk', identity });
      pair.server.close();
    }
    expect([...fragmentedFrom].sort()).toEqual(['client', 'server']);
  });

  it('drops corrupted application records instead of delivering them', async () => {
    const tally = newTally();
    let corruptData = false;
    // Bits flip only once both sides are up: before that, corruption of epoch-0 handshake bytes is
    // what the Finished check catches, and the handshake fails rather than retries.
    const linkOn: PairOptions['linkOn'] = (scheduler, direction) =>
      onlyWhen(() => corruptData, impair({ seed: direction === 'client-to-server' ? 101 : 102, corrupt: 0.5, scheduler, onImpairment: (k) => tally[k]++ }));
    const pair = await startPair({ linkOn });
    expect(handshake(pair)).toBe(true);
    corruptData = true;
    const { atServer, atClient } = exchange(pair, 100);
    expect(tally.corrupt).toBeGreaterThan(50);
    expectAtMostOnce(atServer, 'client', 100);
    expectAtMostOnce(atClient, 'server', 100);
    expect(atServer.length + atClient.length).toBeLessThan(200 - 50 + 10);
    expect(pair.client.state).toBe('established');
  });
});

/** Senders of handshake fragments that were not whole messages. */
function fragmentSenders(wire: readonly WireDatagram[]): string[] {
  const senders: string[] = [];
  for (const d of wire) {
    for (const record of splitRecords(d.data).records) {
      if (record.header.contentType !== ContentType.handshake || record.header.epoch !== 0) continue;
      const fragments = decodeHandshakeFragments(record.fragment);
      if (fragments.ok && fragments.value.some((f) => f.fragmentLength < f.length)) senders.push(d.from);
    }
  }
  return senders;
}

/** Applies `stage` to the datagrams that pass while `active()` holds, and lets the others through untouched. */
function onlyWhen(active: () => boolean, stage: MonoTypeOperatorFunction<Datagram>): MonoTypeOperatorFunction<Datagram> {
  return (source: Observable<Datagram>) => {
    const shared = source.pipe(share());
    const [on, off] = partition(shared, () => active());
    return merge(off, on.pipe(stage));
  };
}
