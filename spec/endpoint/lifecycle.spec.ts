import { switchMap } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, connect$, established } from '../../lib/endpoint/client.js';
import { listen, type DtlsServer } from '../../lib/endpoint/server.js';
import type { Session } from '../../lib/endpoint/session.js';
import type { SessionEvent } from '../../lib/endpoint/session-event.js';
import { SERVER_ADDRESS, pskStore, startPair } from './helpers/pair.js';

const alertsOf = (events: readonly SessionEvent[]) => events.flatMap((e) => (e.type === 'alert' ? [`${e.direction} ${e.name}`] : []));

describe('close() on a session and a server returns a promise that settles when the close is done', () => {
  it('session.close() resolves once close_notify is out; the session is closed already when it is called', async () => {
    const { time, client, serverSessions, serverSessionEvents } = await startPair();
    time.runUntil(() => client.state === 'established', 5000);
    const closing = client.close();
    expect(client.state).toBe('closed');
    await expect(closing).resolves.toBeUndefined();
    time.advanceBy(10);
    expect(alertsOf(serverSessionEvents[0])).toEqual(['received close_notify', 'sent close_notify']);
    expect(serverSessions[0].state).toBe('closed');
  });

  it('server.close() resolves once every session got close_notify and the transport is closed', async () => {
    const { time, client, server, clientEvents } = await startPair();
    time.runUntil(() => client.state === 'established', 5000);
    const closing = server.close();
    expect(closing).toBeInstanceOf(Promise);
    await closing;
    time.advanceBy(10);
    expect(alertsOf(clientEvents)).toContain('received close_notify');
    expect(client.state).toBe('closed');
  });
});

describe('AbortSignal on connect, established and listen', () => {
  it('connect with a signal that aborts during the handshake rejects with ECANCELED and cancels it at the server', async () => {
    const controller = new AbortController();
    const { time, client, serverSessions, serverSessionEvents } = await startPair({
      // Flight 4 is lost, so the handshake waits; the client's epoch-0 alerts still reach the server.
      deliver: (d, i) => d.from === 'client' || i < 2,
      client: { signal: controller.signal },
    });
    time.advanceBy(10);
    const outcome = established(client);
    controller.abort(new Error('the user gave up'));
    await expect(outcome).rejects.toMatchObject({ name: 'DtlsError', code: 'ECANCELED', message: 'aborted: the user gave up' });
    time.advanceBy(10);
    expect(alertsOf(serverSessionEvents[0])).toEqual(['received user_canceled', 'received close_notify', 'sent close_notify']);
    expect(serverSessions[0].state).toBe('closed');
  });

  it('connect with a signal that aborts after the handshake closes the session with close_notify', async () => {
    const controller = new AbortController();
    const { time, client, clientEvents } = await startPair({ client: { signal: controller.signal } });
    time.runUntil(() => client.state === 'established', 5000);
    controller.abort();
    expect(client.state).toBe('closed');
    expect(client.error).toBeUndefined();
    expect(alertsOf(clientEvents)).toEqual(['sent close_notify']);
  });

  it('established with a signal cancels the handshake it waits for', async () => {
    const { time, client } = await startPair({ deliver: (d) => d.from === 'client' });
    const controller = new AbortController();
    const waiting = established(client, { signal: controller.signal });
    time.advanceBy(10);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ECANCELED' });
    expect(client.state).toBe('closed');
  });

  it('connect with a signal aborted already rejects with ECANCELED before any socket', async () => {
    await expect(connect({ host: SERVER_ADDRESS.address, port: SERVER_ADDRESS.port, credentials: pskStore(), signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ECANCELED' });
  });
});

describe('over real UDP on loopback', () => {
  const servers: DtlsServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function echoServer(signal?: AbortSignal) {
    const server = await listen({ host: '127.0.0.1', port: 0, credentials: pskStore(), signal, keyLog: undefined });
    servers.push(server);
    const sessions: Session[] = [];
    const events: SessionEvent[][] = [];
    server.sessions$.subscribe((session) => {
      sessions.push(session);
      const own: SessionEvent[] = [];
      events.push(own);
      session.events$.subscribe({ next: (e) => own.push(e), error: () => undefined });
      session.data$.subscribe({ next: (d) => session.send(d), error: () => undefined });
    });
    return { server, sessions, events };
  }

  it('unsubscribing connect$(o).pipe(switchMap((s) => s.data$)) sends close_notify: the server sees it and ends the session', async () => {
    const { server, sessions, events } = await echoServer();
    const client = connect$({ host: '127.0.0.1', port: server.address().port, credentials: pskStore(), keyLog: undefined });
    let echoed!: () => void;
    const echo = new Promise<void>((resolve) => (echoed = resolve));
    const subscription = client.pipe(switchMap((s) => (s.send(new TextEncoder().encode('hi')), s.data$))).subscribe(() => echoed());
    await echo;
    const serverClosed = new Promise((resolve) => sessions[0].state$.subscribe({ complete: () => resolve('complete'), error: resolve }));
    subscription.unsubscribe();
    await expect(serverClosed).resolves.toBe('complete');
    expect(alertsOf(events[0])).toEqual(['received close_notify', 'sent close_notify']);
    expect(server.sessionCount).toBe(0);
  });

  it('listen with a signal closes the server when it aborts', async () => {
    const controller = new AbortController();
    const { server } = await echoServer(controller.signal);
    let completed = false;
    server.sessions$.subscribe({ complete: () => (completed = true) });
    controller.abort();
    expect(completed).toBe(true);
  });
});
