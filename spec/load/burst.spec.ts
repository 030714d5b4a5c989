// The short version of bench/load/burst.ts, over loopback UDP: a burst of clients beyond
// what the server admits. Every client learns its outcome before its handshake timeout:
// established, or EBUSY from the server's internal_error; none is left to time out.
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../lib/endpoint/client.js';
import type { DtlsError } from '../../lib/dtls-error.js';
import { listen, type DtlsServer } from '../../lib/endpoint/server.js';
import type { Session } from '../../lib/endpoint/session.js';
import { pskStore } from '../endpoint/helpers/pair.js';

const CLIENTS = 100;
const HANDSHAKE_TIMEOUT = 30_000;
let server: DtlsServer | undefined;
const sessions: Session[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  await server?.close();
});

describe('a burst over loopback UDP beyond maxHandshakes and maxSessions', () => {
  it('ends every client established or EBUSY before its handshake timeout, and the server holds no more than maxSessions', async () => {
    server = await listen({ host: '127.0.0.1', port: 0, credentials: pskStore(), maxHandshakes: 10, maxSessions: 60 });
    server.sessions$.subscribe((s) => s.data$.subscribe({ error: () => undefined }));
    const { port } = server.address();
    const outcomes = await Promise.all(
      Array.from({ length: CLIENTS }, () =>
        connect({ host: '127.0.0.1', port, credentials: pskStore(), handshakeTimeout: HANDSHAKE_TIMEOUT }).then(
          (session) => (sessions.push(session), 'established'),
          (error: DtlsError) => error.code,
        ),
      ),
    );
    const count = (outcome: string) => outcomes.filter((o) => o === outcome).length;
    console.info(`${CLIENTS} clients, maxHandshakes 10, maxSessions 60: ${count('established')} established, ${count('EBUSY')} EBUSY`);
    expect(outcomes.filter((o) => o !== 'established' && o !== 'EBUSY')).toEqual([]);
    expect(count('established')).toBeGreaterThan(0);
    expect(count('established')).toBeLessThanOrEqual(60);
    expect(count('EBUSY')).toBeGreaterThanOrEqual(CLIENTS - 60);
  }, 2 * HANDSHAKE_TIMEOUT);
});
