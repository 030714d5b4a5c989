import { Subject, type SchedulerLike } from 'rxjs';
import { peerKey, type Datagram, type DatagramTransport, type PeerAddress } from '../../../lib/transport/datagram.js';

export const INSIDE_ADDRESS: PeerAddress = { address: '192.168.0.10', port: 5683 };
export const NAT_PUBLIC_HOST = '203.0.113.7';
export const SERVER_BEHIND_NAT: PeerAddress = { address: '198.51.100.1', port: 5684 };

/**
 * A client behind a NAT and a server on the other side, in memory. The NAT maps
 * the client's one socket to a public port; `rebind()` gives it a new one and
 * forgets the old mapping, as a NAT does when its binding times out while a
 * device sleeps. The server then sees the same client at a new port, and what it
 * sends to the old port is dropped at the NAT.
 */
export class Nat {
  readonly client: DatagramTransport;
  readonly server: DatagramTransport;
  /** Datagrams the server sent to a public port the NAT no longer maps. */
  readonly lostAtNat: Uint8Array[] = [];
  private publicPort = 40_000;
  private readonly toClient = new Subject<Datagram>();
  private readonly toServer = new Subject<Datagram>();

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly delay = 10,
  ) {
    this.client = this.end(INSIDE_ADDRESS, this.toClient, (data, peer) => {
      if (peerKey(peer) !== peerKey(SERVER_BEHIND_NAT)) return;
      // The mapping in use when the datagram crosses the NAT is the source the server sees.
      const source = this.publicAddress;
      this.later(() => this.toServer.next({ data, peer: source }));
    });
    this.server = this.end(SERVER_BEHIND_NAT, this.toServer, (data, peer) => {
      if (peerKey(peer) !== peerKey(this.publicAddress)) {
        this.lostAtNat.push(data);
        return;
      }
      this.later(() => this.toClient.next({ data, peer: SERVER_BEHIND_NAT }));
    });
  }

  /** Where the server sees the client now. */
  get publicAddress(): PeerAddress {
    return { address: NAT_PUBLIC_HOST, port: this.publicPort };
  }

  /** A new public port for the client; the old mapping is gone. */
  rebind(): PeerAddress {
    this.publicPort++;
    return this.publicAddress;
  }

  private later(deliver: () => void): void {
    this.scheduler.schedule(deliver, this.delay);
  }

  private end(local: PeerAddress, inbox: Subject<Datagram>, send: (data: Uint8Array, peer: PeerAddress) => void): DatagramTransport {
    return { datagrams$: inbox.asObservable(), send: (data, peer) => send(data.slice(), peer), address: () => local, close: () => undefined };
  }
}
