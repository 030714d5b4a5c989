import { describe, expect, it } from 'vitest';
import { credentials } from '../../lib/credentials/credential-store.js';
import type { ServerOptions } from '../../lib/endpoint/server.js';
import { startPair } from './helpers/pair.js';

/** The same PSK under three tags, each with its own identity hint, so the hint tells which tag served. */
const store = () =>
  credentials()
    .psk({ tag: 0, identity: 'Client_identity', key: 'secretPSK', hint: 'default' })
    .psk({ tag: 1, identity: 'Client_identity', key: 'secretPSK', hint: 'alpha' })
    .psk({ tag: 2, identity: 'Client_identity', key: 'secretPSK', hint: 'beta' });

async function handshake(serverName: string | undefined, server: Partial<ServerOptions>) {
  const hints: Array<string | null> = [];
  const pair = await startPair({
    server: { credentials: store(), serverNames: { 'alpha.example': 1, 'BETA.example': 2 }, ...server },
    client: { serverName, pskCallback: (hint) => (hints.push(hint), { identity: 'Client_identity', psk: 'secretPSK' }) },
  });
  pair.time.runUntil(() => pair.client.state !== 'handshaking', 5000);
  return { client: pair.client, server: pair.serverSessions[0], hints };
}

describe('server-side SNI (RFC 6066 §3): credentials per host name', () => {
  it("serves each name with its own tag's credentials and reports the name on the server session", async () => {
    const alpha = await handshake('alpha.example', {});
    expect(alpha.hints).toEqual(['alpha']);
    expect(alpha.server.info?.serverName).toBe('alpha.example');
    const beta = await handshake('Beta.Example', {});
    expect(beta.hints).toEqual(['beta']);
    expect(beta.server.info?.serverName).toBe('beta.example');
  });

  it('serves a name it does not know, and a client that names none, with the default tag', async () => {
    const other = await handshake('gamma.example', {});
    expect(other.client.state).toBe('established');
    expect(other.hints).toEqual(['default']);
    expect(other.server.info?.serverName).toBe('gamma.example');
    // The pair's client connects to an IP address, which RFC 6066 §3 does not send as server_name.
    const unnamed = await handshake(undefined, {});
    expect(unnamed.hints).toEqual(['default']);
    expect(unnamed.server.info).not.toHaveProperty('serverName');
  });

  it('refuses a name it does not know with a fatal unrecognized_name when told to', async () => {
    const { client, server } = await handshake('gamma.example', { unknownServerName: 'refuse' });
    expect(client.error).toMatchObject({ code: 'EALERT', alert: { level: 'fatal', name: 'unrecognized_name' } });
    expect(server.error?.message).toContain('the client asked for "gamma.example", a name this server does not serve');
    expect((await handshake('alpha.example', { unknownServerName: 'refuse' })).client.state).toBe('established');
  });

  it('checks the options when the call is made', async () => {
    await expect(startPair({ server: { serverNames: {} } })).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringContaining('serverNames must be') });
    await expect(startPair({ server: { serverNames: { 'a.example': -1 } } })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(startPair({ server: { unknownServerName: 'drop' as never } })).rejects.toMatchObject({ code: 'EINVAL' });
  });
});
