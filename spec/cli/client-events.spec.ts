import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createServer, credentials, established, memoryLink, openClientSession } from '../../lib/index.js';
import { clientEvents$ } from '../../lib/cli/client-events.js';

describe('clientEvents$', () => {
  it('gives each event of a client handshake once, from handshake-start on', async () => {
    const [clientEnd, serverEnd] = memoryLink();
    const store = credentials().psk({ tag: 0, identity: 'Client_identity', key: 'secretPSK' });
    const server = createServer({ transport: serverEnd, credentials: store });
    const session = await openClientSession({ host: '10.0.0.2', port: 2222, transport: clientEnd, credentials: store });
    const events = lastValueFrom(clientEvents$(session).pipe(toArray()));
    await established(session);
    session.close();
    server.close();
    // Should openClientSession ever let callers see its first events, they would come twice here.
    expect((await events).map((e) => (e.type === 'flight-sent' ? `flight-sent ${e.flight}` : e.type))).toEqual([
      'handshake-start',
      'flight-sent 1',
      'flight-sent 3',
      'flight-sent 5',
      'handshake-complete',
      'alert',
      'closed',
    ]);
  });
});
