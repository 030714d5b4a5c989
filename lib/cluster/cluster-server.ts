import { randomBytes, randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Subject, type Observable } from 'rxjs';
import { DtlsError } from '../dtls-error.js';
import type { ServerEvent } from '../endpoint/server.js';
import { throwIfAborted } from '../endpoint/canceled.js';
import { DEFAULT_SERVER_RECV_BUFFER } from '../endpoint/server-limits.js';
import { MIN_MASTER_SECRET_LENGTH } from '../handshake/shared-secrets.js';
import type { Datagram, PeerAddress } from '../transport/datagram.js';
import { networkError } from '../transport/network-error.js';
import { UdpTransport, type SocketBufferOptions } from '../transport/udp.js';
import type { ClusterWorkerData, FromWorker, PortableServerEvent, ToWorker } from './cluster-messages.js';
import { workerFor } from './worker-routing.js';

/** The most worker threads: a worker's index is the first byte of the Connection IDs it issues. */
export const MAX_CLUSTER_WORKERS = 256;

/**
 * Datagrams handed to a worker that it has not yet taken, beyond which more are dropped,
 * as a full socket buffer drops them: a worker that falls behind (or a flood aimed at it)
 * cannot make the primary queue without bound. 4,096 datagrams of a handshake burst are
 * about a second of one core's handshakes.
 */
export const MAX_DATAGRAMS_QUEUED_PER_WORKER = 4_096;

/** How long close() waits for a worker to send its close_notify alerts before ending it. */
const WORKER_CLOSE_GRACE = 2_000;

/** One UDP port served by several worker threads. */
export interface ClusterOptions extends SocketBufferOptions {
  /** The module every worker thread runs (a path or file URL); it calls serveClusterWorker. */
  readonly worker: string | URL;
  /** Worker threads, 1 to 256 (default: the cores, os.availableParallelism()). */
  readonly workers?: number;
  /** Address to bind (default 127.0.0.1, as listen). */
  readonly host?: string;
  /** Port to bind (default 5684; 0 picks a free one). */
  readonly port?: number;
  /**
   * The secret every worker derives its cookie secrets and ticket keys from (see the server's
   * `masterSecret`), at least 32 bytes. Default: 32 random bytes drawn at start, which the
   * workers of this cluster share; give one to share them with other machines too.
   */
  readonly masterSecret?: Uint8Array;
  /** The application's own settings for its workers, as `workerData.options` (structured-cloneable). */
  readonly workerOptions?: unknown;
  /** Node options of the worker threads (default the process's), e.g. ['--import', 'tsx'] for a worker written in TypeScript. */
  readonly execArgv?: readonly string[];
  /** Closes the cluster when it aborts; before it listens, listenCluster rejects with ECANCELED. */
  readonly signal?: AbortSignal;
}

/** What the primary hears: every worker's server events, tagged with the worker, and the workers' own comings and goings. */
export type ClusterEvent =
  | (ServerEvent & {
      /** The worker whose server reported it. */
      readonly worker: number;
    })
  | {
      /** A worker thread ended without being asked (an uncaught error, an exit): its sessions are gone, and a new worker takes its place. */
      readonly type: 'worker-exit';
      /** Its index, which the worker replacing it takes. */
      readonly worker: number;
      /** EIO, naming the exit code and the uncaught error, if any. */
      readonly error: DtlsError;
    }
  | {
      /** A worker (a first one, or one that replaced another) serves from now on. */
      readonly type: 'worker-ready';
      /** Its index. */
      readonly worker: number;
    };

/** Counters of the whole cluster, as the primary sees them. */
export interface ClusterStats {
  /** Sessions per worker now (started and not yet ended), by worker index. */
  readonly sessions: readonly number[];
  /** Datagrams routed to each worker since it started. */
  readonly datagrams: readonly number[];
  /** Datagrams the primary dropped: a CID naming no worker, a worker starting, or one too far behind. */
  readonly dropped: number;
  /** Workers that ended unasked and were replaced. */
  readonly restarts: number;
}

interface WorkerSlot {
  worker: Worker;
  ready: boolean;
  /** Datagrams posted and not yet reported taken. */
  queued: number;
  sessions: number;
  datagrams: number;
  /** Settles once the worker says its server closed (its last alerts are sent), or it ends. */
  readonly closed: Promise<void>;
  readonly markClosed: () => void;
  lastError?: Error;
}

