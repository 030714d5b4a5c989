// The UDP socket buffers are options of the server (recvBufferSize default 4 MiB, so a burst
// or a pause queues datagrams instead of losing them) and of the client, and what the kernel
// granted is visible in `info`. Linux grants 2 × min(asked, net.core.rmem_max): the figures
// expected are computed from this machine's limits, not assumed.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../lib/endpoint/client.js';
import { listen, type DtlsServer } from '../../lib/endpoint/server.js';
import type { Session } from '../../lib/endpoint/session.js';
import { listenDgram } from '../../lib/dgram/dtls-server-socket.js';
import { clientDgramSocket } from '../../lib/dgram/dtls-client-socket.js';
import { UdpTransport } from '../../lib/transport/udp.js';
import { pskStore } from './helpers/pair.js';

const kernelLimit = (name: 'rmem_max' | 'wmem_max'): number => Number(readFileSync(`/proc/sys/net/core/${name}`, 'utf8'));
/** What Linux reports after SO_RCVBUF / SO_SNDBUF of `asked`: twice the request, capped at the sysctl first. */
const granted = (asked: number, limit: 'rmem_max' | 'wmem_max'): number => 2 * Math.min(asked, kernelLimit(limit));

const toClose: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const item of toClose.splice(0).reverse()) await item.close();
});
const serve = async (options: Partial<Parameters<typeof listen>[0]> = {}): Promise<DtlsServer> => {
  const server = await listen({ host: '127.0.0.1', port: 0, credentials: pskStore(), ...options });
  server.sessions$.subscribe((s) => s.data$.subscribe({ error: () => undefined }));
  toClose.push(server);
  return server;
};

describe('socket buffers', () => {
  it('a UdpTransport asks the kernel for the sizes given and reports what it granted', async () => {
    const transport = await UdpTransport.bind({ port: 0, recvBufferSize: 300_000, sendBufferSize: 100_000 });
    toClose.push(transport);
    expect(transport.bufferSizes()).toEqual({ recvBufferSize: granted(300_000, 'rmem_max'), sendBufferSize: granted(100_000, 'wmem_max') });
  });

  it("listen asks for a 4 MiB receive buffer by default and keeps the kernel's send buffer; info shows them with the limits in force", async () => {
    const server = await serve();
    const plain = await UdpTransport.bind({ port: 0 });
    toClose.push(plain);
    expect(server.info).toEqual({
      maxSessions: 32_768,
      maxHandshakes: 8_192,
      maxHandshakeBytesTotal: 16 * 2 ** 20,
      maxPendingLookups: 32,
      socketBuffers: { recvBufferSize: granted(4 * 2 ** 20, 'rmem_max'), sendBufferSize: plain.bufferSizes().sendBufferSize },
    });
  });

  it('listen and connect take recvBufferSize and sendBufferSize; each session reports its socket in info', async () => {
    const server = await serve({ recvBufferSize: 400_000, sendBufferSize: 300_000 });
    const sessions: Session[] = [];
    server.sessions$.subscribe((s) => sessions.push(s));
    const serverBuffers = { recvBufferSize: granted(400_000, 'rmem_max'), sendBufferSize: granted(300_000, 'wmem_max') };
    expect(server.info.socketBuffers).toEqual(serverBuffers);
    const client = await connect({ host: '127.0.0.1', port: server.address().port, credentials: pskStore(), recvBufferSize: 150_000, sendBufferSize: 120_000 });
    toClose.push(client);
    expect(client.info?.socketBuffers).toEqual({ recvBufferSize: granted(150_000, 'rmem_max'), sendBufferSize: granted(120_000, 'wmem_max') });
    await new Promise<void>((resolve) => sessions[0].state$.subscribe((s) => s === 'established' && resolve()));
    expect(sessions[0].info?.socketBuffers).toEqual(serverBuffers);
  });

  it('the dgram-compatible sockets take the options and report the buffers as node:dgram does; setting them later is refused', async () => {
    const server = await listenDgram({ host: '127.0.0.1', port: 0, credentials: pskStore(), recvBufferSize: 500_000 });
    toClose.push(server);
    server.on('message', () => undefined);
    expect(server.getRecvBufferSize()).toBe(granted(500_000, 'rmem_max'));
    expect(() => server.setRecvBufferSize(1 << 20)).toThrow(/pass the recvBufferSize option/);
    const client = clientDgramSocket({ host: '127.0.0.1', port: server.address().port, credentials: pskStore(), sendBufferSize: 110_000 });
    toClose.push(client);
    expect(() => client.getSendBufferSize()).toThrow(/no UDP socket of its own yet/);
    await client.open();
    expect(client.getSendBufferSize()).toBe(granted(110_000, 'wmem_max'));
  });

  it('a size that is not a positive int is EINVAL, naming the option', async () => {
    await expect(listen({ port: 0, credentials: pskStore(), recvBufferSize: 0 })).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/^recvBufferSize must be an integer from 1 to 2147483647, got 0/) });
    await expect(connect({ host: '127.0.0.1', port: 9, credentials: pskStore(), sendBufferSize: 2 ** 31 })).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/^sendBufferSize must be/) });
  });
});
