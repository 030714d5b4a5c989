import { createSocket } from 'node:dgram';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { DtlsError } from '../../lib/dtls-error.js';
import { connect, openClientSession } from '../../lib/endpoint/client.js';
import { createServer } from '../../lib/endpoint/server.js';
import type { SessionEvent } from '../../lib/endpoint/session-event.js';
import { MemoryHub } from '../../lib/testing/index.js';
import { SERVER_ADDRESS, pskStore } from './helpers/pair.js';
import { VirtualTime } from '../../lib/testing/index.js';

/** A loopback UDP port nobody listens on: bound once to learn a free one, then closed. */
async function closedPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

describe('ICMP errors on the client socket', () => {
  it('connect to a closed loopback port rejects with ECONNREFUSED, saying nothing listens there (no wait for the handshake timeout)', async () => {
    const port = await closedPort();
    const failure = await connect({ host: '127.0.0.1', port, credentials: pskStore(), keyLog: undefined }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DtlsError);
    expect(failure).toMatchObject({ code: 'ECONNREFUSED', message: `127.0.0.1:${port} refused: nothing listens on that UDP port (ICMP port unreachable)` });
  });

  it("with icmpErrors 'ignore' they are reported on events$ and the handshake goes on", async () => {
    const port = await closedPort();
    const controller = new AbortController();
    const session = await openClientSession({ host: '127.0.0.1', port, credentials: pskStore(), icmpErrors: 'ignore', signal: controller.signal, keyLog: undefined });
    const reported = await new Promise<SessionEvent>((resolve) => session.events$.subscribe({ next: (e) => e.type === 'network-error' && resolve(e), error: () => undefined }));
    expect(reported).toMatchObject({ type: 'network-error', error: { code: 'ECONNREFUSED' } });
    expect(session.state).toBe('handshaking');
    controller.abort();
    expect(session.error?.code).toBe('ECANCELED');
  });

  describe('once established, in virtual time', () => {
    async function established(limit?: number) {
      const time = new VirtualTime();
      const hub = new MemoryHub(time.scheduler);
      const server = createServer({ credentials: pskStore(), transport: hub.endpoint(SERVER_ADDRESS), scheduler: time.scheduler });
      server.sessions$.subscribe((s) => s.data$.subscribe({ next: (d) => s.send(d), error: () => undefined }));
      const icmp = new Subject<DtlsError>();
      const transport = { ...hub.endpoint({ address: '10.0.9.9', port: 9999 }), errors$: icmp };
      const session = await openClientSession({ host: SERVER_ADDRESS.address, port: SERVER_ADDRESS.port, credentials: pskStore(), transport, scheduler: time.scheduler, keyLog: undefined, icmpErrorLimit: limit });
      const events: SessionEvent[] = [];
      session.events$.subscribe({ next: (e) => events.push(e), error: () => undefined });
      time.runUntil(() => session.state === 'established', 5000);
      const refused = () => icmp.next(new DtlsError('ECONNREFUSED', 'recvmsg ECONNREFUSED'));
      return { time, session, events, refused };
    }

    it('end the session after icmpErrorLimit in a row (default 3), with ECONNREFUSED', async () => {
      const { session, events, refused } = await established();
      refused();
      refused();
      expect(session.state).toBe('established');
      expect(events.filter((e) => e.type === 'network-error')).toHaveLength(2);
      refused();
      expect(session.state).toBe('closed');
      expect(session.error?.code).toBe('ECONNREFUSED');
    });

    it('start counting again after a record from the server', async () => {
      const { time, session, refused } = await established(2);
      refused();
      // The server echoes: its record proves it is there, so the next error is the first of a new run.
      time.advanceBy(1);
      session.send(new Uint8Array([1]));
      time.advanceBy(1);
      refused();
      expect(session.state).toBe('established');
      refused();
      expect(session.state).toBe('closed');
    });
  });
});
