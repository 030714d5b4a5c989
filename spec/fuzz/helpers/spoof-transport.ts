import { Subject } from 'rxjs';
import type { Datagram, DatagramTransport, PeerAddress } from '../../../lib/transport/datagram.js';

/**
 * A server-side transport fed by hand, with any source address: what a network
 * that lets an attacker spoof addresses looks like to the server. Delivery is
 * synchronous; replies go to `onReply` (kept in `replies` unless told not to).
 */
export class SpoofTransport implements DatagramTransport {
  private readonly inbox = new Subject<Datagram>();
  readonly datagrams$ = this.inbox.asObservable();
  readonly replies: Datagram[] = [];
  closed = false;

  constructor(
    private readonly local: PeerAddress = { address: '10.0.0.2', port: 5684 },
    private readonly onReply?: (reply: Datagram) => void,
  ) {}

  /** A datagram arriving from `from`. */
  deliver(data: Uint8Array, from: PeerAddress): void {
    if (!this.closed) this.inbox.next({ data, peer: from });
  }

  send(data: Uint8Array, peer: PeerAddress): void {
    const reply = { data: data.slice(), peer };
    if (this.onReply) this.onReply(reply);
    else this.replies.push(reply);
  }

  address(): PeerAddress {
    return this.local;
  }

  close(): void {
    this.closed = true;
    this.inbox.complete();
  }
}
