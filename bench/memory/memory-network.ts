import { Subject } from 'rxjs';
import type { Datagram, DatagramTransport, PeerAddress } from '../rx-dtls.js';

const key = (peer: PeerAddress): string => `${peer.address}|${peer.port}`;

/**
 * An in-memory datagram switch: many endpoints, each with its own address, so one server
 * can hold thousands of client sessions in one process without sockets. Delivery is
 * batched onto the next macrotask, as a socket would deliver.
 */
export class MemoryNetwork {
  private readonly ends = new Map<string, MemoryEndpoint>();
  private queue: Array<() => void> = [];

  endpoint(address: PeerAddress): MemoryEndpoint {
    const end = new MemoryEndpoint(this, address);
    this.ends.set(key(address), end);
    return end;
  }

  deliver(from: PeerAddress, to: PeerAddress, data: Uint8Array): void {
    if (this.queue.length === 0) setImmediate(() => this.flush());
    // A copy, as a socket would make: the sender may reuse its buffer.
    const copy = data.slice();
    this.queue.push(() => this.ends.get(key(to))?.receive({ data: copy, peer: from }));
  }

  remove(end: MemoryEndpoint): void {
    this.ends.delete(key(end.address()));
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    for (const deliver of batch) deliver();
  }
}

export class MemoryEndpoint implements DatagramTransport {
  private readonly inbox = new Subject<Datagram>();
  readonly datagrams$ = this.inbox.asObservable();

  constructor(
    private readonly network: MemoryNetwork,
    private readonly local: PeerAddress,
  ) {}

  send(data: Uint8Array, peer: PeerAddress): void {
    this.network.deliver(this.local, peer, data);
  }

  receive(datagram: Datagram): void {
    this.inbox.next(datagram);
  }

  address(): PeerAddress {
    return this.local;
  }

  close(): void {
    this.network.remove(this);
    this.inbox.complete();
  }
}
