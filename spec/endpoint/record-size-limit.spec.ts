import { describe, expect, it } from 'vitest';
import type { ClientOptions } from '../../lib/endpoint/client.js';
import type { ServerOptions } from '../../lib/endpoint/server.js';
import { received, startPair } from './helpers/pair.js';

async function established(client: Partial<ClientOptions>, server: Partial<ServerOptions> = {}) {
  const pair = await startPair({ client, server });
  expect(pair.time.runUntil(() => pair.client.state === 'established', 5000)).toBe(true);
  return { pair, client: pair.client, server: pair.serverSessions[0] };
}

describe('record_size_limit (RFC 8449) between rx-dtls endpoints', () => {
  it("makes the server's send() refuse records over the client's limit with EMSGSIZE, and carry those within it", async () => {
    const { pair, client, server } = await established({ recordSizeLimit: 256 });
    expect(server.info?.peerRecordSizeLimit).toBe(256);
    // The server announced 2^14, which limits nothing: the client's info has no limit.
    expect(client.info).not.toHaveProperty('peerRecordSizeLimit');
    expect(() => server.send(new Uint8Array(257))).toThrow(
      expect.objectContaining({ code: 'EMSGSIZE', message: expect.stringContaining('at most 256, the limit 10.0.0.1:1111 set with record_size_limit') }),
    );
    const got = received(client);
    server.send(new Uint8Array(256).fill(0x61));
    pair.time.advanceBy(10);
    expect(got).toEqual(['a'.repeat(256)]);
  });

  it("makes the client honour the server's limit the same way", async () => {
    const { client } = await established({}, { recordSizeLimit: 1000 });
    expect(client.info?.peerRecordSizeLimit).toBe(1000);
    expect(() => client.send(new Uint8Array(1001))).toThrow(expect.objectContaining({ code: 'EMSGSIZE' }));
    expect(() => client.send(new Uint8Array(1000))).not.toThrow();
  });

  it('lets a client that asks for max_fragment_length 512 have it from a server that knows record_size_limit, which wins (RFC 8449 §5)', async () => {
    const { server } = await established({ maxFragmentLength: 512 });
    expect(server.info?.peerRecordSizeLimit).toBe(512);
  });

  it('checks the options when the call is made', async () => {
    await expect(startPair({ client: { recordSizeLimit: 63 } })).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringContaining('recordSizeLimit must be an integer from 64 to 16384') });
    await expect(startPair({ server: { recordSizeLimit: 16385 } })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(startPair({ client: { maxFragmentLength: 1000 as never } })).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringContaining('one of 512, 1024, 2048, 4096') });
  });
});
