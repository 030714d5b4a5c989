import { describe, expect, it } from 'vitest';
import type { ClientOptions } from '../../lib/endpoint/client.js';
import type { ServerOptions } from '../../lib/endpoint/server.js';
import { startPair } from './helpers/pair.js';

async function handshake(client: Partial<ClientOptions>, server: Partial<ServerOptions>) {
  const pair = await startPair({ client, server });
  pair.time.runUntil(() => pair.client.state !== 'handshaking', 5000);
  return { pair, client: pair.client, server: pair.serverSessions[0] };
}

describe('ALPN (RFC 7301) between rx-dtls endpoints', () => {
  it("agrees on the server's most preferred protocol that the client offers, and both sessions say which", async () => {
    const { client, server } = await handshake({ alpn: ['h2', 'coap'] }, { alpn: ['coap', 'h2'] });
    expect(client.state).toBe('established');
    expect(client.info?.alpn).toBe('coap');
    expect(server.info?.alpn).toBe('coap');
  });

  it('lets an alpnCallback choose, given the offer in the client order', async () => {
    const offers: string[][] = [];
    const { client, server } = await handshake({ alpn: ['coap', 'lwm2m'] }, { alpnCallback: (offered) => (offers.push([...offered]), 'lwm2m') });
    expect(offers).toEqual([['coap', 'lwm2m']]);
    expect(client.info?.alpn).toBe('lwm2m');
    expect(server.info?.alpn).toBe('lwm2m');
  });

  it('ends the handshake with a fatal no_application_protocol when nothing overlaps (RFC 7301 §3.2)', async () => {
    const { client, server } = await handshake({ alpn: ['h2'] }, { alpn: ['coap'] });
    expect(client.state).toBe('closed');
    expect(client.error).toMatchObject({ code: 'EALERT', alert: { level: 'fatal', name: 'no_application_protocol' } });
    expect(server.error).toMatchObject({ code: 'EHANDSHAKE', alert: { name: 'no_application_protocol' } });
    expect(server.error?.message).toContain('no application protocol in common (the client offers "h2")');
  });

  it('sends the same alert when the callback declines', async () => {
    const { client } = await handshake({ alpn: ['coap'] }, { alpnCallback: () => undefined });
    expect(client.error).toMatchObject({ alert: { name: 'no_application_protocol' } });
  });

  it('goes without ALPN when only one side has it', async () => {
    const offered = await handshake({ alpn: ['coap'] }, {});
    expect(offered.client.state).toBe('established');
    expect(offered.client.info?.alpn).toBeUndefined();
    const configured = await handshake({}, { alpn: ['coap'] });
    expect(configured.client.state).toBe('established');
    expect(configured.server.info).not.toHaveProperty('alpn');
  });

  it('checks the options when the call is made', async () => {
    await expect(startPair({ client: { alpn: [] } })).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringContaining('alpn must be') });
    await expect(startPair({ client: { alpn: ['x'.repeat(256)] } })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(startPair({ server: { alpnCallback: 'coap' as never } })).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringContaining('alpnCallback') });
  });
});
