// An application may keep what a session ended with: session.error, the 'closed' event, the
// session itself. None of these may keep the dead handshake alive: the error's captured stack
// once reached the driver and, through it, every datagram the handshake held (about 1 MB per
// kept error here). Reachability is checked with WeakRefs after a forced collection, which
// cannot flake; the heap figure is printed, not asserted.
import { describe, expect, it } from 'vitest';
import { credentials } from '../../lib/credentials/credential-store.js';
import type { DtlsError } from '../../lib/dtls-error.js';
import type { Session } from '../../lib/endpoint/session.js';
import type { SessionEvent } from '../../lib/endpoint/session-event.js';
import { HandshakeType } from '../../lib/wire/constants.js';
import { encodeHandshakeFragment } from '../../lib/wire/handshake-header.js';
import { collectGarbage, mb } from '../dos/helpers/heap.js';
import { keyExchange, type KeyExchangeSetup } from '../fuzz/helpers/key-exchanges.js';
import { Lab } from '../fuzz/helpers/lab.js';
import { ScriptedClient } from '../fuzz/helpers/scripted-client.js';

const SESSIONS = 32;

/** What a stopped handshake driver must have let go of. */
interface DriverInternals {
  readonly peerFlights: {
    readonly sequencer: { readonly future: Map<number, unknown> };
    readonly reassembler: { readonly bufferedBytes: number };
  };
}

const driverOf = (session: Session) => (session as unknown as { driver?: DriverInternals }).driver;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Heap and ArrayBuffer bytes (datagrams live outside the JS heap) after a full collection. */
function settledBytes(): number {
  collectGarbage();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

interface Ended {
  readonly kept: Array<{ error?: DtlsError; closed?: SessionEvent; session?: Session }>;
  /** The drivers and the datagrams their handshakes held, weakly. */
  readonly drivers: Array<WeakRef<object>>;
  readonly datagrams: Array<WeakRef<ArrayBuffer>>;
  /** What a stopped driver still reachable (behind a lookup that never answers) holds. */
  readonly stopped: DriverInternals[];
}

/**
 * A server session past the cookie exchange that holds handshake messages ahead of their turn
 * (each a few bytes in a 60 KB datagram) and a partial message, then times out.
 */
async function endedSession(seed: number, setup: KeyExchangeSetup, ended: Ended, keep: 'error' | 'closed' | 'session', sendKeyExchange = false): Promise<void> {
  const lab = await new Lab({ setup, seed, withClient: false, server: { handshakeTimeout: 5_000 } }).start();
  const peer = new ScriptedClient(lab, setup);
  const flight5 = await peer.negotiate();
  const session = lab.serverSessions[0];
  let closed: SessionEvent | undefined;
  session.events$.subscribe({ next: (e) => {
    if (e.type === 'closed') closed = e;
  }, error: () => undefined });
  if (sendKeyExchange) peer.sendEntries(flight5.entries.filter((e) => e.kind === 'handshake' && e.message.msgType === HandshakeType.client_key_exchange));
  const filler = new Uint8Array(60_000);
  for (let seq = 4; seq < 12; seq++) {
    const held = peer.io.handshake({ msgType: HandshakeType.certificate, messageSeq: seq, body: Uint8Array.of(seq) });
    const datagram = new Uint8Array(held.length + filler.length + 13);
    datagram.set(held);
    // After the record, bytes that are no record at all: dropped, but in the same buffer as the held message.
    lab.inject('c>s', datagram);
    ended.datagrams.push(new WeakRef(datagram.buffer));
  }
  // And the start of a message that never completes.
  peer.io.transmit(peer.io.record(22, 0, encodeHandshakeFragment({ msgType: HandshakeType.certificate, length: 1_000, messageSeq: 3, fragmentOffset: 0, fragmentLength: 100, body: new Uint8Array(100) })));
  lab.clock.advanceBy(1);
  const driver = driverOf(session);
  if (!driver) throw new Error('no handshake driver');
  ended.drivers.push(new WeakRef(driver));
  if (sendKeyExchange) {
    expect([driver.peerFlights.sequencer.future.size, driver.peerFlights.reassembler.bufferedBytes]).toEqual([8, 1_000]);
    ended.stopped.push(driver);
  }
  lab.clock.advanceBy(5_000);
  expect(session.error?.code).toBe('ETIMEDOUT');
  ended.kept.push(keep === 'error' ? { error: session.error } : keep === 'closed' ? { closed } : { session });
  lab.close();
}

async function live<T extends object>(refs: Array<WeakRef<T>>): Promise<number> {
  await nextTurn();
  collectGarbage();
  return refs.filter((r) => r.deref() !== undefined).length;
}

describe('what an ended session leaves behind', () => {
  it(`${SESSIONS} kept errors, closed events and sessions keep none of their handshakes' drivers or datagrams`, async () => {
    const ended: Ended = { kept: [], drivers: [], datagrams: [], stopped: [] };
    const setup = keyExchange('PSK');
    await nextTurn();
    const baseline = settledBytes();
    for (let i = 0; i < SESSIONS; i++) await endedSession(100 + i, setup, ended, (['error', 'closed', 'session'] as const)[i % 3]);
    await nextTurn();
    const withKept = settledBytes();
    const drivers = await live(ended.drivers);
    const datagrams = await live(ended.datagrams);
    ended.kept.length = 0;
    await nextTurn();
    const released = settledBytes();
    console.info(`${SESSIONS} ended sessions: heap ${mb(withKept - baseline)} above the baseline while their errors/events/sessions are kept, ${mb(released - baseline)} once dropped; ${drivers} drivers and ${datagrams} datagrams still reachable`);
    expect(drivers).toBe(0);
    expect(datagrams).toBe(0);
  });

  it('a stopped driver that a never-answering PSK lookup still reaches holds no messages, fragments or datagrams', async () => {
    const ended: Ended = { kept: [], drivers: [], datagrams: [], stopped: [] };
    const pending: Array<(key: Uint8Array | undefined) => void> = [];
    const base = keyExchange('PSK');
    const setup: KeyExchangeSetup = { ...base, server: { credentials: credentials().pskLookup(0, () => new Promise((resolve) => pending.push(resolve))) } };
    for (let i = 0; i < 4; i++) await endedSession(200 + i, setup, ended, 'error', true);
    expect(pending).toHaveLength(4);
    expect(ended.stopped.map(({ peerFlights: d }) => [d.sequencer.future.size, d.reassembler.bufferedBytes])).toEqual(Array(4).fill([0, 0]));
    expect(await live(ended.datagrams)).toBe(0);
  });
});
