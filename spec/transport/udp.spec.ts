import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { UdpTransport } from '../../lib/transport/udp.js';

const open: UdpTransport[] = [];
const bind = async (options: Parameters<typeof UdpTransport.bind>[0]) => {
  const transport = await UdpTransport.bind(options);
  open.push(transport);
  return transport;
};
afterEach(() => open.splice(0).forEach((t) => t.close()));

describe('UdpTransport', () => {
  it('sends to the address given and reports where datagrams come from', async () => {
    const [a, b] = [await bind({ port: 0 }), await bind({ port: 0 })];
    const arrival = firstValueFrom(b.datagrams$);
    a.send(new Uint8Array([1, 2, 3]), b.address());
    const datagram = await arrival;
    expect([...datagram.data]).toEqual([1, 2, 3]);
    expect(datagram.peer).toEqual(a.address());
  });

  it('connected to a peer, it sends there whatever address send is given, and hears only that peer', async () => {
    const [server, stranger] = [await bind({ port: 0 }), await bind({ port: 0 })];
    const client = await bind({ port: 0, connect: server.address() });
    const atServer = firstValueFrom(server.datagrams$);
    client.send(new Uint8Array([7]), stranger.address());
    expect([...(await atServer).data]).toEqual([7]);

    const atClient = firstValueFrom(client.datagrams$.pipe(take(1), toArray()));
    // The kernel drops the stranger's datagram; the server's, sent after it, is the first to arrive.
    stranger.send(new Uint8Array([0xee]), client.address());
    server.send(new Uint8Array([8]), client.address());
    const [only] = await atClient;
    expect([...only.data]).toEqual([8]);
    expect(only.peer).toEqual(server.address());
  });

  it('refuses to bind when the connect address is not of the socket family', async () => {
    await expect(UdpTransport.bind({ host: '127.0.0.1', port: 0, connect: { address: '::1', port: 9 } })).rejects.toThrow();
  });

  it('waits for datagrams already handed to the socket before it closes', async () => {
    const [a, b] = [await bind({ port: 0 }), await bind({ port: 0 })];
    const arrival = firstValueFrom(b.datagrams$);
    a.send(new Uint8Array([9]), b.address());
    a.close();
    expect([...(await arrival).data]).toEqual([9]);
  });
});
