import { Subject, asyncScheduler, identity, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import type { Datagram, DatagramTransport, PeerAddress } from './datagram.js';

/** How the two ends of a memoryLink deliver to each other. */
export interface MemoryLinkOptions {
  /** Delivery runs on this scheduler (a TestScheduler for virtual time). */
  readonly scheduler?: SchedulerLike;
  /** One-way delay in ms (default 0: next turn of the scheduler). */
  readonly delay?: number;
  /** A stage between the two ends, e.g. an impairment operator; applied per direction. */
  readonly link?: MonoTypeOperatorFunction<Datagram>;
}

class MemoryEnd implements DatagramTransport {
  readonly inbox = new Subject<Datagram>();
  readonly datagrams$ = this.inbox.asObservable();
  readonly outbox = new Subject<Datagram>();
  closed = false;

  constructor(private readonly local: PeerAddress) {}

  send(data: Uint8Array, peer: PeerAddress): void {
    // Copy: the sender may reuse its buffer, as a real socket would not care.
    if (!this.closed) this.outbox.next({ data: data.slice(), peer });
  }

  address(): PeerAddress {
    return this.local;
  }

  close(): void {
    this.closed = true;
    this.inbox.complete();
    this.outbox.complete();
  }
}

/**
 * Two datagram transports joined in memory, for specs and in-process benchmarks:
 * what one sends, the other receives (from the sender's address), on the given
 * scheduler, through an optional link stage such as impairment.
 */
export function memoryLink(
  a: PeerAddress = { address: '10.0.0.1', port: 1111 },
  b: PeerAddress = { address: '10.0.0.2', port: 2222 },
  options: MemoryLinkOptions = {},
): [DatagramTransport, DatagramTransport] {
  const { scheduler = asyncScheduler, delay = 0, link = identity } = options;
  const ends = [new MemoryEnd(a), new MemoryEnd(b)] as const;
  const connect = (from: MemoryEnd, to: MemoryEnd, fromAddress: PeerAddress): void => {
    from.outbox.pipe(link).subscribe((datagram) =>
      scheduler.schedule(() => {
        if (!to.closed) to.inbox.next({ data: datagram.data, peer: fromAddress });
      }, delay),
    );
  };
  connect(ends[0], ends[1], a);
  connect(ends[1], ends[0], b);
  return [ends[0], ends[1]];
}
