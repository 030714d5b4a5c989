import { DtlsError } from '../../../lib/dtls-error.js';
import type { Session } from '../../../lib/endpoint/session.js';
import type { SessionEvent } from '../../../lib/endpoint/session-event.js';
import { impair } from '../../../lib/impairment/impair.js';
import type { Datagram } from '../../../lib/transport/datagram.js';
import { startPair } from '../../endpoint/helpers/pair.js';
import { countAcks, type AckCounts } from './ack-probe.js';
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
  /**
   * The version the client offers (default 1.2). For 1.3 the server accepts ['1.2', '1.3'],
   * as a server moving to 1.3 would, and the suite is the key exchange's `iana13`.
   */
  readonly version?: '1.2' | '1.3';
}

/** One datagram as its sender sent it, and whether the link delivered it. */
export interface TrialDatagram {
  readonly from: 'client' | 'server';
  readonly time: number;
  readonly delivered: boolean;
  /** Its size in bytes. */
  readonly bytes: number;
}

export interface TrialResult {
  /** Both sides established before the client's handshake timeout (default 60 s) ended it. */
  readonly completed: boolean;
  /** Virtual ms from the client's first flight to the later of the two sides becoming established. */
  readonly time?: number;
  /** Virtual ms from the client's first flight to each side becoming established, when it did. */
  readonly clientEstablishedAt?: number;
  readonly serverEstablishedAt?: number;
  /** Flights resent by either side (timer or peer). */
  readonly retransmissions: number;
  /** What the 1.3 ACKs did (all zero in 1.2, which has none). */
  readonly acks: AckCounts;
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
export async function handshakeTrial({ suite, loss, seed, delay, mtu, handshakeTimeout = 60_000, maxSilentTimeouts, version = '1.2' }: TrialOptions): Promise<TrialResult> {
  const lost = new Set<Uint8Array>();
  const versions = version === '1.3' ? { server: ['1.2', '1.3'] as const, client: ['1.3'] as const } : undefined;
  if (version === '1.3' && !suite.iana13) throw new Error(`no DTLS 1.3 trial for ${suite.id} yet`);
  const pair = await startPair({
    delay,
    server: {
      credentials: suite.server(),
      cipherSuites: versions ? [suite.iana, suite.iana13!] : [suite.iana],
      versions: versions?.server,
      // A 1.3 ticket follows the handshake (with the client's ACK of it); what is measured here is the handshake.
      ...(versions ? { tickets: false } : {}),
      mtu,
      handshakeTimeout,
      maxSilentTimeouts,
    },
    client: {
      credentials: suite.client(),
      cipherSuites: [versions ? suite.iana13! : suite.iana],
      versions: versions?.client,
      serverName: suite.serverName,
      mtu,
      handshakeTimeout,
      maxSilentTimeouts,
    },
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
  const { acks } = countAcks(() => pair.time.runUntil(done, handshakeTimeout + 1_000, 50));

  const completed = establishedAt.has(pair.client) && serverUp();
  const sinceStart = (at: number | undefined) => (at === undefined ? undefined : at - start);
  const result: TrialResult = {
    completed,
    time: completed ? Math.max(...establishedAt.values()) - start : undefined,
    clientEstablishedAt: sinceStart(establishedAt.get(pair.client)),
    serverEstablishedAt: sinceStart(pair.serverSessions.map((s) => establishedAt.get(s)).find((at) => at !== undefined)),
    retransmissions: [pair.clientEvents, ...pair.serverSessionEvents].flat().filter((e) => e.type === 'retransmit').length,
    acks,
    wire: pair.wire.map((d) => ({ from: d.from, time: d.time - start, delivered: !lost.has(d.data), bytes: d.data.length })),
    clientEvents,
    clientError: pair.client.error,
  };
  pair.client.abandon(new DtlsError('ECLOSED', 'trial over'));
  pair.server.close();
  return result;
}
