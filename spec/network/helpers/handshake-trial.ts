import { DtlsError } from '../../../lib/dtls-error.js';
import type { Session } from '../../../lib/endpoint/session.js';
import type { SessionEvent } from '../../../lib/endpoint/session-event.js';
import { impair } from '../../../lib/impairment/impair.js';
import type { Datagram } from '../../../lib/transport/datagram.js';
import { startPair } from '../../endpoint/helpers/pair.js';
import type { TrialSuite } from './suites.js';

export interface TrialOptions {
  readonly suite: TrialSuite;
  /** Probability that a datagram is lost, in each direction independently. */
  readonly loss: number;
  /** Seeds the loss of both directions. */
  readonly seed: number;
  /** One-way delay of the link in ms. */
  readonly delay: number;
  /** Both sides' MTU (default 1200): a smaller one splits the larger flights into more datagrams. */
  readonly mtu?: number;
  /** The retransmission budget: how long both sides keep trying (default 60 s, the library's default). */
  readonly handshakeTimeout?: number;
  /** Both sides' maxSilentTimeouts (default the library's). */
  readonly maxSilentTimeouts?: number;
}

/** One datagram as its sender sent it, and whether the link delivered it. */
export interface TrialDatagram {
  readonly from: 'client' | 'server';
  readonly time: number;
  readonly delivered: boolean;
}

export interface TrialResult {
  /** Both sides established before the client's handshake timeout (default 60 s) ended it. */
  readonly completed: boolean;
  /** Virtual ms from the client's first flight to the later of the two sides becoming established. */
  readonly time?: number;
  /** Flights resent by either side (timer or peer). */
  readonly retransmissions: number;
  readonly wire: readonly TrialDatagram[];
  /** The client's events, each with the virtual time it happened. */
  readonly clientEvents: ReadonlyArray<{ readonly time: number; readonly event: SessionEvent }>;
  readonly clientError?: DtlsError;
}

/**
 * One handshake between an rx-dtls client and server over an in-memory link that
 * loses datagrams at random (seeded), in virtual time, with the default
 * retransmission timers (RFC 6347 §4.2.4.1: 1 s, doubling, 60 s cap) and the
 * default 60 s handshake timeout: the same code paths as over UDP, minus the clock.
 */
export async function handshakeTrial({ suite, loss, seed, delay, mtu, handshakeTimeout = 60_000, maxSilentTimeouts }: TrialOptions): Promise<TrialResult> {
  const lost = new Set<Uint8Array>();
  const pair = await startPair({
    delay,
    server: { credentials: suite.server(), cipherSuites: [suite.iana], mtu, handshakeTimeout, maxSilentTimeouts },
    client: { credentials: suite.client(), cipherSuites: [suite.iana], serverName: suite.serverName, mtu, handshakeTimeout, maxSilentTimeouts },
    linkOn: (scheduler, direction) =>
      impair({
        seed: seed * 2 + (direction === 'client-to-server' ? 0 : 1),
        loss,
        scheduler,
        onImpairment: (_kind, datagram: Datagram) => lost.add(datagram.data),
      }),
  });
  const start = pair.time.now;
  const establishedAt = new Map<Session, number>();
  const watch = (session: Session) =>
    session.state$.subscribe({ next: (state) => {
      if (state === 'established') establishedAt.set(session, pair.time.now);
    }, error: () => undefined });
  watch(pair.client);
  pair.server.sessions$.subscribe(watch);
  const clientEvents: Array<{ time: number; event: SessionEvent }> = [];
  pair.client.events$.subscribe({ next: (event) => clientEvents.push({ time: pair.time.now - start, event }), error: () => undefined });

  const serverUp = () => pair.serverSessions.some((s) => establishedAt.has(s));
  const done = () => (establishedAt.has(pair.client) && serverUp()) || pair.client.state === 'closed';
  // The client's handshake timeout ends every trial that does not complete; the extra second lets it fire.
  pair.time.runUntil(done, handshakeTimeout + 1_000, 50);

  const completed = establishedAt.has(pair.client) && serverUp();
  const result: TrialResult = {
    completed,
    time: completed ? Math.max(...establishedAt.values()) - start : undefined,
    retransmissions: [pair.clientEvents, ...pair.serverSessionEvents].flat().filter((e) => e.type === 'retransmit').length,
    wire: pair.wire.map((d) => ({ from: d.from, time: d.time - start, delivered: !lost.has(d.data) })),
    clientEvents,
    clientError: pair.client.error,
  };
  pair.client.abandon(new DtlsError('ECLOSED', 'trial over'));
  pair.server.close();
  return result;
}