/**
 * A DTLS server on one UDP port, served by several worker threads (node:worker_threads;
 * docs/scaling.md says why not node:cluster). The primary thread owns the socket and routes
 * each datagram, without keeping anything per peer, to the worker that owns its peer (see
 * workerFor): by the Connection ID's first byte for tls12_cid records, by a hash of the
 * address and port otherwise. Buffers cross threads by transfer, not copy. Each worker runs
 * a DtlsServer (serveClusterWorker) with its sessions and their streams; the primary sees
 * every worker's events on `events$` and counters on `stats`.
 *
 * A worker that ends unasked is replaced at once (its sessions are lost; their clients
 * time out and handshake again, resuming by ticket); one that fails before it is ready
 * fails listenCluster, since a worker that cannot start would fail again.
 */
export class DtlsCluster {
  /**
   * Server events of every worker, and workers ending and starting. Completes when the
   * cluster closes; errors with a DtlsError when the socket fails.
   */
  readonly events$: Observable<ClusterEvent>;
  private readonly eventsSubject = new Subject<ClusterEvent>();
  private readonly slots: WorkerSlot[] = [];
  private readonly seed = randomInt(2 ** 32);
  private dropped = 0;
  private restarts = 0;
  private closing?: Promise<void>;

  /** Binds nothing and starts nothing: listenCluster does. */
  private constructor(
    private readonly transport: UdpTransport,
    private readonly options: ClusterOptions,
    private readonly masterSecret: Uint8Array,
  ) {
    this.events$ = this.eventsSubject.asObservable();
  }

  /** @internal Binds the socket, starts the workers and resolves once every one is ready. */
  static async start(transport: UdpTransport, options: ClusterOptions, masterSecret: Uint8Array, count: number): Promise<DtlsCluster> {
    const cluster = new DtlsCluster(transport, options, masterSecret);
    try {
      await Promise.all(Array.from({ length: count }, (_, index) => cluster.startWorker(index)));
    } catch (error) {
      await cluster.close();
      throw error;
    }
    transport.datagrams$.subscribe({
      next: (datagram) => cluster.route(datagram),
      error: (error: unknown) => cluster.fail(networkError(error, 'the cluster socket failed')),
      complete: () => void cluster.close(),
    });
    return cluster;
  }

  /** The address the cluster listens on. */
  address(): PeerAddress {
    return this.transport.address();
  }

  /** Workers serving now. */
  get workers(): number {
    return this.slots.length;
  }

  /** Sessions and datagrams per worker, drops and restarts, now. */
  get stats(): ClusterStats {
    return {
      sessions: this.slots.map((s) => s.sessions),
      datagrams: this.slots.map((s) => s.datagrams),
      dropped: this.dropped,
      restarts: this.restarts,
    };
  }

