import { describe, expect, it } from 'vitest';
import type { Session } from '../../lib/endpoint/session.js';
import type { WriteEpochs } from '../../lib/record/write-epochs.js';
import { AlertDescription, AlertLevel, encodeAlert } from '../../lib/wire/alert.js';
import { ContentType, DTLS_1_2 } from '../../lib/wire/constants.js';
import { CLIENT_ADDRESS, SERVER_ADDRESS, startPair, type Pair } from './helpers/pair.js';

/** A fatal alert sealed with a session's current keys (reached past `private`), as its peer would receive it. */
function fatalAlertFrom(session: Session, description: number): Uint8Array {
  const { writeEpochs } = session as unknown as { writeEpochs: WriteEpochs };
  return writeEpochs.seal(writeEpochs.current, ContentType.alert, DTLS_1_2, encodeAlert({ level: AlertLevel.fatal, description }));
}

/** A pair established by a full handshake whose session the server caches by ID (no tickets). */
async function established(): Promise<Pair> {
  const pair = await startPair({ delay: 10, client: { tickets: false } });
  expect(pair.time.runUntil(() => pair.client.state === 'established' && pair.serverSessions[0]?.state === 'established', 5000)).toBe(true);
  expect(pair.server.cachedSessions).toBe(1);
  expect(pair.client.resumption).toBeDefined();
  return pair;
}

// RFC 5246 §7.2.2: "Servers and clients MUST forget any session-identifiers, keys, and secrets
// associated with a failed connection."
describe('a session a fatal alert ended cannot be resumed (RFC 5246 §7.2.2)', () => {
  it('the server drops it from its cache when the client sends a fatal alert; a later offer of it gets a full handshake', async () => {
    const pair = await established();
    const resumption = pair.client.resumption!;
    pair.clientEnd.send(fatalAlertFrom(pair.client, AlertDescription.internal_error), SERVER_ADDRESS);
    pair.time.advanceBy(100);
    expect(pair.serverSessions[0].state).toBe('closed');
    expect(pair.server.cachedSessions).toBe(0);
    const again = await pair.reconnect({ tickets: false, resume: resumption });
    expect(pair.time.runUntil(() => again.state === 'established', 5000)).toBe(true);
    expect(again.info?.resumed).toBe(false);
  });

  it('the client forgets its resumption state when the server sends a fatal alert', async () => {
    const pair = await established();
    pair.client.data$.subscribe({ error: () => undefined });
    pair.serverEnd.send(fatalAlertFrom(pair.serverSessions[0], AlertDescription.internal_error), CLIENT_ADDRESS);
    pair.time.advanceBy(100);
    expect(pair.client.state).toBe('closed');
    expect(pair.client.resumption).toBeUndefined();
  });

  it('a clean close_notify keeps both: the session resumes', async () => {
    const pair = await established();
    void pair.client.close();
    pair.time.advanceBy(1000);
    expect(pair.server.cachedSessions).toBe(1);
    const again = await pair.reconnect({ tickets: false, resume: pair.client.resumption! });
    expect(pair.time.runUntil(() => again.state === 'established', 5000)).toBe(true);
    expect(again.info?.resumed).toBe(true);
  });
});
