// A subscriber may end its session from inside an emission that a handshake step fired
// (issue 12, item 4): the session acts on what the handshake driver returned, so the rest
// of that step finds a closed session and sends nothing more, and nothing throws out of
// the datagram's delivery.
import type { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { credentials } from '../../lib/credentials/credential-store.js';
import { DtlsError } from '../../lib/dtls-error.js';
import type { Session } from '../../lib/endpoint/session.js';
import type { SessionEvent } from '../../lib/endpoint/session-event.js';
import { startPair, type WireDatagram } from './helpers/pair.js';

/** How a stream ended: 'complete', the error's code, or 'open'. */
function ending(session: Session): () => string[] {
  const ends = ['open', 'open', 'open'];
  ([session.data$, session.events$, session.state$] as Array<Observable<unknown>>).forEach((stream, i) =>
    stream.subscribe({ error: (e: unknown) => (ends[i] = e instanceof DtlsError ? e.code : `not a DtlsError: ${String(e)}`), complete: () => (ends[i] = 'complete') }),
  );
  return () => ends;
}

/** The datagrams `from` sent after the one at `index` on the wire. */
const sentAfter = (wire: readonly WireDatagram[], index: number, from: WireDatagram['from']) => wire.slice(index + 1).filter((d) => d.from === from);

/** Ends `session` with `end` on the first event of `type`, recording where the wire was then. */
function endOn(session: Session, wanted: (e: SessionEvent) => boolean, wire: readonly WireDatagram[], end: (session: Session) => void): { wireIndex?: number } {
  const at: { wireIndex?: number } = {};
  session.events$.subscribe({
    next: (e) => {
      if (!wanted(e) || at.wireIndex !== undefined) return;
      at.wireIndex = wire.length - 1;
      end(session);
    },
    error: () => undefined,
  });
  return at;
}

describe('a subscriber that ends its session from inside an emission of a handshake step', () => {
  it('the client closed on handshake-complete: streams complete, one close_notify and nothing else goes out', async () => {
    const { time, client, clientEvents, wire } = await startPair();
    const ends = ending(client);
    const at = endOn(client, (e) => e.type === 'handshake-complete', wire, (s) => void s.close());
    time.runUntil(() => client.state === 'closed', 5_000);
    time.advanceBy(120_000);
    expect(ends()).toEqual(['complete', 'complete', 'complete']);
    expect(sentAfter(wire, at.wireIndex!, 'client')).toHaveLength(1);
    expect(clientEvents.filter((e) => e.type === 'alert').map((e) => e.type === 'alert' && e.name)).toEqual(['close_notify']);
    expect(clientEvents.at(-1)).toMatchObject({ type: 'closed', error: undefined });
  });

  it('the client canceled on its flight 5 going out: the rest of that step sends nothing, the streams error with the reason', async () => {
    const { time, client, clientEvents, wire } = await startPair();
    const ends = ending(client);
    const flight5 = (e: SessionEvent) => e.type === 'flight-sent' && e.flight === 5;
    const at = endOn(client, flight5, wire, (s) => void s.cancel(new DtlsError('ECANCELED', 'no longer wanted')));
    time.runUntil(() => client.state === 'closed', 5_000);
    time.advanceBy(120_000);
    expect(client.error?.code).toBe('ECANCELED');
    expect(ends()).toEqual(['ECANCELED', 'ECANCELED', 'ECANCELED']);
    // The alerts user_canceled and close_notify, and not flight 5 itself.
    expect(sentAfter(wire, at.wireIndex!, 'client')).toHaveLength(2);
    expect(clientEvents.filter((e) => e.type === 'retransmit')).toEqual([]);
  });

  it('the server session closed on handshake-complete after an async PSK lookup: one close_notify and nothing else goes out', async () => {
    const key = new TextEncoder().encode('secretPSK');
    const server = { credentials: credentials().pskLookup(0, async () => key) };
    const { time, server: endpoint, serverSessions, serverSessionEvents, wire } = await startPair({ server });
    let at: { wireIndex?: number } | undefined;
    let ends: (() => string[]) | undefined;
    endpoint.sessions$.subscribe((session) => {
      ends = ending(session);
      at = endOn(session, (e) => e.type === 'handshake-complete', wire, (s) => void s.close());
    });
    for (let i = 0; i < 500 && serverSessions[0]?.state !== 'closed'; i++) {
      time.advanceBy(10);
      await new Promise((resolve) => setImmediate(resolve));
    }
    time.advanceBy(120_000);
    expect(serverSessions[0].state).toBe('closed');
    expect(ends?.()).toEqual(['complete', 'complete', 'complete']);
    expect(sentAfter(wire, at!.wireIndex!, 'server')).toHaveLength(1);
    expect(serverSessionEvents[0].filter((e) => e.type === 'alert').map((e) => e.type === 'alert' && e.name)).toEqual(['close_notify']);
  });
});
