import { Subject, catchError, of, retry, switchMap, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { DtlsError } from '../../lib/dtls-error.js';
import { connect$ } from '../../lib/endpoint/client.js';
import { createServer } from '../../lib/endpoint/server.js';
import type { Datagram } from '../../lib/transport/datagram.js';
import { MemoryHub } from '../../lib/testing/index.js';
import { SERVER_ADDRESS, pskStore, startPair } from './helpers/pair.js';
import { VirtualTime } from '../../lib/testing/index.js';

/** How a stream ended: 'complete', the error's code, or 'open'. */
function ending(stream: Observable<unknown>): () => string {
  let end = 'open';
  stream.subscribe({ error: (e: unknown) => (end = e instanceof DtlsError ? e.code : `not a DtlsError: ${String(e)}`), complete: () => (end = 'complete') });
  return () => end;
}

describe('the end of a session: data$, events$ and state$ complete on a clean close, error with the DtlsError on a failure', () => {
  it('close_notify completes all three', async () => {
    const { time, client } = await startPair();
    time.runUntil(() => client.state === 'established', 5000);
    const ends = [ending(client.data$), ending(client.events$), ending(client.state$)];
    void client.close();
    expect(ends.map((end) => end())).toEqual(['complete', 'complete', 'complete']);
  });

  it('a fatal alert from the peer errors all three with EALERT, so catchError fires', async () => {
    const { time, client } = await startPair({ client: { credentials: pskStore('secretPSK', 'stranger') } });
    const ends = [ending(client.data$), ending(client.events$), ending(client.state$)];
    let caught: unknown;
    client.data$.pipe(catchError((e: unknown) => ((caught = e), of()))).subscribe();
    time.runUntil(() => client.state === 'closed', 5000);
    expect(ends.map((end) => end())).toEqual(['EALERT', 'EALERT', 'EALERT']);
    expect(caught).toBe(client.error);
  });

  it('a handshake timeout errors data$ with ETIMEDOUT, and a subscriber after the end gets the error at once', async () => {
    const { time, client } = await startPair({ deliver: () => false, client: { handshakeTimeout: 5000 } });
    const data = ending(client.data$);
    time.advanceBy(5000);
    expect(data()).toBe('ETIMEDOUT');
    expect([ending(client.data$)(), ending(client.events$)(), ending(client.state$)()]).toEqual(['ETIMEDOUT', 'ETIMEDOUT', 'ETIMEDOUT']);
  });

  it('the closed event still comes first, carrying the error, before events$ errors', async () => {
    const { time, client, clientEvents } = await startPair({ deliver: () => false, client: { handshakeTimeout: 5000 } });
    time.advanceBy(5000);
    expect(clientEvents.at(-1)).toMatchObject({ type: 'closed', error: { code: 'ETIMEDOUT' } });
    expect(client.state).toBe('closed');
  });

  it('retry() resubscribes connect$ after a failure: each attempt is a new handshake', async () => {
    const time = new VirtualTime();
    const hub = new MemoryHub(time.scheduler);
    const server = createServer({ credentials: pskStore(), transport: hub.endpoint(SERVER_ADDRESS), scheduler: time.scheduler });
    let attempts = 0;
    server.sessions$.subscribe(() => attempts++);
    let failure: unknown;
    const options = { host: SERVER_ADDRESS.address, port: SERVER_ADDRESS.port, credentials: pskStore('secretPSK', 'stranger'), transport: hub.endpoint({ address: '10.0.9.9', port: 9999 }), scheduler: time.scheduler, keyLog: undefined };
    connect$(options)
      .pipe(
        switchMap((session) => session.data$),
        retry(2),
      )
      .subscribe({ error: (e: unknown) => (failure = e) });
    for (let i = 0; i < 20 && failure === undefined; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      time.advanceBy(100);
    }
    expect(attempts).toBe(3);
    expect(failure).toMatchObject({ name: 'DtlsError', code: 'EALERT' });
  });
});

describe("a server's sessions$ and events$", () => {
  it('complete when the server closes', async () => {
    const { server } = await startPair();
    const ends = [ending(server.sessions$), ending(server.events$)];
    await server.close();
    expect(ends.map((end) => end())).toEqual(['complete', 'complete']);
  });

  it('error with a DtlsError when the transport fails', async () => {
    const time = new VirtualTime();
    const incoming = new Subject<Datagram>();
    const server = createServer({
      credentials: pskStore(),
      transport: { datagrams$: incoming, send: () => undefined, address: () => SERVER_ADDRESS, close: () => undefined },
      scheduler: time.scheduler,
    });
    const ends = [ending(server.sessions$), ending(server.events$)];
    incoming.error(Object.assign(new Error('recvmsg ENOBUFS'), { code: 'ENOBUFS' }));
    expect(ends.map((end) => end())).toEqual(['EIO', 'EIO']);
  });

  it('go on when one session fails', async () => {
    const { time, client, server } = await startPair({ client: { credentials: pskStore('secretPSK', 'stranger') } });
    const ends = [ending(server.sessions$), ending(server.events$)];
    time.runUntil(() => client.state === 'closed', 5000);
    expect(client.error?.code).toBe('EALERT');
    expect(ends.map((end) => end())).toEqual(['open', 'open']);
  });
});