  /**
   * Closes every worker's server (close_notify to its peers, sent through the socket), ends
   * the workers, then closes the socket; `events$` completes. Resolves once all that is done.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown().then(() => this.eventsSubject.complete());
    return this.closing;
  }

  private fail(error: DtlsError): void {
    if (this.closing) return;
    this.closing = this.shutDown().then(() => this.eventsSubject.error(error));
  }

  private async shutDown(): Promise<void> {
    await Promise.all(this.slots.map((slot) => this.stopWorker(slot)));
    await this.transport.close();
  }

  private route({ data, peer }: Datagram): void {
    const index = workerFor(data, peer, this.slots.length, this.seed);
    const slot = index === undefined ? undefined : this.slots[index];
    if (slot === undefined || !slot.ready || slot.queued >= MAX_DATAGRAMS_QUEUED_PER_WORKER) {
      this.dropped++;
      return;
    }
    slot.queued++;
    slot.datagrams++;
    // dgram gives each datagram an ArrayBuffer of its own: handed over whole, without a copy.
    const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
    const buffer = whole ? (data.buffer as ArrayBuffer) : data.slice().buffer;
    const message: ToWorker = { type: 'datagram', data: buffer, address: peer.address, port: peer.port };
    slot.worker.postMessage(message, [buffer]);
  }

  /** Starts worker `index` (first, or in place of one that ended); resolves once it is ready, rejects if it ends before. */
  private startWorker(index: number): Promise<void> {
    const workerData: ClusterWorkerData = {
      rxDtlsClusterWorker: { index, masterSecret: this.masterSecret, local: this.transport.address() },
      options: this.options.workerOptions,
    };
    const worker = new Worker(this.options.worker, { workerData, execArgv: this.options.execArgv ? [...this.options.execArgv] : undefined });
    let markClosed = (): void => undefined;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    const slot: WorkerSlot = { worker, ready: false, queued: 0, sessions: 0, datagrams: 0, closed, markClosed };
    this.slots[index] = slot;
    return new Promise((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          slot.ready = true;
          this.eventsSubject.next({ type: 'worker-ready', worker: index });
          resolve();
        } else this.fromWorker(slot, index, message);
      });
      worker.on('error', (error) => (slot.lastError = error));
      worker.on('exit', (code) => {
        slot.markClosed();
        if (this.closing || this.slots[index] !== slot) return;
        const error = new DtlsError('EIO', `cluster worker ${index} ended (exit code ${code}${slot.lastError ? `: ${slot.lastError.message}` : ''})`, undefined, {
          cause: slot.lastError,
        });
        if (!slot.ready) return reject(error);
        this.restarts++;
        this.eventsSubject.next({ type: 'worker-exit', worker: index, error });
        this.startWorker(index).catch((failure: DtlsError) => this.fail(failure));
      });
    });
  }

  private fromWorker(slot: WorkerSlot, index: number, message: FromWorker): void {
    switch (message.type) {
      case 'send':
        this.transport.send(new Uint8Array(message.data), { address: message.address, port: message.port });
        return;
      case 'consumed':
        slot.queued = Math.max(0, slot.queued - message.count);
        return;
      case 'event': {
        const event = serverEvent(message.event);
        if (event.type === 'session-start') slot.sessions++;
        if (event.type === 'session-end') slot.sessions--;
        if (!this.closing) this.eventsSubject.next({ ...event, worker: index });
        return;
      }
      case 'closed':
        slot.markClosed();
        return;
    }
  }

  /** Asks the worker's server to close, waits for it (within a grace period), then ends the thread. */
  private async stopWorker(slot: WorkerSlot): Promise<void> {
    if (slot.ready) {
      slot.worker.postMessage({ type: 'close' } satisfies ToWorker);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([slot.closed, new Promise((resolve) => (timer = setTimeout(resolve, WORKER_CLOSE_GRACE)))]);
      clearTimeout(timer);
    }
    await slot.worker.terminate();
  }
}

function serverEvent(event: PortableServerEvent): ServerEvent {
  if (event.type !== 'session-end' || event.error === undefined) return event as ServerEvent;
  return { ...event, error: new DtlsError(event.error.code, event.error.message) };
}

/**
 * Binds a UDP socket and serves DTLS on it from `workers` worker threads, each running
 * `worker` (a module that calls serveClusterWorker). Rejects with a DtlsError: EINVAL for an
 * option it cannot use, EADDRINUSE and the like when the socket cannot be bound, EIO when a
 * worker fails before it is ready, ECANCELED when `signal` aborted first.
 */
export async function listenCluster(options: ClusterOptions): Promise<DtlsCluster> {
  const count = options.workers ?? availableParallelism();
  if (!Number.isInteger(count) || count < 1 || count > MAX_CLUSTER_WORKERS) {
    throw new DtlsError('EINVAL', `workers must be an integer from 1 to ${MAX_CLUSTER_WORKERS}, got ${String(count)}`);
  }
  const { masterSecret = new Uint8Array(randomBytes(MIN_MASTER_SECRET_LENGTH)) } = options;
  if (!(masterSecret instanceof Uint8Array) || masterSecret.length < MIN_MASTER_SECRET_LENGTH) {
    throw new DtlsError('EINVAL', `masterSecret must be a Uint8Array of at least ${MIN_MASTER_SECRET_LENGTH} random bytes`);
  }
  throwIfAborted(options.signal);
  const transport = await UdpTransport.bind({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 5684,
    recvBufferSize: options.recvBufferSize ?? DEFAULT_SERVER_RECV_BUFFER,
    sendBufferSize: options.sendBufferSize,
  });
  if (options.signal?.aborted) {
    await transport.close();
    throwIfAborted(options.signal);
  }
  const cluster = await DtlsCluster.start(transport, options, masterSecret, count);
  options.signal?.addEventListener('abort', () => void cluster.close(), { once: true });
  return cluster;
}
