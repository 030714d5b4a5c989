import { Subject, type SchedulerLike } from 'rxjs';
import { peerKey, type Datagram, type DatagramTransport, type PeerAddress } from '../transport/datagram.js';

/** Decides whether one datagram is delivered; `index` counts the datagrams sent from `from` to `to`. */
export type HubFilter = (from: PeerAddress, to: PeerAddress, data: Uint8Array, index: number) => boolean;

/**
 * Many datagram transports on one in-memory network, for tests with several
 * clients from different addresses (memoryLink joins only two). Each datagram is
 * delivered on the next turn of `scheduler`, if `filter` lets it through.
 *
 * @example
 * const hub = new MemoryHub(time.scheduler, (from, to, data, index) => index > 0); // lose each sender's first datagram
 * const server = createServer({ transport: hub.endpoint({ address: '10.0.0.2', port: 5684 }), credentials, scheduler: time.scheduler });
 */
export class MemoryHub {
  private readonly ends = new Map<string, { inbox: Subject<Datagram>; closed: boolean }>();
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly filter: HubFilter = () => true,
  ) {}

  /**
   * A transport at `local` on this network: what it sends reaches the endpoint at the
   * destination address (if any, and if the filter allows); closing it stops both ways.
   */
  endpoint(local: PeerAddress): DatagramTransport {
    const end = { inbox: new Subject<Datagram>(), closed: false };
    this.ends.set(peerKey(local), end);
    return {
      datagrams$: end.inbox.asObservable(),
      send: (data, peer) => {
        if (!end.closed) this.deliver(local, peer, data.slice());
      },
      address: () => local,
      close: () => {
        end.closed = true;
        end.inbox.complete();
      },
    };
  }

  private deliver(from: PeerAddress, to: PeerAddress, data: Uint8Array): void {
    const pair = `${peerKey(from)}>${peerKey(to)}`;
    const index = this.counts.get(pair) ?? 0;
    this.counts.set(pair, index + 1);
    if (!this.filter(from, to, data, index)) return;
    this.scheduler.schedule(() => {
      const target = this.ends.get(peerKey(to));
      if (target && !target.closed) target.inbox.next({ data, peer: from });
    });
  }
}
