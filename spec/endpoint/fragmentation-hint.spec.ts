import { describe, expect, it } from 'vitest';
import { AlertDescription, AlertLevel, encodeAlert } from '../../lib/wire/alert.js';
import { ContentType, DTLS_1_2 } from '../../lib/wire/constants.js';
import { plainRecord } from '../operators/helpers/records.js';
import { SERVER_ADDRESS, startPair } from './helpers/pair.js';

/**
 * A client that never sees the server's hello flight (the server's datagrams after its
 * HelloVerifyRequest are lost),
 * so the server's session waits in its handshake; with `mtu` 70 its ServerHello goes out
 * in fragments (RFC 6347 §4.2.3), with the default 1200 whole.
 */
async function serverWaiting(mtu?: number) {
  let fromServer = 0;
  const pair = await startPair({ server: mtu ? { mtu } : {}, deliver: (d) => d.from === 'client' || fromServer++ === 0 });
  pair.time.runUntil(() => pair.serverSessions.length > 0 && pair.serverSessionEvents[0].some((e) => e.type === 'flight-sent'), 5000);
  return pair;
}

/** A fatal alert from the client's address, unprotected as it is before ChangeCipherSpec. */
const fatal = (description: number) => plainRecord(ContentType.alert, encodeAlert({ level: AlertLevel.fatal, description }), { version: DTLS_1_2, sequenceNumber: 90 });

describe('a failed handshake after fragmented flights', () => {
  it('says, on a handshake_failure from the peer, that it may not reassemble fragments (tinydtls)', async () => {
    const pair = await serverWaiting(70);
    pair.clientEnd.send(fatal(AlertDescription.handshake_failure), SERVER_ADDRESS);
    pair.time.advanceBy(10);
    const session = pair.serverSessions[0];
    expect(session.error?.code).toBe('EALERT');
    expect(session.error?.message).toMatch(/sent fatal alert handshake_failure \(our flights went out in fragments to fit mtu 70; .*tinydtls.*a larger mtu/);
  });

  it('says so on a handshake timeout too', async () => {
    const pair = await serverWaiting(70);
    pair.time.advanceBy(61_000);
    expect(pair.serverSessions[0].error?.code).toBe('ETIMEDOUT');
    expect(pair.serverSessions[0].error?.message).toContain('went out in fragments to fit mtu 70');
  });

  it('says nothing of fragments when the flights went out whole, or for another alert', async () => {
    const whole = await serverWaiting();
    whole.clientEnd.send(fatal(AlertDescription.handshake_failure), SERVER_ADDRESS);
    whole.time.advanceBy(10);
    expect(whole.serverSessions[0].error?.message).toMatch(/sent fatal alert handshake_failure$/);

    const other = await serverWaiting(70);
    other.clientEnd.send(fatal(AlertDescription.decrypt_error), SERVER_ADDRESS);
    other.time.advanceBy(10);
    expect(other.serverSessions[0].error?.message).toMatch(/sent fatal alert decrypt_error$/);
  });
});
