import { credentials } from '../../../lib/credentials/credential-store.js';
import { createServer, type DtlsServer, type ServerEvent, type ServerOptions } from '../../../lib/endpoint/server.js';
import { Subject } from 'rxjs';
import { openClientSession, type ClientOptions } from '../../../lib/endpoint/client.js';
import type { Session } from '../../../lib/endpoint/session.js';
import { peerKey, type Datagram, type DatagramTransport, type PeerAddress } from '../../../lib/transport/datagram.js';
import { clientHelloDatagram, cookieIn, pskClientHello } from '../../fuzz/helpers/hello.js';
import { SpoofTransport } from '../../fuzz/helpers/spoof-transport.js';
import { VirtualTime } from '../../../lib/testing/index.js';

export const PSK_STORE = credentials().psk({ tag: 0, identity: 'Client_identity', key: 'secretPSK' });

/** A PSK DtlsServer on a transport anyone can write to from any address, in virtual time. */
export class SpoofedServer {
  readonly clock = new VirtualTime();
  readonly transport: SpoofTransport;
  readonly server: DtlsServer;
  /**
   * Server events, except one hello-verify-request per ClientHello and one drop per
   * datagram of an unknown Connection ID (a flood would fill memory with them): counted instead.
   */
  readonly events: ServerEvent[] = [];
  helloVerifyRequests = 0;
  unknownConnectionIds = 0;

  /** Genuine clients on this network, by address: replies to them are delivered, not kept. */
  private readonly clients = new Map<string, Subject<Datagram>>();

  constructor(options: Partial<Omit<ServerOptions, 'transport'>> = {}, onReply?: (reply: Datagram) => void) {
    this.transport = new SpoofTransport(undefined, (reply) => {
      const client = this.clients.get(peerKey(reply.peer));
      if (client) this.clock.scheduler.schedule(() => client.next({ data: reply.data, peer: this.transport.address() }));
      else if (onReply) onReply(reply);
      else this.transport.replies.push(reply);
    });
    this.server = createServer({ credentials: PSK_STORE, scheduler: this.clock.scheduler, ...options, transport: this.transport });
    this.server.events$.subscribe((e) => {
      if (e.type === 'hello-verify-request') this.helloVerifyRequests++;
      else if (e.type === 'dropped' && e.reason === 'unknown connection ID') this.unknownConnectionIds++;
      else this.events.push(e);
    });
  }

  /**
   * A genuine PSK client at `peer`, on the same network as the spoofers (datagrams delivered
   * on the clock); `sent` collects what it sends, for specs that replay it.
   */
  connect(peer: PeerAddress, options: Partial<ClientOptions> = {}, sent?: Uint8Array[]): Promise<Session> {
    const inbox = new Subject<Datagram>();
    this.clients.set(peerKey(peer), inbox);
    const transport: DatagramTransport = {
      datagrams$: inbox.asObservable(),
      send: (data) => {
        const copy = data.slice();
        sent?.push(copy);
        this.clock.scheduler.schedule(() => this.transport.deliver(copy, peer));
      },
      address: () => peer,
      close: () => inbox.complete(),
    };
    const server = this.transport.address();
    return openClientSession({ host: server.address, port: server.port, transport, credentials: PSK_STORE, scheduler: this.clock.scheduler, ...options });
  }

  /**
   * A client at `peer` that answers the cookie exchange and then goes quiet: a half-open
   * handshake (needs the replies, so it is no spoofer). Returns the cookie it used.
   */
  halfOpen(peer: PeerAddress, random = randomFor(peer)): Uint8Array {
    const before = this.transport.replies.length;
    this.transport.deliver(clientHelloDatagram(pskClientHello(random)), peer);
    const reply = this.transport.replies.slice(before).find((r) => r.peer === peer && cookieIn(r.data));
    const cookie = reply && cookieIn(reply.data);
    if (!cookie) throw new Error(`no HelloVerifyRequest for ${peer.address}:${peer.port}`);
    this.transport.deliver(clientHelloDatagram(pskClientHello(random, { cookie }), { messageSeq: 1, recordSeq: 1 }), peer);
    return cookie;
  }
}

/** A ClientHello random that differs per peer address. */
export function randomFor(peer: PeerAddress): Uint8Array {
  const random = new Uint8Array(32);
  new DataView(random.buffer).setUint32(0, peer.port);
  random.set(new TextEncoder().encode(peer.address).subarray(0, 28), 4);
  return random;
}

export const address = (i: number): PeerAddress => ({ address: `198.18.${(i >> 8) & 0xff}.${i & 0xff}`, port: 10_000 + (i % 50_000) });
