import { afterEach, describe, expect, it } from 'vitest';
import { credentials } from '../../lib/credentials/credential-store.js';
import { DtlsError } from '../../lib/dtls-error.js';
import { connect } from '../../lib/endpoint/client.js';
import { createServer, type DtlsServer } from '../../lib/endpoint/server.js';
import type { Session } from '../../lib/endpoint/session.js';
import { memoryLink } from '../../lib/transport/memory.js';
import { sessionData } from '../../lib/sock/session-data.js';

const store = () => credentials().psk({ tag: 0, identity: 'Client_identity', key: 'secretPSK' });
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

let server: DtlsServer | undefined;
afterEach(() => server?.close());

/** An established pair in memory: the server's session and the client's. */
async function pair(): Promise<{ serverSession: Session; client: Session }> {
  const [a, b] = memoryLink();
  server = createServer({ transport: b, credentials: store() });
  const serverSession = new Promise<Session>((resolve) => server!.sessions$.subscribe(resolve));
  const client = await connect({ host: '10.0.0.2', port: 2222, transport: a, credentials: store() });
  return { serverSession: await serverSession, client };
}

describe('sessionData', () => {
  it('yields each record in order and ends the loop when the peer closes with close_notify', async () => {
    const { serverSession, client } = await pair();
    const received: string[] = [];
    const loop = (async () => {
      for await (const data of sessionData(serverSession)) received.push(text(data));
    })();
    for (const word of ['one', 'two', 'three']) client.send(new TextEncoder().encode(word));
    await expect.poll(() => received.length).toBe(3);
    client.close();
    await loop;
    expect(received).toEqual(['one', 'two', 'three']);
  });

  it('throws the session’s DtlsError when it ends with one', async () => {
    const { serverSession } = await pair();
    const iterator = sessionData(serverSession);
    const next = iterator.next();
    serverSession.abandon(new DtlsError('ETIMEDOUT', 'idle'));
    await expect(next).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('keeps records that arrive before the loop asks for them, and break stops listening without closing the session', async () => {
    const { serverSession, client } = await pair();
    const iterator = sessionData(serverSession);
    client.send(new TextEncoder().encode('early'));
    client.send(new TextEncoder().encode('second'));
    await new Promise((r) => setTimeout(r, 20));
    for await (const data of iterator) {
      expect(text(data)).toBe('early');
      break;
    }
    expect(serverSession.state).toBe('established');
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('drops and counts records beyond maxBuffered while nobody reads', async () => {
    const { serverSession, client } = await pair();
    const iterator = sessionData(serverSession, { maxBuffered: 2 });
    for (const n of [1, 2, 3, 4]) client.send(new Uint8Array([n]));
    await expect.poll(() => iterator.dropped).toBe(2);
    expect((await iterator.next()).value).toEqual(new Uint8Array([1]));
    expect((await iterator.next()).value).toEqual(new Uint8Array([2]));
  });
});
