import type { MessagePort } from 'node:worker_threads';
import { Subject } from 'rxjs';
import type { Datagram, DatagramTransport, PeerAddress } from '../transport/datagram.js';
import type { FromWorker, ToWorker } from './cluster-messages.js';

/**
 * A worker's side of the cluster's UDP socket: datagrams the primary routed to this worker
 * arrive on `port`, and what the worker sends goes back through the primary's socket, so
 * every session is with the one address clients know.
 */
/** A worker reports the datagrams it took this many at a time (see MAX_DATAGRAMS_QUEUED_PER_WORKER). */
export const CONSUMED_EVERY = 64;

export class PortTransport implements DatagramTransport {
  private readonly incoming = new Subject<Datagram>();
  readonly datagrams$ = this.incoming.asObservable();
  private closed = false;
  private taken = 0;

  constructor(
    private readonly port: MessagePort,
    private readonly local: PeerAddress,
  ) {
    port.on('message', (message: ToWorker) => {
      if (message.type !== 'datagram') return;
      if (++this.taken === CONSUMED_EVERY) {
        this.taken = 0;
        this.post({ type: 'consumed', count: CONSUMED_EVERY });
      }
      // A view of the transferred buffer: it is this thread's now, and nobody else's.
      this.incoming.next({ data: new Uint8Array(message.data), peer: { address: message.address, port: message.port } });
    });
  }

  /**
   * Copies the datagram into a buffer of its own and transfers that: the session keeps the
   * bytes it sent (a flight is resent from them), so they cannot be handed over themselves.
   */
  send(data: Uint8Array, peer: PeerAddress): void {
    if (this.closed) return;
    const copy = data.slice().buffer;
    this.post({ type: 'send', data: copy, address: peer.address, port: peer.port }, [copy]);
  }

  address(): PeerAddress {
    return this.local;
  }

  /** Tells the primary; the port itself stays open for it to end the worker. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.incoming.complete();
    this.post({ type: 'closed' });
  }

  /** Messages other than datagrams: the worker's readiness and its server's events. */
  post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
    this.port.postMessage(message, transfer);
  }
}
