// 256 peers (maxHandshakes 256, so maxHandshakeBytesTotal defaults to a quarter of 256 × 64 KiB,
// 4 MiB: the default of 8,192 gets 16 MiB, which 256 such peers cannot fill) that each pass the cookie exchange for real and then
// try to make the server hold as much as they can, in 65 KB datagrams. The server's accounted
// handshake bytes stay within maxHandshakeBufferBytes per peer and maxHandshakeBytesTotal for
// all of them; the process's memory is printed (RSS before, at the peak and after), not asserted.
import { describe, expect, it } from 'vitest';
import type { DtlsError } from '../../lib/dtls-error.js';
import type { Session } from '../../lib/endpoint/session.js';
import { collectGarbage, mb } from './helpers/heap.js';
import { PinningPeer } from './helpers/pinning-peer.js';
import { address, SpoofedServer } from './helpers/spoofed-server.js';

const PEERS = 256;
const PER_PEER = 65_536; // the default
const TOTAL = 4 * 1024 * 1024; // the default for maxHandshakes 256

describe('256 verified peers trying to pin memory', () => {
  it('the server holds at most maxHandshakeBufferBytes per peer and maxHandshakeBytesTotal in all, evicting the oldest handshakes', () => {
    const s = new SpoofedServer({ handshakeTimeout: 60_000, maxHandshakes: PEERS });
    let session: Session | undefined;
    s.server.sessions$.subscribe((started) => (session = started));
    const retained = (): number => {
      collectGarbage();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const retainedBefore = retained();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    let maxTotal = 0;
    let maxPerPeer = 0;
    for (let i = 0; i < PEERS; i++) {
      const peer = new PinningPeer(s, address(i));
      peer.verify();
      for (const datagram of peer.pinningDatagrams()) {
        peer.send([datagram]);
        maxPerPeer = Math.max(maxPerPeer, session?.handshakeBufferBytes ?? Number.NaN);
        maxTotal = Math.max(maxTotal, s.server.handshakeBufferBytes);
      }
      if (i % 16 === 15) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }
    const grown = retained() - retainedBefore;
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    const evicted = s.events.filter((e) => e.type === 'session-end' && (e.error as DtlsError | undefined)?.code === 'ENOBUFS').length;
    const heldAtEnd = s.server.handshakeBufferBytes;
    s.clock.advanceBy(60_001);
    const afterTimeout = { sessions: s.server.sessionCount, held: s.server.handshakeBufferBytes };
    s.server.close();
    collectGarbage();
    const rssAfter = process.memoryUsage().rss;
    console.info(
      `${PEERS} verified peers pinning memory: at most ${maxPerPeer} bytes held for one peer (limit ${PER_PEER}), ` +
        `${maxTotal} for all (limit ${TOTAL}), ${evicted} handshakes evicted; heap and buffers +${mb(grown)}; RSS ${mb(rssBefore)} before, ${mb(rssPeak)} at the peak, ${mb(rssAfter)} after`,
    );
    expect(maxPerPeer).toBeGreaterThan(PER_PEER / 2); // each peer did fill most of its budget
    expect(maxPerPeer).toBeLessThanOrEqual(PER_PEER);
    expect(maxTotal).toBeGreaterThan(TOTAL / 2);
    expect(maxTotal).toBeLessThanOrEqual(TOTAL);
    expect(evicted).toBeGreaterThan(0);
    expect(heldAtEnd).toBeLessThanOrEqual(TOTAL);
    // Cross-check by the heap: the accounted 4 MiB, plus what the ${PEERS} sessions cost without
    // their bytes (tens of KB each), and nowhere near the 65 KB datagrams they sent (16 MiB per 256).
    expect(grown).toBeLessThan(16 * 1024 * 1024);
    expect(afterTimeout).toEqual({ sessions: 0, held: 0 });
  });

  it('when the handshakes together would hold more than maxHandshakeBytesTotal, the oldest holding bytes go first, and a genuine client still gets in', async () => {
    const s = new SpoofedServer({ maxHandshakeBytesTotal: 200_000 });
    for (let i = 0; i < 8; i++) {
      const peer = new PinningPeer(s, address(i));
      peer.verify();
      peer.send(peer.pinningDatagrams());
      expect(s.server.handshakeBufferBytes).toBeLessThanOrEqual(200_000);
    }
    const evicted = s.events.flatMap((e) => (e.type === 'session-end' ? [{ peer: e.peer.address, code: (e.error as DtlsError | undefined)?.code }] : []));
    // About 49 KB each: four fit, and each later peer evicted the oldest.
    expect(evicted).toEqual([0, 1, 2, 3].map((i) => ({ peer: address(i).address, code: 'ENOBUFS' })));
    const client = await s.connect({ address: '203.0.113.9', port: 5000 });
    expect(s.clock.runUntil(() => client.state !== 'handshaking', 10_000, 10)).toBe(true);
    expect(client.state).toBe('established');
    s.server.close();
  });
});
