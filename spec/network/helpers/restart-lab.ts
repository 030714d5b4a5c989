import { clientSessionOn, type ClientOptions } from '../../../lib/endpoint/client.js';
import { createServer, type DtlsServer } from '../../../lib/endpoint/server.js';
import type { Session } from '../../../lib/endpoint/session.js';
import { MemoryHub } from '../../../lib/testing/memory-hub.js';
import { VirtualTime } from '../../../lib/testing/virtual-time.js';
import type { DatagramTransport, PeerAddress } from '../../../lib/transport/datagram.js';
import { splitRecords } from '../../../lib/record/split-records.js';
import { ContentType } from '../../../lib/wire/constants.js';
import { pskStore } from '../../endpoint/helpers/pair.js';

export const SERVER: PeerAddress = { address: '10.0.0.2', port: 5684 };
export const KEEPALIVE = { interval: 5_000, timeout: 15_000 };
const store = pskStore();

/**
 * A server process on an in-memory network that can be SIGKILLed (its socket goes
 * away without a word: nothing it sends leaves, nothing reaches it) and started again
 * on the same address with no memory of its sessions, as a restarted process has.
 */
export class RestartLab {
  readonly time = new VirtualTime();
  /**
   * Server datagrams to these client ports that carry a ChangeCipherSpec are lost: their
   * flight 6 ([NewSessionTicket,] ChangeCipherSpec, Finished) never arrives, so they are
   * mid-handshake at the crash.
   */
  readonly stuck = new Set<number>();
  readonly network = new MemoryHub(
    this.time.scheduler,
    (from, to, data) =>
      !(from.port === SERVER.port && this.stuck.has(to.port) && splitRecords(data).records.some((r) => r.header.contentType === ContentType.change_cipher_spec)),
  );
  server!: DtlsServer;
  private serverEnd!: DatagramTransport;
  /** What each generation of the server received, per client port, as text. */
  readonly received: Array<Map<number, string[]>> = [];

  start(): void {
    this.serverEnd = this.network.endpoint(SERVER);
    this.server = createServer({ credentials: store, transport: this.serverEnd, scheduler: this.time.scheduler });
    const got = new Map<number, string[]>();
    this.received.push(got);
    this.server.sessions$.subscribe((s) => {
      const texts: string[] = [];
      got.set(s.peer.port, texts);
      s.data$.subscribe({ next: (d) => texts.push(new TextDecoder().decode(d)), error: () => undefined });
    });
  }

  /** SIGKILL: its socket is gone first, so nothing it would still send leaves (no close_notify; the memory network has no ICMP either). */
  kill(): void {
    this.serverEnd.close();
    this.server.close();
  }

  /** Each client's socket, by port. */
  readonly clientEnds = new Map<number, DatagramTransport>();

  client(port: number, options: Partial<ClientOptions> = {}): Session {
    const end = this.network.endpoint({ address: `10.1.0.${port % 250}`, port });
    this.clientEnds.set(port, end);
    const session = clientSessionOn(end, { credentials: store, host: SERVER.address, port: SERVER.port, scheduler: this.time.scheduler, keepalive: KEEPALIVE, keyLog: undefined, ...options });
    session.events$.subscribe({ error: () => undefined });
    return session;
  }
}
