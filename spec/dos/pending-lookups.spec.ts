// Async credential lookups (a PSK looked up in a database, a raw-key trust callback) cost the
// user a query each. How many run at once is bounded (maxPendingLookups), each is told through
// an AbortSignal when its handshake ends, and none starts for a handshake that is gone.
import type { SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { credentials, type PskLookupFn } from '../../lib/credentials/credential-store.js';
import { DtlsError } from '../../lib/dtls-error.js';
import type { LookupContext } from '../../lib/handshake/lookup-context.js';
import { address, SpoofedServer } from './helpers/spoofed-server.js';

const KEY = new TextEncoder().encode('secretPSK');

/** Lets promise callbacks run (a settled lookup frees its slot in one). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A PSK lookup that answers after `delay` ms of virtual time, like a slow database, and
 * counts what runs at once. One that `honoursSignal` gives up as soon as its signal aborts.
 */
function slowLookup(scheduler: () => SchedulerLike, delay: number, honoursSignal: boolean) {
  const stats = { started: 0, running: 0, maxRunning: 0, startedAborted: 0, abortedWhileRunning: 0 };
  const lookup: PskLookupFn = (_identity, context?: LookupContext) =>
    new Promise((resolve, reject) => {
      stats.started++;
      stats.running++;
      stats.maxRunning = Math.max(stats.maxRunning, stats.running);
      if (context?.signal.aborted) stats.startedAborted++;
      let done = false;
      const settle = (how: () => void) => {
        if (done) return;
        done = true;
        stats.running--;
        how();
      };
      scheduler().schedule(() => settle(() => resolve(KEY)), delay);
      context?.signal.addEventListener(
        'abort',
        () => {
          if (!done) stats.abortedWhileRunning++;
          if (honoursSignal) settle(() => reject(context.signal.reason));
        },
        { once: true },
      );
    });
  return { lookup, stats };
}

function serverWithSlowLookup(options: { delay: number; honoursSignal: boolean; maxHandshakes: number; maxPendingLookups?: number; handshakeTimeout?: number; maxSilentTimeouts?: number }) {
  let s: SpoofedServer | undefined;
  const { lookup, stats } = slowLookup(() => s!.clock.scheduler, options.delay, options.honoursSignal);
  const { maxHandshakes, maxPendingLookups, handshakeTimeout, maxSilentTimeouts } = options;
  // Plain PSK: no ECDHE, whose key shares would take most of the spec's time.
  const cipherSuites = ['TLS_PSK_WITH_AES_128_CCM_8'];
  s = new SpoofedServer({ credentials: credentials().pskLookup(0, lookup), cipherSuites, maxHandshakes, maxPendingLookups, handshakeTimeout, maxSilentTimeouts });
  return { s, stats };
}

describe('async credential lookups', () => {
  // The 800 peers against maxHandshakes 256 at a quarter of the scale (each peer is a real handshake up to its flight 5).
  it('200 verified peers with maxHandshakes 64 never have more than maxPendingLookups lookups running at once, nor one for a handshake that is gone', async () => {
    // A lookup that ignores its signal, as a user's may: its slot is held until it answers.
    const { s, stats } = serverWithSlowLookup({ delay: 30_000, honoursSignal: false, maxHandshakes: 64, maxPendingLookups: 8 });
    for (let i = 0; i < 200; i++) {
      const client = await s.connect(address(i));
      s.clock.advanceBy(1);
      // Its flight 5 is in and the server's lookup asked for: the client need not stay (and its timers slow the clock).
      client.abandon(new DtlsError('ECLOSED', 'done'));
    }
    await settle();
    console.info(`200 verified peers, maxHandshakes 64: ${stats.started} lookups started, at most ${stats.maxRunning} running at once`);
    expect(stats.maxRunning).toBeLessThanOrEqual(8);
    expect(stats.startedAborted).toBe(0);
    // Waiting lookups belong to live handshakes only: the first 64 (newcomers beyond them were turned away), 8 of them running.
    expect(s.server.pendingLookups).toEqual({ running: 8, waiting: 56 });
    s.server.close();
    expect(s.server.pendingLookups.waiting).toBe(0);
  });

  it('aborts the lookup of an evicted handshake, starts a waiting one in its place, and aborts the rest when the server closes', async () => {
    // The silence rule (maxSilentTimeouts) would give up on the abandoned handshakes by itself; off, so eviction is what ends them.
    const { s, stats } = serverWithSlowLookup({ delay: 30_000, honoursSignal: true, maxHandshakes: 4, maxPendingLookups: 2, maxSilentTimeouts: Infinity });
    for (let i = 0; i < 10; i++) {
      const client = await s.connect(address(i));
      s.clock.advanceBy(1);
      // Gone silent after its flight 5: four retransmission timers later the next newcomer may evict its handshake.
      client.abandon(new DtlsError('ECLOSED', 'done'));
      s.clock.advanceBy(4_000);
      await settle();
      expect(s.server.pendingLookups.running).toBeLessThanOrEqual(2);
    }
    // Six handshakes were evicted, each with its lookup running or waiting; the four left have two running, two waiting.
    expect(s.events.filter((e) => e.type === 'session-end').length).toBe(6);
    expect(s.server.pendingLookups).toEqual({ running: 2, waiting: 2 });
    expect(stats.running).toBe(2);
    expect(stats.startedAborted).toBe(0);
    s.server.close();
    await settle();
    expect(stats.running).toBe(0);
    expect(s.server.pendingLookups).toEqual({ running: 0, waiting: 0 });
  });

  it('aborts the lookup when its handshake times out', async () => {
    const { s, stats } = serverWithSlowLookup({ delay: 30_000, honoursSignal: true, maxHandshakes: 8, handshakeTimeout: 5_000 });
    await s.connect(address(1));
    s.clock.advanceBy(1);
    expect(stats.running).toBe(1);
    s.clock.advanceBy(5_000);
    await settle();
    expect(stats.abortedWhileRunning).toBe(1);
    expect(stats.running).toBe(0);
    expect(s.server.pendingLookups).toEqual({ running: 0, waiting: 0 });
    s.server.close();
  });

  it('rejects a maxPendingLookups that is not a positive integer', () => {
    expect(() => new SpoofedServer({ maxPendingLookups: 0 })).toThrow(/maxPendingLookups/);
    expect(() => new SpoofedServer({ maxPendingLookups: 1.5 })).toThrow(/maxPendingLookups/);
  });
});
