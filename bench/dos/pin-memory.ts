import { parseArgs } from 'node:util';
import { credentials } from '../../lib/credentials/credential-store.js';
import type { Session } from '../../lib/endpoint/session.js';
import { collectGarbage } from '../../spec/dos/helpers/heap.js';
import { PinningPeer } from '../../spec/dos/helpers/pinning-peer.js';
import { address, SpoofedServer } from '../../spec/dos/helpers/spoofed-server.js';

/**
 * What verified peers can make a server hold: each passes the cookie exchange for real, then
 * sends, in 65 KB datagrams, messages ahead of their turn, the first fragment of a large
 * message and next-epoch records (or, with --async, messages that queue behind a PSK lookup
 * that never answers). Default server options but maxHandshakes 256 (maxHandshakeBytesTotal 4 MiB, as when the figures in docs/reliability.md were taken); virtual time; lib/ as it is in this checkout,
 * so the same command measures any commit (one without handshake accounting prints "-").
 *
 *   npx tsx bench/dos/pin-memory.ts [--peers 256] [--async]
 *
 * Prints, after a full collection each time: the heap and array buffers the attack added, and
 * the same for as many peers that only pass the cookie exchange (what a session costs anyway),
 * so the difference per peer is what one peer made the server hold; the bytes the server
 * accounted (most for one peer, most for all); and the process's RSS before, at the peak and
 * after the handshake timeout (Node rarely gives memory back to the system, so RSS stays near
 * its peak where the heap has long let go: the heap and buffers left are printed too).
 */
const { values } = parseArgs({ options: { peers: { type: 'string', default: '256' }, async: { type: 'boolean', default: false } } });
const peers = Number(values.peers);
const pendingLookup = credentials().pskLookup(0, () => new Promise<undefined>(() => undefined));

/** Heap and array buffers after a full collection; buffers are freed off the main thread, so give that a moment. */
const retained = async (): Promise<number> => {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 200));
  collectGarbage();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const rss = (): number => process.memoryUsage().rss;
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;
const accounted = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en'));

/** `peers` verified peers of a fresh server, pinning memory if `attack`; the memory figures. */
async function run(attack: boolean, peers: number) {
  const s = new SpoofedServer({ handshakeTimeout: 60_000, maxHandshakes: 256, ...(values.async ? { credentials: pendingLookup } : {}) });
  let session: Session | undefined;
  s.server.sessions$.subscribe((started) => (session = started));
  const before = await retained();
  const rssBefore = rss();
  let rssPeak = rssBefore;
  let perPeer: number | undefined;
  let total: number | undefined;
  const track = () => {
    const held = (session as { handshakeBufferBytes?: number } | undefined)?.handshakeBufferBytes;
    const all = (s.server as { handshakeBufferBytes?: number }).handshakeBufferBytes;
    if (held !== undefined) perPeer = Math.max(perPeer ?? 0, held);
    if (all !== undefined) total = Math.max(total ?? 0, all);
  };
  for (let i = 0; i < peers; i++) {
    const peer = new PinningPeer(s, address(i));
    peer.verify(attack);
    track();
    if (attack) {
      for (const datagram of values.async ? peer.behindLookupDatagrams() : peer.pinningDatagrams()) {
        peer.send([datagram]);
        track();
      }
    }
    if (i % 16 === 15) rssPeak = Math.max(rssPeak, rss());
  }
  const grown = (await retained()) - before;
  rssPeak = Math.max(rssPeak, rss());
  const sessions = s.server.sessionCount;
  s.clock.advanceBy(60_001);
  s.server.close();
  const left = (await retained()) - before;
  return { grown, left, sessions, perPeer, total, rssBefore, rssPeak, rssAfter: rss() };
}

// The runs measured come after a first small run, which compiles the code and makes what is made once, so that they show only what the peers cost.
await run(true, 4);
const alone = await run(false, peers);
const attacked = await run(true, peers);
const extra = (attacked.grown - alone.grown) / peers;
console.log(`${peers} verified peers${values.async ? ', behind a pending PSK lookup' : ''}:`);
console.log(`  pinning: heap and buffers +${mib(attacked.grown)} (${attacked.sessions} handshakes left); only verified: +${mib(alone.grown)}`);
console.log(`  held for one peer beyond its session: ${kb(extra)} (heap); accounted at most ${accounted(attacked.perPeer)} bytes for one peer, ${accounted(attacked.total)} for all`);
console.log(`  RSS: ${mib(attacked.rssBefore)} before, ${mib(attacked.rssPeak)} at the peak, ${mib(attacked.rssAfter)} after the handshake timeout (heap and buffers then +${mib(attacked.left)})`);
